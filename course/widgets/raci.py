"""The RACI builder view: a grid of activities by roles, one letter per cell, checked row by row."""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as widgets

from ..raci import LETTERS, RaciExercise, check_activity, load_raci
from ..roles import role_name
from .saving import AnswerKeeper, answers_from_code


class RaciBuilder(widgets.VBox):
    """Fill in R, A, C or I per activity and role; each row is checked as soon as it changes."""

    def __init__(self, exercise: RaciExercise | str = "sales-promise", widget_id: str | None = None,
                 folder: str | Path | None = None, answers_in_code=None, **kwargs):
        super().__init__(**kwargs)
        self.exercise = load_raci(exercise) if isinstance(exercise, str) else exercise
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id or f"raci-{self.exercise.id}", self._folder)
        typed = answers_from_code(answers_in_code, self._keeper)
        saved = {**self._keeper.restore(), **typed}
        self._grid = {a.id: {r: _valid(saved.get(a.id, {}), r) for r in self.exercise.roles}
                      for a in self.exercise.activities}
        self.cells: dict[tuple[str, str], widgets.Dropdown] = {}
        self._feedback = {a.id: widgets.HTML() for a in self.exercise.activities}
        header = widgets.HBox([widgets.HTML("", layout=widgets.Layout(width="300px"))] +
                              [widgets.HTML(f"<b>{escape(role_name(r))}</b>", layout=widgets.Layout(width="130px"))
                               for r in self.exercise.roles])
        rows = [header]
        for activity in self.exercise.activities:
            cells = []
            for role in self.exercise.roles:
                cell = widgets.Dropdown(options=[("", None)] + [(k, k) for k in LETTERS],
                                        value=self._grid[activity.id][role], layout=widgets.Layout(width="130px"))
                cell.observe(self._changed(activity.id, role), names="value")
                self.cells[(activity.id, role)] = cell
                cells.append(cell)
            rows.append(widgets.HBox([widgets.HTML(escape(activity.text), layout=widgets.Layout(width="300px")),
                                      *cells]))
            rows.append(self._feedback[activity.id])
        legend = ", ".join(f"{k} = {v}" for k, v in LETTERS.items())
        self.children = [widgets.HTML(f"<b>{escape(self.exercise.title)}</b><br>{escape(self.exercise.situation)}"
                                      f"<br><i>{legend}</i>"), self._keeper.message, *rows]
        for activity in self.exercise.activities:
            self._explain(activity.id)
        if typed:
            self._save()

    @property
    def grid(self) -> dict[str, dict[str, str | None]]:
        return {a: dict(row) for a, row in self._grid.items()}

    def set(self, activity_id: str, role: str, letter: str | None) -> None:
        self.cells[(activity_id, role)].value = letter

    def feedback_text(self, activity_id: str) -> str:
        activity = next(a for a in self.exercise.activities if a.id == activity_id)
        feedback = check_activity(self.exercise, activity, self._grid[activity_id])
        return feedback.as_text() if feedback else ""

    def _changed(self, activity_id: str, role: str):
        def handler(change) -> None:
            self._grid[activity_id][role] = change["new"]
            self._save()
            self._explain(activity_id)
        return handler

    def _save(self) -> None:
        self._keeper.save({a: {r: v for r, v in row.items() if v} for a, row in self._grid.items()})

    def _explain(self, activity_id: str) -> None:
        activity = next(a for a in self.exercise.activities if a.id == activity_id)
        feedback = check_activity(self.exercise, activity, self._grid[activity_id])
        self._feedback[activity_id].value = feedback.as_html(self._folder) if feedback else ""


def _valid(row, role: str) -> str | None:
    value = row.get(role) if isinstance(row, dict) else None
    return value if value in LETTERS else None
