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
from course.exercises.feedback import Feedback
from course.exercises.program_mapper import (
    SEE,
    STAND_ALONE,
    MapperProject,
    check_grouping,
    programs,
    projects_from_portfolio,
)
from course.plots import program_map
from course.widgets.base import ChoiceRowsWidget
from course.widgets.controls import check_button
from course.widgets.output import replace_output

DEFAULT_PROJECTS = ("P05", "P06", "P07", "P10", "P11", "P17", "P18", "P19", "P20", "P22", "P25", "P27")
PROGRAMS = ("Program A", "Program B", "Program C", "Program D")
HINT = ("Look for projects that need each other while both are under way; a project that only takes over "
        "another's result after it has finished is a hand-off, not a reason for a program.")


def portfolio_projects(project_ids=DEFAULT_PROJECTS) -> dict[str, MapperProject]:
    """Projects from the portfolio with their dates, keeping only dependencies among the chosen ones."""
    return projects_from_portfolio(load_portfolio(), project_ids)


class ProgramMapper(ChoiceRowsWidget):
    """Group projects into programs; the network is redrawn as you go, the grouping judged on Check.

    ``answers`` maps each placed project to its program's label (or :data:`STAND_ALONE`); its attempts record the
    projects it shares a program with.
    """

    def __init__(self, widget_id: str = "program-mapper", projects: Mapping[str, MapperProject] | None = None,
                 folder: str | Path | None = None, **kwargs):
        self.projects = dict(projects) if projects is not None else portfolio_projects()
        super().__init__(widget_id, self.projects, folder, **kwargs)
        items = [(p.id, f"{p.id} {p.name}" + (f" (needs {', '.join(p.depends_on)})" if p.depends_on else "")
                  + (f", {p.start:%b %Y} to {p.end:%b %Y}" if p.start and p.end else ""))
                 for p in self.projects.values()]
        options = [(label, label) for label in PROGRAMS] + [("stand-alone (no program)", STAND_ALONE)]
        rows = self._choice_rows(items, options, checks=False)  # one Check for the whole grouping
        self.check_button = check_button("your grouping")
        self.check_button.description = "Check grouping"
        self.check_button.on_click(lambda _button: self.check())
        self._summary = widgets.HTML()
        self._plot = widgets.Output()
        self.children = [widgets.HTML("<b>Which projects belong in the same program?</b> <i>Choose a program for "
                                      "each project (or leave it stand-alone), then press Check grouping.</i>"),
                         self.message, rows, widgets.HBox([self.check_button]), self._summary, self._plot]
        self._record_shown({"projects": list(self.projects)})
        self._show_saved()
        self._draw()

    @property
    def grouping(self) -> dict[str, str]:
        return dict(self.answers)

    @property
    def network(self) -> widgets.Output:
        """The drawing of the projects, their dependencies and the programs chosen so far."""
        return self._plot

    def assign(self, project_id: str, label: str | None) -> None:
        """Choose a program for a project, as a learner does (not yet checked)."""
        self.choose(project_id, label)

    def check(self, project_id: str | None = None) -> None:
        """Press Check grouping: every placed project is judged (the grouping is one answer)."""
        verdicts = check_grouping(self.projects, self.answers)
        for placed, verdict in verdicts.items():
            self._record(placed, verdict.correct)
        unplaced = [p for p in self.projects if p not in self.answers]
        right = sum(verdict.correct for verdict in verdicts.values())
        self._summary.value = (f"<i>{right} of the {len(verdicts)} projects you placed are placed right"
                               + (f"; not placed yet: {escape(', '.join(unplaced))}" if unplaced else "") + ".</i>")
        self._refresh_all()

    def _has_key(self, project_id: str) -> bool:
        return True

    def _has_check(self, project_id: str) -> bool:
        return True

    def _attempted(self, project_id: str) -> dict[str, Any] | None:
        """A project's answer: stand-alone, or the projects it shares its program with (None when not placed)."""
        label = self.answers.get(project_id)
        if label is None:
            return None
        if label == STAND_ALONE:
            return {"stand_alone": True}
        return {"with": sorted(p for p, other in self.answers.items() if other == label and p != project_id)}

    def _judge(self, project_id: str, label: str) -> bool | None:
        return check_grouping(self.projects, self.answers)[project_id].correct

    def _right_place(self, project_id: str) -> str:
        name = self.projects[project_id].name
        group = next((group for group in programs(self.projects) if project_id in group), None)
        if group is None:
            return f"{name} stands alone: it needs no program."
        others = ", ".join(f"{p} {self.projects[p].name}" for p in sorted(group - {project_id}))
        return f"{name} belongs in one program with {others}."

    def _verdict(self, project_id: str, placed: Any, reveal: bool) -> Feedback | None:
        verdict = check_grouping(self.projects, self.answers).get(project_id)
        if verdict is None or verdict.correct:
            return verdict
        if reveal:
            return Feedback(False, verdict.explanations, verdict.see, answer=(self._right_place(project_id),))
        return Feedback(False, verdict.explanations, verdict.see, hint=HINT)

    def _answer_only(self, project_id: str) -> Feedback:
        return Feedback(None, (), SEE, answer=(self._right_place(project_id),))

    def _after_change(self, project_id: str) -> None:
        self._summary.value = ""
        self._refresh_all()

    def _refresh_all(self) -> None:
        """A project's place changes what its program's other projects share, so every row is redrawn, and the map."""
        for project_id in self.projects:
            self._refresh(project_id)
        self._draw()

    def _draw(self) -> None:
        replace_output(self._plot, program_map(self.projects, self.answers))
