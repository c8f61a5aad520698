"""The quiz view: one block per question, options in this learner's order, judged when the learner presses Check.

What a block says comes from :mod:`course.exercises.quiz` (the judging) and the item's
:class:`~course.exercises.feedback.Attempts` (how much it may say): a first miss is explained without the answer, which
appears after a second miss or on "Show answer". A question without a key (graded work) is saved as answered and marked
later.
"""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from course.exercises.feedback import Feedback
from course.exercises.quiz import (
    MULTIPLE,
    NOTHING_TICKED,
    Option,
    Question,
    Quiz,
    answer_only,
    check_answer,
    chosen_keys,
    is_right,
    load_quiz,
    option_order,
    shown_record,
)
from course.widgets.aria import GROUP, GROUP_LABEL, LABELLED_GROUP, NAME_THE_GROUPS, NAMED_GROUPS
from course.widgets.base import CheckedItemsWidget, known_beliefs
from course.widgets.controls import check_button, show_answer_button


class QuizWidget(CheckedItemsWidget):
    """Shows a quiz: every choice is saved at once, judged on Check, and explained without giving the answer away."""

    def __init__(self, quiz: Quiz | str | Path, widget_id: str | None = None, folder: str | Path | None = None,
                 answers_in_code=None, **kwargs):
        self.quiz = quiz if isinstance(quiz, Quiz) else load_quiz(quiz)
        super().__init__(widget_id or self.quiz.id, [question.id for question in self.quiz.questions], folder,
                         **kwargs)
        seed = self.seed
        self._blocks = {
            question.id: _QuestionBlock(question, number, option_order(question, seed, self.widget_id), self)
            for number, question in enumerate(self.quiz.questions, start=1)}
        self.children = [widgets.HTML(f"<h3>{escape(self.quiz.title)}</h3>{NAME_THE_GROUPS}"), self.message,
                         *self._blocks.values()]
        self.add_class(NAMED_GROUPS)
        self._record_shown(shown_record(self.quiz.questions, seed, self.widget_id))
        self._show_saved(answers_in_code, live=True)

    def options_shown(self, question_id: str) -> list[str]:
        """The option keys of a question in the order this learner sees them."""
        return [option.key for option in self._blocks[question_id].order]

    def controls(self, question_id: str) -> dict[str, widgets.DOMWidget]:
        """``choice`` (the radio group) or one checkbox per option key; ``check`` and ``show_answer`` when keyed."""
        return self._blocks[question_id].controls()

    def _has_key(self, question_id: str) -> bool:
        return self.quiz.question(question_id).has_key

    def _is_complete(self, question_id: str, answer: Any) -> bool:
        return bool(chosen_keys(answer))

    def _incomplete_note(self, question_id: str) -> str:
        return NOTHING_TICKED if self.quiz.question(question_id).kind == MULTIPLE else \
            "Choose an option, then press Check."

    def _judge(self, question_id: str, answer: Any) -> bool | None:
        return is_right(self.quiz.question(question_id), answer)

    def _verdict(self, question_id: str, answer: Any, reveal: bool) -> Feedback | None:
        return check_answer(self.quiz.question(question_id), answer, reveal=reveal, beliefs=known_beliefs())

    def _answer_only(self, question_id: str) -> Feedback | None:
        return answer_only(self.quiz.question(question_id))

    def _show(self, question_id: str, answer: Any) -> None:
        self._blocks[question_id].show(answer)

    def _feedback_widget(self, question_id: str) -> widgets.HTML:
        return self._blocks[question_id].feedback


class _QuestionBlock(widgets.VBox):
    """One question: prompt, options in this learner's order, Check and Show answer buttons, feedback."""

    def __init__(self, question: Question, number: int, order: list[Option], owner: QuizWidget):
        super().__init__(layout=widgets.Layout(margin="0 0 1em 0"))
        self.add_class(LABELLED_GROUP)  # its options are a group named by the prompt (course.widgets.aria)
        self.question = question
        self.order = order
        self._updating = False
        self.feedback = widgets.HTML()
        what = f"question {number}"
        prompt = widgets.HTML(f'<b class="{GROUP_LABEL}">{number}. {escape(question.prompt)}</b>')
        self.boxes: dict[str, widgets.Checkbox] = {}
        self.radio: widgets.RadioButtons | None = None
        if question.kind == MULTIPLE:
            self.boxes = {option.key: widgets.Checkbox(description=option.text, indent=False, value=False,
                                                       layout=widgets.Layout(width="auto"))
                          for option in order}
            for box in self.boxes.values():
                box.observe(self._on_boxes(owner._chosen), names="value")
            how = widgets.HTML("<i>Choose every option that applies, then press Check.</i>" if question.has_key
                               else "<i>Choose every option that applies.</i>")
            group = widgets.VBox(list(self.boxes.values()))
            group.add_class(GROUP)
            choices = widgets.VBox([how, group])
        else:
            # no description: ipywidgets draws it as a second, unwrapped copy of the prompt beside the options; the
            # group is named by the prompt above it (role="radiogroup", aria-labelledby: course.widgets.aria)
            self.radio = widgets.RadioButtons(options=[(option.text, option.key) for option in order], value=None,
                                              layout=widgets.Layout(width="auto"))
            self.radio.observe(self._on_radio(owner._chosen), names="value")
            choices = self.radio
        self.check = check_button(f"your answer to {what}")
        self.check.on_click(lambda _button: owner.check(question.id))
        self.reveal = show_answer_button(what)
        self.reveal.on_click(lambda _button: owner.show_answer(question.id))
        buttons = widgets.HBox([self.check, self.reveal]) if question.has_key else widgets.HBox()
        self.children = [prompt, choices, buttons, self.feedback]

    def controls(self) -> dict[str, widgets.DOMWidget]:
        shown = {"choice": self.radio} if self.radio is not None else dict(self.boxes)
        return {**shown, "check": self.check, "show_answer": self.reveal} if self.question.has_key else shown

    def show(self, answer: Any) -> None:
        self._updating = True
        try:
            keys = chosen_keys(answer)
            for key, box in self.boxes.items():
                box.value = key in keys
            if self.radio is not None:
                key = next(iter(keys), None)
                self.radio.value = key if self.question.option(key or "") else None
        finally:
            self._updating = False

    def _on_radio(self, on_change: Callable[[str, Any], None]):
        def handler(change) -> None:
            if not self._updating and change["new"] is not None:
                on_change(self.question.id, change["new"])
        return handler

    def _on_boxes(self, on_change: Callable[[str, Any], None]):
        def handler(change) -> None:
            if not self._updating:
                on_change(self.question.id, sorted(key for key, box in self.boxes.items() if box.value))
        return handler
