"""The RACI builder view: a grid of activities by roles, one letter per cell, each row judged on Check.

Given letters are filled and locked; a fully given row is a worked example, shown with its reason.
What a row's feedback says comes from :mod:`course.exercises.raci` and the row's attempts.
"""
from __future__ import annotations

from html import escape
from pathlib import Path

import ipywidgets as widgets

from course.content.roles import role_name
from course.exercises.feedback import Attempts
from course.exercises.raci import (
    LETTERS,
    RaciExercise,
    answer_only,
    check_activity,
    is_row_right,
    load_raci,
    missing_letters,
    row_letters,
)
from course.widgets.saving import (
    PENDING,
    AnswerKeeper,
    answers_from_code,
    check_button,
    set_visible,
    show_answer_button,
)

CELL_WIDTH = "130px"
TEXT_WIDTH = "300px"


class RaciBuilder(widgets.VBox):
    """Fill in R, A, C or I per activity and role; press a row's Check to have it judged."""

    def __init__(self, exercise: RaciExercise | str = "sales-promise", widget_id: str | None = None,
                 folder: str | Path | None = None, answers_in_code=None, **kwargs):
        super().__init__(**kwargs)
        self.exercise = load_raci(exercise) if isinstance(exercise, str) else exercise
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id or f"raci-{self.exercise.id}", self._folder)
        saved = self._keeper.restore()
        typed = answers_from_code(answers_in_code, self._keeper)
        saved = {**saved, **typed}
        self._grid = {a.id: row_letters(self.exercise, a, saved.get(a.id)) for a in self.exercise.activities}
        asked = {a.id for a in self.exercise.asked}
        self._attempts = {a: Attempts() for a in asked}
        self._attempts.update({k: v for k, v in self._keeper.attempts().items() if k in asked})
        self._notes: dict[str, str] = {}
        self.cells: dict[tuple[str, str], widgets.Dropdown] = {}
        self.checks: dict[str, widgets.Button] = {}
        self.reveals: dict[str, widgets.Button] = {}
        self._feedback = {a.id: widgets.HTML() for a in self.exercise.activities}
        header = widgets.HBox([widgets.HTML("", layout=widgets.Layout(width=TEXT_WIDTH))] +
                              [widgets.HTML(f"<b>{escape(role_name(r))}</b>", layout=widgets.Layout(width=CELL_WIDTH))
                               for r in self.exercise.roles])
        rows = [header]
        for activity in self.exercise.activities:
            rows += self._row(activity)
        legend = ", ".join(f"{k} = {v}" for k, v in LETTERS.items())
        self.children = [widgets.HTML(f"<b>{escape(self.exercise.title)}</b><br>{escape(self.exercise.situation)}"
                                      f"<br><i>{legend}. Press Check on a row when every role has a letter.</i>"),
                         self._keeper.message, *rows]
        self._keeper.shown({"activities": [a.id for a in self.exercise.activities]})
        if typed:
            for activity_id in asked:
                if not self._has_key(activity_id) and not missing_letters(self.exercise, self._grid[activity_id]):
                    self._attempts[activity_id].record(self._grid[activity_id], None)
            self._save()
        for activity in self.exercise.activities:
            self._refresh(activity.id)

    def _row(self, activity) -> list[widgets.Widget]:
        worked = self.exercise.is_worked_example(activity)
        cells = []
        for role in self.exercise.roles:
            locked = role in activity.given
            cell = widgets.Dropdown(options=[("", None)] + [(k, k) for k in LETTERS],
                                    value=self._grid[activity.id][role], disabled=locked,
                                    description=f"{role_name(role)} for “{activity.text}”"
                                                + (" (given)" if locked else ""),
                                    style={"description_width": "0px"}, layout=widgets.Layout(width=CELL_WIDTH))
            cell.observe(self._changed(activity.id, role), names="value")
            self.cells[(activity.id, role)] = cell
            cells.append(cell)
        label = f"<i>Worked example:</i> {escape(activity.text)}" if worked else escape(activity.text)
        row = [widgets.HBox([widgets.HTML(label, layout=widgets.Layout(width=TEXT_WIDTH)), *cells])]
        if not worked:
            check = check_button(f"the row “{activity.text}”")
            check.on_click(lambda _button, activity_id=activity.id: self._on_check(activity_id))
            reveal = show_answer_button(f"the row “{activity.text}”")
            reveal.on_click(lambda _button, activity_id=activity.id: self._on_reveal(activity_id))
            self.checks[activity.id], self.reveals[activity.id] = check, reveal
            row.append(widgets.HBox([check, reveal]))
        row.append(self._feedback[activity.id])
        return row

    @property
    def grid(self) -> dict[str, dict[str, str | None]]:
        return {a: dict(row) for a, row in self._grid.items()}

    @property
    def attempts(self) -> dict[str, Attempts]:
        return {key: value for key, value in self._attempts.items() if value.count or value.revealed}

    def set(self, activity_id: str, role: str, letter: str | None) -> None:
        """Choose a letter in one cell, as a learner does (a given cell cannot change)."""
        self.cells[(activity_id, role)].value = letter

    def fill(self, activity_id: str, letters: dict[str, str]) -> None:
        for role, letter in letters.items():
            if role not in self.exercise.activity(activity_id).given:
                self.set(activity_id, role, letter)

    def check(self, activity_id: str) -> None:
        """Press a row's Check button."""
        self.checks[activity_id].click()

    def show_answer(self, activity_id: str) -> None:
        self.reveals[activity_id].click()

    def feedback_html(self, activity_id: str) -> str:
        return self._feedback[activity_id].value

    def feedback_text(self, activity_id: str) -> str:
        feedback = self._judged(activity_id)
        return feedback.as_text() if feedback else ""

    def _has_key(self, activity_id: str) -> bool:
        return bool(self.exercise.activity(activity_id).key)

    def _judged(self, activity_id: str):
        activity = self.exercise.activity(activity_id)
        attempts = self._attempts.get(activity_id, Attempts())
        letters = self._grid[activity_id]
        if attempts.checked(letters):
            return check_activity(self.exercise, activity, letters, reveal=attempts.answer_shown)
        return answer_only(self.exercise, activity) if attempts.answer_shown else None

    def _changed(self, activity_id: str, role: str):
        def handler(change) -> None:
            self._grid[activity_id][role] = change["new"]
            self._notes.pop(activity_id, None)
            self._save()
            self._refresh(activity_id)
        return handler

    def _on_check(self, activity_id: str) -> None:
        activity = self.exercise.activity(activity_id)
        letters = dict(self._grid[activity_id])
        blank = missing_letters(self.exercise, letters)
        if blank:
            self._notes[activity_id] = (f"Give every role a letter before checking; still blank: "
                                        f"{', '.join(role_name(role) for role in blank)}.")
        elif self._attempts[activity_id].record(letters, is_row_right(self.exercise, activity, letters)):
            self._save()
        self._refresh(activity_id)

    def _on_reveal(self, activity_id: str) -> None:
        self._attempts[activity_id].reveal()
        self._save()
        self._refresh(activity_id)

    def _save(self) -> None:
        self._keeper.save({a: {r: v for r, v in row.items() if v} for a, row in self._grid.items()}, self._attempts)

    def _refresh(self, activity_id: str) -> None:
        activity = self.exercise.activity(activity_id)
        if self.exercise.is_worked_example(activity):
            self._feedback[activity_id].value = f"<div><i>Why:</i> {escape(activity.why)}</div>"
            return
        attempts = self._attempts[activity_id]
        note = self._notes.get(activity_id)
        feedback = self._judged(activity_id)
        if note:
            html = f"<i>{escape(note)}</i>"
        elif feedback:
            html = feedback.as_html(self._folder)
        elif not activity.key and attempts.checked(self._grid[activity_id]):
            html = PENDING
        else:
            html = ""
        self._feedback[activity_id].value = html
        set_visible(self.reveals[activity_id], bool(activity.key) and attempts.misses >= 1
                    and not attempts.answer_shown)
