"""The program mapper view: put each project in a program (or leave it stand-alone), see the network, press Check.

The judging is :func:`course.exercises.program_mapper.check_grouping`'s. The view decides only how much of it a
learner sees: a first miss on a project says why its grouping is wrong and where to review; which projects
it belongs with comes after a second miss on it or on "Show answer". A project's answer, for its attempts,
is the set of projects it shares a program with (the program's label is only a colour).
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Mapping

import ipywidgets as widgets

from course.content.portfolio import load_portfolio
from course.exercises.feedback import Attempts, Feedback
from course.exercises.program_mapper import (
    SEE,
    STAND_ALONE,
    MapperProject,
    check_grouping,
    programs,
    projects_from_portfolio,
)
from course.plots import program_map
from course.widgets.choice_rows import ChoiceRows
from course.widgets.output import replace_output
from course.widgets.saving import AnswerKeeper, check_button

DEFAULT_PROJECTS = ("P05", "P06", "P07", "P10", "P11", "P17", "P18", "P19", "P20", "P22", "P25", "P27")
PROGRAMS = ("Program A", "Program B", "Program C", "Program D")
HINT = ("Look for projects that need each other while both are under way; a project that only takes over "
        "another's result after it has finished is a hand-off, not a reason for a program.")


def portfolio_projects(project_ids=DEFAULT_PROJECTS) -> dict[str, MapperProject]:
    """Projects from the portfolio with their dates, keeping only dependencies among the chosen ones."""
    return projects_from_portfolio(load_portfolio(), project_ids)


class ProgramMapper(widgets.VBox):
    """Group projects into programs; the network is redrawn as you go, the grouping judged on Check."""

    def __init__(self, widget_id: str = "program-mapper", projects: Mapping[str, MapperProject] | None = None,
                 folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.projects = dict(projects) if projects is not None else portfolio_projects()
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id, self._folder)
        items = [(p.id, f"{p.id} {p.name}" + (f" (needs {', '.join(p.depends_on)})" if p.depends_on else "")
                  + (f", {p.start:%b %Y} to {p.end:%b %Y}" if p.start and p.end else ""))
                 for p in self.projects.values()]
        options = [(label, label) for label in PROGRAMS] + [("stand-alone (no program)", STAND_ALONE)]
        self._rows = ChoiceRows(items, options, self._on_choice, self._folder, on_reveal=self._on_reveal)
        self.check_button = check_button("your grouping")
        self.check_button.description = "Check grouping"
        self.check_button.on_click(lambda _button: self._on_check())
        self._summary = widgets.HTML()
        self._plot = widgets.Output()
        self.children = [widgets.HTML("<b>Which projects belong in the same program?</b> <i>Choose a program for "
                                      "each project (or leave it stand-alone), then press Check grouping.</i>"),
                         self._keeper.message, self._rows, widgets.HBox([self.check_button]), self._summary,
                         self._plot]
        self._grouping = {k: v for k, v in self._keeper.restore().items() if k in self.projects}
        self._attempts = {project_id: Attempts() for project_id in self.projects}
        self._attempts.update({k: v for k, v in self._keeper.attempts().items() if k in self.projects})
        self._keeper.shown({"projects": list(self.projects)})
        for project_id, label in self._grouping.items():
            self._rows.show(project_id, label)
        self._refresh()

    @property
    def grouping(self) -> dict[str, str]:
        return dict(self._grouping)

    @property
    def attempts(self) -> dict[str, Attempts]:
        return {key: value for key, value in self._attempts.items() if value.count or value.revealed}

    def assign(self, project_id: str, label: str | None) -> None:
        """Choose a program for a project, as a learner does (not yet checked)."""
        self._rows.show(project_id, label)
        self._on_choice(project_id, label)

    def check(self) -> None:
        """Press Check grouping."""
        self.check_button.click()

    def show_answer(self, project_id: str) -> None:
        self._rows.reveals[project_id].click()

    def feedback_html(self, project_id: str) -> str:
        return self._rows.feedback[project_id].value

    def feedback_text(self, project_id: str) -> str:
        feedback = self._judged(project_id)
        return feedback.as_text() if feedback else ""

    def _placed_with(self, project_id: str) -> dict[str, Any] | None:
        """A project's answer: stand-alone, or the projects it shares its program with (None when not placed)."""
        label = self._grouping.get(project_id)
        if label is None:
            return None
        if label == STAND_ALONE:
            return {"stand_alone": True}
        return {"with": sorted(p for p, other in self._grouping.items() if other == label and p != project_id)}

    def _right_place(self, project_id: str) -> str:
        name = self.projects[project_id].name
        group = next((group for group in programs(self.projects) if project_id in group), None)
        if group is None:
            return f"{name} stands alone: it needs no program."
        others = ", ".join(f"{p} {self.projects[p].name}" for p in sorted(group - {project_id}))
        return f"{name} belongs in one program with {others}."

    def _judged(self, project_id: str) -> Feedback | None:
        attempts = self._attempts[project_id]
        if attempts.checked(self._placed_with(project_id)):
            verdict = check_grouping(self.projects, self._grouping).get(project_id)
            if verdict is None or verdict.correct:
                return verdict
            if attempts.answer_shown:
                return Feedback(False, verdict.explanations, verdict.see, answer=(self._right_place(project_id),))
            return Feedback(False, verdict.explanations, verdict.see, hint=HINT)
        if attempts.answer_shown:
            return Feedback(None, (), SEE, answer=(self._right_place(project_id),))
        return None

    def _on_choice(self, project_id: str, label: str | None) -> None:
        self._keeper.record(self._grouping, project_id, label, self._attempts)
        self._summary.value = ""
        self._refresh()

    def _on_check(self) -> None:
        verdicts = check_grouping(self.projects, self._grouping)
        changed = False
        for project_id, verdict in verdicts.items():
            changed |= self._attempts[project_id].record(self._placed_with(project_id), verdict.correct)
        if changed:
            self._keeper.save(self._grouping, self._attempts)
        unplaced = [p for p in self.projects if p not in self._grouping]
        right = sum(verdict.correct for verdict in verdicts.values())
        self._summary.value = (f"<i>{right} of the {len(verdicts)} projects you placed are placed right"
                               + (f"; not placed yet: {escape(', '.join(unplaced))}" if unplaced else "") + ".</i>")
        self._refresh()

    def _on_reveal(self, project_id: str) -> None:
        self._attempts[project_id].reveal()
        self._keeper.save(self._grouping, self._attempts)
        self._refresh()

    def _refresh(self) -> None:
        for project_id in self.projects:
            self._rows.explain(project_id, self._judged(project_id))
            attempts = self._attempts[project_id]
            self._rows.offer_answer(project_id, attempts.misses >= 1 and not attempts.answer_shown)
        replace_output(self._plot, program_map(self.projects, self._grouping))
