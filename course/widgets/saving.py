"""What every answering widget shares: restoring and saving its answers, and saying when it cannot."""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from ..answers import AnswerFileError, AnswerStore

PENDING = "<i>Saved. This one is marked when your instructor grades the assignment.</i>"


class AnswerKeeper:
    """Loads and saves one widget's answers; problems become a message, never an exception."""

    def __init__(self, widget_id: str, folder: str | Path | None = None):
        self.widget_id = widget_id
        self.store = AnswerStore(folder)
        self.message = widgets.HTML()

    def restore(self) -> dict[str, Any]:
        try:
            return self.store.answers_for(self.widget_id)
        except AnswerFileError as error:
            self._warn(str(error))
            return {}

    def save(self, answers: dict[str, Any]) -> None:
        try:
            self.store.save(self.widget_id, answers)
        except OSError as error:
            self._warn(f"Your answer could not be saved ({error}); it is still shown here, but will be lost "
                       "when the notebook closes. Check that the folder is writable.")
        else:
            self.message.value = ""

    def record(self, answers: dict[str, Any], key: str, value: Any) -> None:
        """Set (or, for an empty choice, remove) one answer in ``answers`` and save them all."""
        if value:
            answers[key] = value
        else:
            answers.pop(key, None)
        self.save(answers)

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
