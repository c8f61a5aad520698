"""The RACI builder view: a grid of activities by roles, one letter per cell, each row judged on Check.

Given letters are filled and locked; a fully given row is a worked example, shown with its reason.
What a row's feedback says comes from :mod:`course.exercises.raci` and the row's attempts.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from course.content.roles import role_name
from course.exercises.feedback import Feedback
from course.exercises.raci import (
    LETTERS,
    Activity,
    RaciExercise,
    answer_only,
    check_activity,
    is_row_right,
    load_raci,
    missing_letters,
    row_letters,
)
from course.widgets.aria import GROUP, GROUP_LABEL, LABELLED_GROUP, NAME_THE_GROUPS, NAMED_GROUPS
from course.widgets.base import CheckedItemsWidget
from course.widgets.controls import check_button, show_answer_button

CELL_WIDTH = "130px"
TEXT_WIDTH = "300px"


class RaciBuilder(CheckedItemsWidget):
    """Fill in R, A, C or I per activity and role; press a row's Check to have it judged.

    ``answers`` holds each row's letters (given ones included); a row is judged, and its attempts kept, as a whole.
    """

    def __init__(self, exercise: RaciExercise | str = "sales-promise", widget_id: str | None = None,
                 folder: str | Path | None = None, answers_in_code=None, **kwargs):
        self.exercise = load_raci(exercise) if isinstance(exercise, str) else exercise
        super().__init__(widget_id or f"raci-{self.exercise.id}", [a.id for a in self.exercise.activities], folder,
                         checked_items=[a.id for a in self.exercise.asked], **kwargs)
        self.cells: dict[tuple[str, str], widgets.Dropdown] = {}
        self.checks: dict[str, widgets.Button] = {}
        self.reveals: dict[str, widgets.Button] = {}
        self._feedback = {a.id: widgets.HTML() for a in self.exercise.activities}
        self._updating = False
        header = widgets.HBox([widgets.HTML("", layout=widgets.Layout(width=TEXT_WIDTH))] +
                              [widgets.HTML(f"<b>{escape(role_name(r))}</b>", layout=widgets.Layout(width=CELL_WIDTH))
                               for r in self.exercise.roles])
        rows = [header]
        for activity in self.exercise.activities:
            rows += self._row(activity)
        legend = ", ".join(f"{k} = {v}" for k, v in LETTERS.items())
        self.children = [widgets.HTML(f"<b>{escape(self.exercise.title)}</b><br>{escape(self.exercise.situation)}"
                                      f"<br><i>{legend}. Press Check on a row when every role has a letter.</i>"
                                      + NAME_THE_GROUPS), self.message, *rows]
        self.add_class(NAMED_GROUPS)  # each row's letters are a group named by its activity (course.widgets.aria)
        self._record_shown({"activities": [a.id for a in self.exercise.activities]})
        self._show_saved(answers_in_code)

    def _row(self, activity: Activity) -> list[widgets.Widget]:
        worked = self.exercise.is_worked_example(activity)
        cells = []
        for role in self.exercise.roles:
            locked = role in activity.given
            cell = widgets.Dropdown(options=[("", None)] + [(k, k) for k in LETTERS], value=activity.given.get(role),
                                    disabled=locked, description=f"{role_name(role)} for “{activity.text}”"
                                                                 + (" (given)" if locked else ""),
                                    style={"description_width": "0px"}, layout=widgets.Layout(width=CELL_WIDTH))
            cell.observe(self._changed(activity.id), names="value")
            self.cells[(activity.id, role)] = cell
            cells.append(cell)
        label = f"<i>Worked example:</i> {escape(activity.text)}" if worked else escape(activity.text)
        letters = widgets.HBox(cells)
        letters.add_class(GROUP)
        row = [widgets.HBox([widgets.HTML(f'<span class="{GROUP_LABEL}">{label}</span>',
                                          layout=widgets.Layout(width=TEXT_WIDTH)), letters])]
        row[0].add_class(LABELLED_GROUP)
        if not worked:
            check = check_button(f"the row “{activity.text}”")
            check.on_click(lambda _button, activity_id=activity.id: self.check(activity_id))
            reveal = show_answer_button(f"the row “{activity.text}”")
            reveal.on_click(lambda _button, activity_id=activity.id: self.show_answer(activity_id))
            self.checks[activity.id], self.reveals[activity.id] = check, reveal
            row.append(widgets.HBox([check, reveal]))
        row.append(self._feedback[activity.id])
        return row

    @property
    def grid(self) -> dict[str, dict[str, str | None]]:
        """Every row's letters by role (None where none is chosen), given letters included."""
        return {a.id: row_letters(self.exercise, a, self.answers.get(a.id)) for a in self.exercise.activities}

    def set(self, activity_id: str, role: str, letter: str | None) -> None:
        """Choose a letter in one cell, as a learner does (a given cell cannot change)."""
        self.cells[(activity_id, role)].value = letter

    def fill(self, activity_id: str, letters: dict[str, str]) -> None:
        for role, letter in letters.items():
            if role not in self.exercise.activity(activity_id).given:
                self.set(activity_id, role, letter)

    def controls(self, activity_id: str) -> dict[str, widgets.DOMWidget]:
        """One dropdown per role (by role), then ``check`` and ``show_answer`` on a row that is asked."""
        cells = {role: self.cells[(activity_id, role)] for role in self.exercise.roles}
        buttons = {"check": self.checks.get(activity_id), "show_answer": self.reveals.get(activity_id)}
        return {**cells, **{name: button for name, button in buttons.items() if button}}

    def _changed(self, activity_id: str):
        def handler(_change) -> None:
            if not self._updating:
                letters = {role: self.cells[(activity_id, role)].value for role in self.exercise.roles}
                self._chosen(activity_id, {role: letter for role, letter in letters.items() if letter})
        return handler

    def _has_key(self, activity_id: str) -> bool:
        return bool(self.exercise.activity(activity_id).key)

    def _has_check(self, activity_id: str) -> bool:
        return activity_id in self.checks

    def _is_complete(self, activity_id: str, answer: Any) -> bool:
        return not missing_letters(self.exercise, self._attempted(activity_id))

    def _incomplete_note(self, activity_id: str) -> str:
        blank = missing_letters(self.exercise, self._attempted(activity_id))
        return f"Give every role a letter before checking; still blank: {', '.join(map(role_name, blank))}."

    def _attempted(self, activity_id: str) -> dict[str, str | None]:
        return row_letters(self.exercise, self.exercise.activity(activity_id), self.answers.get(activity_id))

    def _judge(self, activity_id: str, answer: Any) -> bool | None:
        return is_row_right(self.exercise, self.exercise.activity(activity_id), self._attempted(activity_id))

    def _verdict(self, activity_id: str, letters: Any, reveal: bool) -> Feedback | None:
        return check_activity(self.exercise, self.exercise.activity(activity_id), letters, reveal=reveal)

    def _answer_only(self, activity_id: str) -> Feedback | None:
        return answer_only(self.exercise, self.exercise.activity(activity_id))

    def _show(self, activity_id: str, answer: Any) -> None:
        letters = row_letters(self.exercise, self.exercise.activity(activity_id), answer)
        self._updating = True
        try:
            for role, letter in letters.items():
                self.cells[(activity_id, role)].value = letter
        finally:
            self._updating = False

    def _feedback_widget(self, activity_id: str) -> widgets.HTML:
        return self._feedback[activity_id]

    def _answers_to_keep(self) -> dict[str, Any]:
        return {activity_id: {role: letter for role, letter in row.items() if letter}
                for activity_id, row in self.grid.items()}

    def _refresh(self, activity_id: str) -> None:
        activity = self.exercise.activity(activity_id)
        if self.exercise.is_worked_example(activity):
            self._feedback[activity_id].value = f"<div><i>Why:</i> {escape(activity.why)}</div>"
        else:
            super()._refresh(activity_id)
