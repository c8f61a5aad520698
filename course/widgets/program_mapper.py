"""The program mapper view: put each project in a program (or leave it stand-alone) and see the network."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import ipywidgets as widgets

from ..plots import program_map
from ..portfolio import load_portfolio
from ..program_mapper import STAND_ALONE, MapperProject, check_grouping, projects_from_portfolio
from .choice_rows import ChoiceRows
from .output import replace_output
from .saving import AnswerKeeper

DEFAULT_PROJECTS = ("P05", "P06", "P07", "P10", "P11", "P17", "P18", "P19", "P20", "P22", "P25", "P27")
PROGRAMS = ("Program A", "Program B", "Program C", "Program D")


def portfolio_projects(project_ids=DEFAULT_PROJECTS) -> dict[str, MapperProject]:
    """Projects from the portfolio with their dates, keeping only dependencies among the chosen ones."""
    return projects_from_portfolio(load_portfolio(), project_ids)


class ProgramMapper(widgets.VBox):
    """Group projects into programs; each choice is checked against the dependencies and drawn."""

    def __init__(self, widget_id: str = "program-mapper", projects: Mapping[str, MapperProject] | None = None,
                 folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.projects = dict(projects) if projects is not None else portfolio_projects()
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id, self._folder)
        items = [(p.id, f"{p.id} {p.name}" + (f" (needs {', '.join(p.depends_on)})" if p.depends_on else ""))
                 for p in self.projects.values()]
        options = [(label, label) for label in PROGRAMS] + [("stand-alone (no program)", STAND_ALONE)]
        self._rows = ChoiceRows(items, options, self._on_choice, self._folder)
        self._plot = widgets.Output()
        self.children = [widgets.HTML("<b>Which projects belong in the same program?</b>"), self._keeper.message,
                         self._rows, self._plot]
        self._grouping = {k: v for k, v in self._keeper.restore().items() if k in self.projects}
        for project_id, label in self._grouping.items():
            self._rows.show(project_id, label)
        self._refresh()

    @property
    def grouping(self) -> dict[str, str]:
        return dict(self._grouping)

    def assign(self, project_id: str, label: str | None) -> None:
        self._rows.show(project_id, label)
        self._on_choice(project_id, label)

    def feedback_text(self, project_id: str) -> str:
        feedback = check_grouping(self.projects, self._grouping).get(project_id)
        return feedback.as_text() if feedback else ""

    def _on_choice(self, project_id: str, label: str | None) -> None:
        self._keeper.record(self._grouping, project_id, label)
        self._refresh()

    def _refresh(self) -> None:
        feedback = check_grouping(self.projects, self._grouping)
        for project_id in self.projects:
            self._rows.explain(project_id, feedback.get(project_id))
        replace_output(self._plot, program_map(self.projects, self._grouping))
