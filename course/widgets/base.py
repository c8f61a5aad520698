"""The base classes of the course's answering widgets: answers as traits, saved in one place, and public hooks.

Every answering widget repeats the same work: find its answers (and attempts) in the answer file, show them again,
take answers typed in code, save each change, say when saving fails, and judge on Check with the attempt rules of
:class:`course.exercises.feedback.Attempts`. Following ipywidgets, the state lives in traits and the reactions in one
``@observe``:

* :class:`AnsweringWidget` holds ``answers`` and ``attempts`` as ``Dict`` traits; any new value of either is saved
  through :class:`~course.widgets.saving.AnswerKeeper` by one observer (several changes made together are saved
  once). The scenario player and the trade-off simulator use it as it is.
* :class:`CheckedItemsWidget` adds the exercise of items answered one by one and judged on Check: ``choose``,
  ``check``, ``show_answer``, ``answer``, ``feedback_for``, ``feedback_text``, ``feedback_html``, ``controls`` are
  what lessons, the typed-answer interface (:mod:`course.learner.typed`) and tests use. A subclass says only what is
  particular to it: how an item is judged and explained, and how its view shows an answer.
* :class:`ChoiceRowsWidget` is that for the widgets drawn as rows of dropdowns (:class:`ChoiceRows`).

A trait is replaced, never changed in place (``self.answers = {**self.answers, item: answer}``): traitlets notices
only a new value.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import ipywidgets as widgets
import traitlets

from course.content.misconceptions import load_misconceptions
from course.errors import DataFileError
from course.exercises.feedback import Attempts, Feedback, attempts_by_item
from course.live.client import NOT_LIVE, live_link
from course.widgets.choice_rows import ChoiceRows
from course.widgets.controls import set_visible
from course.widgets.saving import PENDING, AnswerKeeper


@lru_cache(maxsize=1)
def known_beliefs() -> dict[str, str]:
    """Misconception id to the belief in a learner's words; empty when the catalogue cannot be read."""
    try:
        return {key: item.belief for key, item in load_misconceptions().items()}
    except DataFileError:
        return {}


