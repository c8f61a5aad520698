"""The company-size explorer view: predict how the roles are held at each size, press Check, then see who holds them.

Judged on Check like every other widget (:mod:`course.exercises.company_size`): a first miss says why the
prediction is wrong without the right pattern; the pattern, and who holds each role at that size, come with a right
answer, after a second miss or on "Show answer".
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from course.content.roles import role_name
from course.exercises.company_size import PATTERNS, answer_only, check_pattern, is_right_pattern, load_stages
from course.exercises.feedback import Feedback
from course.widgets.base import ChoiceRowsWidget


class CompanySizeExplorer(ChoiceRowsWidget):
    """One prediction per company size, judged on Check; who holds which role is shown with the answer."""

    def __init__(self, widget_id: str = "company-size", folder: str | Path | None = None, **kwargs):
        self.stages = {str(stage.size): stage for stage in load_stages()}
        super().__init__(widget_id, self.stages, folder, **kwargs)
        rows = self._choice_rows([(key, f"A company of {stage.size:,} people") for key, stage in self.stages.items()],
                                 [(text, key) for key, text in PATTERNS.items()], label_width="30%",
                                 choice_width="300px")
        self.children = [widgets.HTML("<b>As the company grows, how are the four roles held?</b> <i>Choose a "
                                      "pattern for a size, then press its Check.</i>"), self.message, rows]
        self._show_saved()

    def predict(self, size: int, pattern: str | None) -> None:
        """Choose a pattern for a size, as a learner does (not yet checked)."""
        self.choose(size, pattern)

    def _item_id(self, size: Any) -> str:
        return str(size)

    def _has_key(self, key: str) -> bool:
        return True

    def _incomplete_note(self, key: str) -> str:
        return "Choose a pattern, then press Check."

    def _judge(self, key: str, pattern: str) -> bool:
        return is_right_pattern(self.stages[key], pattern)

    def _verdict(self, key: str, pattern: str, reveal: bool) -> Feedback | None:
        return check_pattern(self.stages[key], pattern, reveal=reveal)

    def _answer_only(self, key: str) -> Feedback:
        return answer_only(self.stages[key])

    def _feedback_as_html(self, key: str, feedback: Feedback) -> str:
        html = super()._feedback_as_html(key, feedback)
        if not (feedback.correct or feedback.answer):
            return html  # who holds the roles gives the pattern away
        holders = "".join(f"<li>{escape(role_name(role))}: {escape(holder or 'nobody yet')}</li>"
                          for role, holder in self.stages[key].holders.items())
        return f"{html}<div>Who holds the roles at {self.stages[key].size:,} people:</div><ul>{holders}</ul>"
