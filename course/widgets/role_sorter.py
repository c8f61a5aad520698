"""The role sorter view: assign each statement of work to a role; each choice judged on its row's Check.

What a row says comes from :func:`course.exercises.role_sorter.check_role` and the row's attempts: a first miss
explains what the chosen role does and where to review, the right role only after a second miss or on
"Show answer". Statements without a key (graded work) are saved and marked later.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import ipywidgets as widgets

from course.content.roles import SORTABLE_ROLES, role_name
from course.exercises.feedback import Feedback
from course.exercises.role_sorter import Statement, answer_only, check_role, is_right_role, load_statements
from course.widgets.base import ChoiceRowsWidget, known_beliefs


class RoleSorterWidget(ChoiceRowsWidget):
    """Statements of work with a role to choose for each; answers saved as given, judged on Check when keyed."""

    def __init__(self, widget_id: str = "role-sorter", statements: Sequence[Statement] | None = None,
                 answers_in_code: Callable[[], dict] | None = None, folder: str | Path | None = None, **kwargs):
        self.statements = {s.id: s for s in (statements if statements is not None else load_statements())}
        super().__init__(widget_id, self.statements, folder, **kwargs)
        keyed = any(s.role for s in self.statements.values())
        rows = self._choice_rows([(s.id, s.text) for s in self.statements.values()],
                                 [(role_name(role), role) for role in SORTABLE_ROLES], checks=keyed, reveals=keyed)
        how = "Choose a role for a statement, then press its Check." if keyed else "Choose a role for each statement."
        heading = widgets.HTML(f"<b>Who is accountable for each piece of work?</b> <i>{how}</i>")
        self.children = [heading, self.message, rows]
        self._record_shown({"statements": list(self.statements)})
        self._show_saved(answers_in_code, live=True)

    def _has_key(self, statement_id: str) -> bool:
        return self.statements[statement_id].role is not None

    def _has_check(self, statement_id: str) -> bool:
        return statement_id in self._rows.checks

    def _incomplete_note(self, statement_id: str) -> str:
        return "Choose a role, then press Check."

    def _judge(self, statement_id: str, role: str) -> bool | None:
        return is_right_role(self.statements[statement_id], role)

    def _verdict(self, statement_id: str, role: str, reveal: bool) -> Feedback | None:
        return check_role(self.statements[statement_id], role, reveal=reveal, beliefs=known_beliefs())

    def _answer_only(self, statement_id: str) -> Feedback | None:
        return answer_only(self.statements[statement_id])
