"""What every answering widget shares: restoring and saving its answers and attempts, and saying when it cannot.

Besides the answers themselves a widget keeps, in the answer file, the attempts of every item (for
most widgets :class:`course.exercises.feedback.Attempts` per item: the first answer checked, how many were checked
and missed, whether the answer was shown) and what it showed (``shown``: item ids and option orders, which
graded variants rely on). A damaged answer file is never overwritten before the learner answers
again: until then the widget shows options in an order drawn from a seed of its own, which the answer that
replaces the file keeps (so the order the learner saw stays).
"""
from __future__ import annotations

import secrets
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from course.learner.answers import AnswerFileError, AnswerStore

PENDING = "<i>Saved. This one is marked when your instructor grades the assignment.</i>"


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
            self.warn(str(error))
            return {}

    def section(self, name: str) -> dict[str, Any]:
        """The widget's part of a section (``attempts``, ``shown``); empty when nothing (or nothing readable) was
        saved."""
        if self._damaged:
            return {}
        try:
            return self.store.section_for(name, self.widget_id)
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

    def save(self, answers: dict[str, Any], attempts: dict[str, Any] | None = None) -> None:
        """Save the answers and, when given, the ``attempts`` section; a failure becomes the message."""
        sections: dict[str, dict[str, Any]] = {}
        if attempts is not None:
            sections["attempts"] = attempts
        if self._shown is not None and not self._shown_saved:
            sections["shown"] = self._shown
        try:
            self.store.save(self.widget_id, answers, **sections)
        except OSError as error:
            self.warn(f"Your answer could not be saved ({error}); it is still shown here, but will be lost "
                       "when the notebook closes. Check that the folder is writable.")
        else:
            self.message.value = ""
            self._shown_saved = self._shown_saved or "shown" in sections
            if self._damaged and self._seed is not None:
                self._adopt_seed()
            self._damaged = False

    def _adopt_seed(self) -> None:
        """Keep, after the answer that replaced a damaged file, the seed the options were shown in."""
        try:
            self.store.adopt_seed(self._seed)
        except (AnswerFileError, OSError):
            pass

    def warn(self, text: str) -> None:
        """Show a one-line warning in the message area."""
        self.message.value = f'<div style="color:#b00020">⚠ {escape(text)}</div>'