class AnsweringWidget(widgets.VBox):
    """A widget whose ``answers`` (and ``attempts``) are kept in the answer file beside the notebook.

    Nothing is read in ``__init__``: a subclass reads what was saved (:meth:`_read_saved`) when it can draw it, and
    calls :meth:`_keep_from_now` once the saved state is shown; from then on every new value is saved.
    """

    answers = traitlets.Dict(help="The learner's answers, as the answer file keeps them for this widget.")
    attempts = traitlets.Dict(help="What was checked: the answer file's 'attempts' section for this widget.")

    def __init__(self, widget_id: str, folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.widget_id = widget_id
        self.folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id, self.folder)
        self.message = self._keeper.message  # says when the file is damaged or cannot be written
        self._keeping = False
        self._saving_held = 0
        self._changed_while_held = False
        self._live = NOT_LIVE

    @property
    def message_html(self) -> str:
        """What the message area says (empty when all is well)."""
        return self.message.value

    @property
    def live(self):
        """The widget's link to a live class session (:func:`course.live.client.live_link`): ``NOT_LIVE`` off a hub,
        for graded work, or until the widget starts keeping answers."""
        return self._live

    @property
    def seed(self) -> str:
        """The learner's seed for orders that differ per learner (:mod:`course.exercises.shuffling`)."""
        return self._keeper.seed()

    def say(self, text: str) -> None:
        """Show a one-line warning in the message area."""
        self._keeper.warn(text)

    # --- what a subclass calls while it is set up --------------------------------------------------------------

    def _read_saved(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(answers, attempts section) as saved; both empty, with a message, when the file is damaged."""
        answers = self._keeper.restore()
        return answers, self._keeper.section("attempts")

    def _keep_from_now(self, live: bool = False) -> None:
        """Start saving every change; with ``live``, also send checked answers to a live class session."""
        self._keeping = True
        if live:
            # Live class view (course.live): on a hub, while the lesson's session is open, checked answers also go
            # to the instructor; elsewhere live_link gives NOT_LIVE, which sends and shows nothing.
            self._live = live_link(self.widget_id, self)

    def _record_shown(self, record: dict[str, Any]) -> None:
        """Keep what the widget displays (item ids, orders) in the ``shown`` section, which graded variants read."""
        self._keeper.shown(record)

    # --- saving ------------------------------------------------------------------------------------------------

    @traitlets.observe("answers", "attempts")
    def _kept_state_changed(self, _change) -> None:
        if not self._keeping:
            return
        if self._saving_held:
            self._changed_while_held = True
        else:
            self._save()

    @contextmanager
    def _saving_once(self) -> Iterator[None]:
        """Make several changes and save them together, once (traitlets' ``hold_trait_notifications`` would still
        notify once per trait, and so save twice when an answer and its attempt change together)."""
        self._saving_held += 1
        try:
            yield
        finally:
            self._saving_held -= 1
            if not self._saving_held and self._changed_while_held:
                self._changed_while_held = False
                self._save()

    def _save(self) -> None:
        self._keeper.save(self._answers_to_keep(), self._attempts_to_keep())

    def _answers_to_keep(self) -> dict[str, Any]:
        return dict(self.answers)

    def _attempts_to_keep(self) -> dict[str, Any] | None:
        """The ``attempts`` section to save; None for a widget that keeps none."""
        return dict(self.attempts)

    def _typed_answers(self, answers_in_code: Callable[[], dict] | None) -> dict[str, Any]:
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
            self.say(f"Your answer function raised {type(error).__name__}: {error}. The widget shows your saved "
                     "answers instead.")
            return {}
        if not isinstance(typed, dict):
            self.say('Your answer function must return a dict such as {"s01": "product_manager"}; the widget shows '
                     "your saved answers instead.")
            return {}
        return {str(key): value for key, value in typed.items()}


class CheckedItemsWidget(AnsweringWidget):
    """Items answered one by one, each judged on its Check: a first miss explained without the key, the key after a
    second miss or on Show answer. An item without a key (graded work) is saved and marked later.

    ``attempts`` holds an :class:`Attempts` per item that was checked or whose answer was shown.
    """

    def __init__(self, widget_id: str, items: Iterable[str], folder: str | Path | None = None,
                 checked_items: Iterable[str] | None = None, **kwargs):
        super().__init__(widget_id, folder, **kwargs)
        self.item_ids = tuple(items)
        self._checked_items = frozenset(checked_items if checked_items is not None else self.item_ids)
        self._notes: dict[str, str] = {}
        saved, attempts = self._read_saved()
        self._saved = {key: value for key, value in saved.items() if key in self.item_ids}
        self.attempts = {key: value for key, value in attempts_by_item(attempts).items()
                         if key in self._checked_items and (value.count or value.revealed)}

    # --- the public hooks --------------------------------------------------------------------------------------

    def choose(self, item: Any, answer: Any) -> None:
        """Give an answer as a learner does with the controls (not yet checked)."""
        item = self._item_id(item)
        self._show(item, answer)
        self._chosen(item, answer)

    def check(self, item: Any) -> None:
        """Press the item's Check: judge the answer chosen and say what the attempt rules allow."""
        item = self._item_id(item)
        answer = self.answers.get(item)
        if self._is_complete(item, answer):
            self._record(item, self._judge(item, answer))
            self._live.send(item, answer)  # course.live: only while a live session is open
        else:
            self._notes[item] = self._incomplete_note(item)
        self._refresh(item)

    def show_answer(self, item: Any) -> None:
        """Press the item's Show answer."""
        item = self._item_id(item)
        revealed = replace(self.attempts.get(item, Attempts()))
        revealed.reveal()
        self.attempts = {**self.attempts, item: revealed}
        self._refresh(item)

    def answer(self, item: Any, answer: Any) -> None:
        """Answer as a learner would: choose, then press Check where the item has one."""
        self.choose(item, answer)
        if self._has_check(self._item_id(item)):
            self.check(item)

    def feedback_for(self, item: Any) -> Feedback | None:
        """What the item's feedback says now: a verdict on the answer last checked, or the answer once shown."""
        item = self._item_id(item)
        if item not in self._checked_items or not self._has_key(item):
            return None
        answer, attempts = self._attempted(item), self.attempts.get(item, Attempts())
        if attempts.checked(answer):
            return self._verdict(item, answer, attempts.answer_shown)
        return self._answer_only(item) if attempts.answer_shown else None

    def feedback_text(self, item: Any) -> str:
        feedback = self.feedback_for(item)
        return feedback.as_text() if feedback else ""

    def feedback_html(self, item: Any) -> str:
        """The feedback as the widget shows it."""
        return self._feedback_widget(self._item_id(item)).value

    def answer_offered(self, item: Any) -> bool:
        """Whether Show answer is offered: after a first miss, until the answer is shown."""
        item = self._item_id(item)
        attempts = self.attempts.get(item, Attempts())
        return self._has_key(item) and attempts.misses >= 1 and not attempts.answer_shown

    def controls(self, item: Any) -> dict[str, widgets.DOMWidget]:
        """The item's controls by name: its choice control(s), then ``check`` and ``show_answer`` where it has them."""
        raise NotImplementedError

    # --- what a subclass says about its items ------------------------------------------------------------------

    def _item_id(self, item: Any) -> str:
        return item

    def _has_key(self, item: str) -> bool:
        raise NotImplementedError

    def _has_check(self, item: str) -> bool:
        """Whether the item is judged on a Check button (an item without one is recorded as it is chosen)."""
        return self._has_key(item)

    def _is_complete(self, item: str, answer: Any) -> bool:
        """Whether ``answer`` can be checked (every part given)."""
        return bool(answer)

    def _incomplete_note(self, item: str) -> str:
        return "Choose an answer, then press Check."

    def _attempted(self, item: str) -> Any:
        """The item's answer as its attempts record it."""
        return self.answers.get(item)

    def _judge(self, item: str, answer: Any) -> bool | None:
        raise NotImplementedError

    def _verdict(self, item: str, answer: Any, reveal: bool) -> Feedback | None:
        raise NotImplementedError

    def _answer_only(self, item: str) -> Feedback | None:
        raise NotImplementedError

    def _show(self, item: str, answer: Any) -> None:
        """Show ``answer`` in the item's controls, without reacting to it."""
        raise NotImplementedError

    def _feedback_widget(self, item: str) -> widgets.HTML:
        raise NotImplementedError

    def _feedback_as_html(self, item: str, feedback: Feedback) -> str:
        return feedback.as_html(self.folder)

    # --- set-up and reactions ----------------------------------------------------------------------------------

    def _show_saved(self, answers_in_code: Callable[[], dict] | None = None, live: bool = False) -> None:
        """Show the saved answers (and those typed in code, which are saved), then keep every change."""
        typed = {key: value for key, value in self._typed_answers(answers_in_code).items() if key in self.item_ids}
        self.answers = {**self._saved, **typed}
        for item, answer in self.answers.items():
            self._show(item, answer)
        self._keep_from_now(live)
        if typed:
            with self._saving_once():
                self._changed_while_held = True  # typed answers are saved even when no attempt is recorded
                for item in typed:
                    if item in self._checked_items and not self._has_key(item) \
                            and self._is_complete(item, self.answers[item]):
                        self._record(item, None)
        for item in self.item_ids:
            self._refresh(item)

    def _chosen(self, item: str, answer: Any) -> None:
        """An answer given in the view: kept (and saved), and recorded at once where there is no Check."""
        self._notes.pop(item, None)
        with self._saving_once():
            kept = {key: value for key, value in self.answers.items() if key != item}
            self.answers = kept if answer is None or answer == "" else {**kept, item: answer}
            if not self._has_check(item) and self._is_complete(item, answer):
                self._record(item, None)
        self._after_change(item)

    def _record(self, item: str, correct: bool | None) -> None:
        attempts = replace(self.attempts.get(item, Attempts()))
        if attempts.record(self._attempted(item), correct):
            self.attempts = {**self.attempts, item: attempts}

    def _attempts_to_keep(self) -> dict[str, Any]:
        return {item: attempts.as_record() for item, attempts in self.attempts.items()}

    def _after_change(self, item: str) -> None:
        self._refresh(item)

    def _refresh(self, item: str) -> None:
        note = self._notes.get(item)
        feedback = self.feedback_for(item)
        if note:
            html = f"<i>{escape(note)}</i>"
        elif feedback:
            html = self._feedback_as_html(item, feedback)
        elif self._pending(item):
            html = PENDING
        else:
            html = ""
        self._feedback_widget(item).value = html
        reveal = self.controls(item).get("show_answer")
        if reveal is not None:
            set_visible(reveal, self.answer_offered(item))

    def _pending(self, item: str) -> bool:
        """Whether the item's answer is saved to be marked when graded (no key here)."""
        return (item in self._checked_items and not self._has_key(item)
                and self.attempts.get(item, Attempts()).checked(self._attempted(item)))


class ChoiceRowsWidget(CheckedItemsWidget):
    """A :class:`CheckedItemsWidget` drawn as rows of one dropdown each (:class:`ChoiceRows`)."""

    def _choice_rows(self, items: Iterable[tuple[str, str]], options: Iterable[tuple[str, str]],
                     checks: bool = True, reveals: bool = True, **layout) -> ChoiceRows:
        """The rows, wired to this widget, with a Check button (``checks``) and a Show answer button (``reveals``)
        on each row."""
        self._rows = ChoiceRows(list(items), list(options), self._chosen, on_check=self.check if checks else None,
                                on_reveal=self.show_answer if reveals else None, **layout)
        return self._rows

    def controls(self, item: Any) -> dict[str, widgets.DOMWidget]:
        return self._rows.controls(self._item_id(item))

    def _show(self, item: str, answer: Any) -> None:
        self._rows.show(item, answer)

    def _feedback_widget(self, item: str) -> widgets.HTML:
        return self._rows.feedback[item]

