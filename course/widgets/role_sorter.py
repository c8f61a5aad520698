"""The role sorter view: assign each statement of work to a role; each choice judged on its row's Check.

What a row says comes from :func:`course.exercises.role_sorter.check_role` and the row's attempts: a first miss
explains what the chosen role does and where to review, the right role only after a second miss or on
"Show answer". Statements without a key (graded work) are saved and marked later.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

import ipywidgets as widgets

from course.content.misconceptions import load_misconceptions
from course.content.roles import SORTABLE_ROLES, role_name
from course.errors import DataFileError
from course.exercises.feedback import Attempts
from course.exercises.role_sorter import Statement, answer_only, check_role, is_right_role, load_statements
from course.live.client import live_link
from course.widgets.choice_rows import ChoiceRows
from course.widgets.saving import PENDING, AnswerKeeper, answers_from_code


@lru_cache(maxsize=1)
def _beliefs() -> dict[str, str]:
    try:
        return {key: item.belief for key, item in load_misconceptions().items()}
    except DataFileError:
        return {}


class RoleSorterWidget(widgets.VBox):
    """Statements of work with a role to choose for each; answers saved as given, judged on Check when keyed."""

    def __init__(self, widget_id: str = "role-sorter", statements: Sequence[Statement] | None = None,
                 answers_in_code: Callable[[], dict] | None = None, folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.statements = {s.id: s for s in (statements if statements is not None else load_statements())}
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id, self._folder)
        keyed = any(s.role for s in self.statements.values())
        self._rows = ChoiceRows([(s.id, s.text) for s in self.statements.values()],
                                [(role_name(role), role) for role in SORTABLE_ROLES], self._on_choice, self._folder,
                                on_check=self._on_check if keyed else None,
                                on_reveal=self._on_reveal if keyed else None)
        how = "Choose a role for a statement, then press its Check." if keyed else "Choose a role for each statement."
        heading = widgets.HTML(f"<b>Who is accountable for each piece of work?</b> <i>{how}</i>")
        self.children = [heading, self._keeper.message, self._rows]
        self._answers = {key: value for key, value in self._keeper.restore().items() if key in self.statements}
        self._attempts = {statement_id: Attempts() for statement_id in self.statements}
        self._attempts.update({k: v for k, v in self._keeper.attempts().items() if k in self.statements})
        self._notes: dict[str, str] = {}
        self._keeper.shown({"statements": list(self.statements)})
        typed = answers_from_code(answers_in_code, self._keeper)
        for statement_id, role in {**self._answers, **typed}.items():
            if statement_id in self.statements:
                self._answers[statement_id] = role
                self._rows.show(statement_id, role)
                if statement_id in typed and self.statements[statement_id].role is None and role:
                    self._attempts[statement_id].record(role, None)
        if typed:
            self._save()
        for statement_id in self.statements:
            self._explain(statement_id)
        # Live class view (course.live): on a hub, while the lesson's session is open, checked roles also go to the
        # instructor; elsewhere live_link gives NOT_LIVE, which sends and shows nothing.
        self._live = live_link(widget_id, self)

    @property
    def answers(self) -> dict[str, str]:
        return dict(self._answers)

    @property
    def attempts(self) -> dict[str, Attempts]:
        return {key: value for key, value in self._attempts.items() if value.count or value.revealed}

    def choose(self, statement_id: str, role: str | None) -> None:
        """Choose a role for a statement, as a learner does with the dropdown (not yet checked)."""
        self._rows.show(statement_id, role)
        self._on_choice(statement_id, role)

    def check(self, statement_id: str) -> None:
        """Press a statement's Check button."""
        self._rows.checks[statement_id].click()

    def show_answer(self, statement_id: str) -> None:
        self._rows.reveals[statement_id].click()

    def answer(self, statement_id: str, role: str | None) -> None:
        """Choose a role and press Check, as a learner answering does."""
        self.choose(statement_id, role)
        if statement_id in self._rows.checks:
            self.check(statement_id)

    def feedback_html(self, statement_id: str) -> str:
        return self._rows.feedback[statement_id].value

    def feedback_text(self, statement_id: str) -> str:
        feedback = self._judged(statement_id)
        return feedback.as_text() if feedback else ""

    def _judged(self, statement_id: str):
        statement = self.statements[statement_id]
        role = self._answers.get(statement_id)
        attempts = self._attempts[statement_id]
        if attempts.checked(role):
            return check_role(statement, role, reveal=attempts.answer_shown, beliefs=_beliefs())
        return answer_only(statement) if attempts.answer_shown else None

    def _on_choice(self, statement_id: str, role: str | None) -> None:
        self._notes.pop(statement_id, None)
        if role and self.statements[statement_id].role is None:
            self._attempts[statement_id].record(role, None)
        self._keeper.record(self._answers, statement_id, role, self._attempts)
        self._explain(statement_id)

    def _on_check(self, statement_id: str) -> None:
        role = self._answers.get(statement_id)
        if not role:
            self._notes[statement_id] = "Choose a role, then press Check."
        elif self._attempts[statement_id].record(role, is_right_role(self.statements[statement_id], role)):
            self._save()
        if role:
            self._live.send(statement_id, role)  # course.live: only while a live session is open
        self._explain(statement_id)

    def _on_reveal(self, statement_id: str) -> None:
        self._attempts[statement_id].reveal()
        self._save()
        self._explain(statement_id)

    def _save(self) -> None:
        self._keeper.save(self._answers, self._attempts)

    def _explain(self, statement_id: str) -> None:
        role = self._answers.get(statement_id)
        statement = self.statements[statement_id]
        attempts = self._attempts[statement_id]
        note = self._notes.get(statement_id)
        if note:
            self._rows.feedback[statement_id].value = f"<i>{note}</i>"
        else:
            pending = PENDING if role and statement.role is None else ""
            self._rows.explain(statement_id, self._judged(statement_id), pending)
        self._rows.offer_answer(statement_id, statement.role is not None and attempts.misses >= 1
                                and not attempts.answer_shown)


def statements_without_key(texts: dict[str, str]) -> list[Statement]:
    """Statements for a graded assignment: text only, the key kept in the instructor's hidden tests."""
    return [Statement(statement_id, text) for statement_id, text in texts.items()]
