"""The company-size explorer view: predict how the roles are held at each size, then see who holds them."""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as widgets

from course.content.roles import role_name
from course.exercises.company_size import PATTERNS, check_pattern, load_stages
from course.widgets.choice_rows import ChoiceRows
from course.widgets.saving import AnswerKeeper


class CompanySizeExplorer(widgets.VBox):
    """One prediction per company size; each answer reveals who holds which role at that size."""

    def __init__(self, widget_id: str = "company-size", folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.stages = {str(stage.size): stage for stage in load_stages()}
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id, self._folder)
        self._rows = ChoiceRows([(key, f"A company of {stage.size:,} people") for key, stage in self.stages.items()],
                                [(text, key) for key, text in PATTERNS.items()], self._on_choice, self._folder,
                                label_width="30%", choice_width="300px")
        self.children = [widgets.HTML("<b>As the company grows, how are the four roles held?</b>"),
                         self._keeper.message, self._rows]
        self._answers = {k: v for k, v in self._keeper.restore().items() if k in self.stages}
        for key, value in self._answers.items():
            self._rows.show(key, value)
            self._explain(key)

    @property
    def answers(self) -> dict[str, str]:
        return dict(self._answers)

    def predict(self, size: int, pattern: str | None) -> None:
        self._rows.show(str(size), pattern)
        self._on_choice(str(size), pattern)

    def feedback_text(self, size: int) -> str:
        feedback = check_pattern(self.stages[str(size)], self._answers.get(str(size)))
        return feedback.as_text() if feedback else ""

    def _on_choice(self, key: str, pattern: str | None) -> None:
        self._keeper.record(self._answers, key, pattern)
        self._explain(key)

    def _explain(self, key: str) -> None:
        stage = self.stages[key]
        feedback = check_pattern(stage, self._answers.get(key))
        self._rows.explain(key, feedback)
        if feedback:
            holders = "".join(f"<li>{escape(role_name(role))}: {escape(holder or 'nobody yet')}</li>"
                              for role, holder in stage.holders.items())
            self._rows.feedback[key].value += f"<ul>{holders}</ul>"
