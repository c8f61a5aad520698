"""The role sorter view: assign each statement of work to a role; feedback per statement."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import ipywidgets as widgets

from ..role_sorter import Statement, check_role, load_statements
from ..roles import SORTABLE_ROLES, role_name
from .choice_rows import ChoiceRows
from .saving import PENDING, AnswerKeeper, answers_from_code


class RoleSorterWidget(widgets.VBox):
    """Statements of work with a role to choose for each; answers saved as given, explained when a key is known."""

    def __init__(self, widget_id: str = "role-sorter", statements: Sequence[Statement] | None = None,
                 answers_in_code: Callable[[], dict] | None = None, folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.statements = {s.id: s for s in (statements if statements is not None else load_statements())}
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id, self._folder)
        self._rows = ChoiceRows([(s.id, s.text) for s in self.statements.values()],
                                [(role_name(role), role) for role in SORTABLE_ROLES], self._on_choice, self._folder)
        heading = widgets.HTML("<b>Who is accountable for each piece of work?</b>")
        self.children = [heading, self._keeper.message, self._rows]
        self._answers = {key: value for key, value in self._keeper.restore().items() if key in self.statements}
        typed = answers_from_code(answers_in_code, self._keeper)
        for statement_id, role in {**self._answers, **typed}.items():
            if statement_id in self.statements:
                self._answers[statement_id] = role
                self._rows.show(statement_id, role)
                self._explain(statement_id)
        if typed:
            self._keeper.save(self._answers)

    @property
    def answers(self) -> dict[str, str]:
        return dict(self._answers)

    def choose(self, statement_id: str, role: str | None) -> None:
        """Choose a role for a statement, as a learner does with the dropdown."""
        self._rows.show(statement_id, role)
        self._on_choice(statement_id, role)

    def feedback_text(self, statement_id: str) -> str:
        feedback = check_role(self.statements[statement_id], self._answers.get(statement_id))
        return feedback.as_text() if feedback else ""

    def _on_choice(self, statement_id: str, role: str | None) -> None:
        self._keeper.record(self._answers, statement_id, role)
        self._explain(statement_id)

    def _explain(self, statement_id: str) -> None:
        role = self._answers.get(statement_id)
        statement = self.statements[statement_id]
        pending = PENDING if role and statement.role is None else ""
        self._rows.explain(statement_id, check_role(statement, role), pending)


def statements_without_key(texts: dict[str, str]) -> list[Statement]:
    """Statements for a graded assignment: text only, the key kept in the instructor's hidden tests."""
    return [Statement(statement_id, text) for statement_id, text in texts.items()]
