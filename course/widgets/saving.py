"""What every answering widget shares: restoring and saving its answers and attempts, and saying when it cannot.

Besides the answers themselves a widget keeps, in the answer file, the attempts of every item (the
first answer checked, how many were checked and missed, whether the answer was shown: see
:class:`course.exercises.feedback.Attempts`) and what it showed (``shown``: item ids and option orders, which
graded variants rely on). A damaged answer file is never overwritten before the learner answers
again: until then the widget shows options in an order drawn from a seed of its own, which the answer that
replaces the file keeps (so the order the learner saw stays).
"""
from __future__ import annotations

import secrets
from html import escape
from pathlib import Path
from typing import Any, Callable, Mapping

import ipywidgets as widgets

from course.exercises.feedback import Attempts, attempts_by_item
from course.learner.answers import AnswerFileError, AnswerStore

PENDING = "<i>Saved. This one is marked when your instructor grades the assignment.</i>"
BUTTON_WIDTH = "auto"


class AnswerKeeper:
    """Loads and saves one widget's answers and sections; problems become a message, never an exception."""

    def __init__(self, widget_id: str, folder: str | Path | None = None):
        self.widget_id = widget_id
        self.store = AnswerStore(folder)
        self.message = widgets.HTML()
        self._damaged = False
        self._seed: str | None = None
        self._shown: dict[str, Any] | None = None
        self._shown_saved = False

    def restore(self) -> dict[str, Any]:
        try:
            return self.store.answers_for(self.widget_id)
        except AnswerFileError as error:
            self._damaged = True
            self._warn(str(error))
            return {}

    def attempts(self) -> dict[str, Attempts]:
        """The attempts saved for each item of this widget; none when nothing (or nothing readable) was saved."""
        if self._damaged:
            return {}
        try:
            return attempts_by_item(self.store.section_for("attempts", self.widget_id))
        except AnswerFileError:
            return {}

    def seed(self) -> str:
        """The learner's seed (hub user name or the one kept in the file); a session's own while the file is damaged."""
        if self._seed is None:
            if self._damaged:
                self._seed = self.store.known_seed() or f"random:{secrets.token_hex(8)}"
            else:
                self._seed = self.store.seed()
        return self._seed

    def shown(self, record: dict[str, Any]) -> None:
        """Keep what the widget displays (item ids, option orders) in the ``shown`` section, when it changed."""
        self._shown = record
        if self._damaged:
            return  # kept with the learner's next answer, which replaces the damaged file
        try:
            if self.store.section_for("shown", self.widget_id) == record:
                self._shown_saved = True
                return
            self.store.keep("shown", self.widget_id, record)
            self._shown_saved = True
        except (AnswerFileError, OSError):
            pass  # a read-only or damaged folder: answering says so

    def save(self, answers: dict[str, Any], attempts: Mapping[str, Attempts] | None = None) -> None:
        sections: dict[str, dict[str, Any]] = {}
        if attempts is not None:
            sections["attempts"] = {item: record.as_record() for item, record in attempts.items() if record.count
                                    or record.revealed}
        if self._shown is not None and not self._shown_saved:
            sections["shown"] = self._shown
        try:
            self.store.save(self.widget_id, answers, **sections)
        except OSError as error:
            self._warn(f"Your answer could not be saved ({error}); it is still shown here, but will be lost "
                       "when the notebook closes. Check that the folder is writable.")
        else:
            self.message.value = ""
            self._shown_saved = self._shown_saved or "shown" in sections
            if self._damaged and self._seed is not None:
                self._adopt_seed()
            self._damaged = False

    def record(self, answers: dict[str, Any], key: str, value: Any,
               attempts: Mapping[str, Attempts] | None = None) -> None:
        """Set (or, for an empty choice, remove) one answer in ``answers`` and save them all."""
        if value:
            answers[key] = value
        else:
            answers.pop(key, None)
        self.save(answers, attempts)

    def _adopt_seed(self) -> None:
        """Keep, after the answer that replaced a damaged file, the seed the options were shown in."""
        try:
            self.store.adopt_seed(self._seed)
        except (AnswerFileError, OSError):
            pass

    def _warn(self, text: str) -> None:
        self.message.value = f'<div style="color:#b00020">⚠ {escape(text)}</div>'


def answers_from_code(answers_in_code: Callable[[], dict] | None, keeper: AnswerKeeper) -> dict[str, Any]:
    """Answers a learner typed into an optional function instead of clicking (an accessible alternative).

    A function left as the assignment gives it (raising NotImplementedError) means "I answer with the widget".
    """
    if answers_in_code is None:
        return {}
    try:
        typed = answers_in_code()
    except NotImplementedError:
        return {}
    except Exception as error:  # the learner's own code: report it, keep the widget usable
        keeper.message.value = (f'<div style="color:#b00020">⚠ Your answer function raised '
                                f'{escape(type(error).__name__)}: {escape(str(error))}. The widget shows your '
                                "saved answers instead.</div>")
        return {}
    if not isinstance(typed, dict):
        keeper.message.value = ('<div style="color:#b00020">⚠ Your answer function must return a dict such as '
                                '{"s01": "product_manager"}; the widget shows your saved answers instead.</div>')
        return {}
    return {str(key): value for key, value in typed.items()}


def check_button(what: str) -> widgets.Button:
    """A Check button: a real <button>, reachable with Tab and pressed with Enter or Space."""
    return widgets.Button(description="Check", tooltip=f"Check {what}", button_style="primary",
                          layout=widgets.Layout(width=BUTTON_WIDTH))


def show_answer_button(what: str) -> widgets.Button:
    """A Show answer button, offered once a first attempt has missed."""
    return widgets.Button(description="Show answer", tooltip=f"Show the answer to {what}",
                          layout=widgets.Layout(width=BUTTON_WIDTH, display="none"))


def set_visible(widget: widgets.DOMWidget, visible: bool) -> None:
    widget.layout.display = None if visible else "none"
