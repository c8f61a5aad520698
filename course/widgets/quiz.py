"""The quiz view: one block per question, options in this learner's order, judged when the learner presses Check.

What a block says comes from :mod:`course.exercises.quiz` (the judging) and the item's
:class:`~course.exercises.feedback.Attempts` (how much it may say): a first miss is explained without the answer, which
appears after a second miss or on "Show answer". A question without a key (graded work) is saved as answered and marked
later.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Callable

import ipywidgets as widgets

from course.content.misconceptions import load_misconceptions
from course.errors import DataFileError
from course.exercises.feedback import Attempts
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
from course.live.client import live_link
from course.widgets.saving import (
    PENDING,
    AnswerKeeper,
    answers_from_code,
    check_button,
    set_visible,
    show_answer_button,
)


@lru_cache(maxsize=1)
def _beliefs() -> dict[str, str]:
    """Misconception id to the belief in a learner's words; empty when the catalogue cannot be read."""
    try:
        return {key: item.belief for key, item in load_misconceptions().items()}
    except DataFileError:
        return {}


class QuizWidget(widgets.VBox):
    """Shows a quiz: every choice is saved at once, judged on Check, and explained without giving the answer away."""

    def __init__(self, quiz: Quiz | str | Path, widget_id: str | None = None, folder: str | Path | None = None,
                 answers_in_code=None, **kwargs):
        super().__init__(**kwargs)
        self.quiz = quiz if isinstance(quiz, Quiz) else load_quiz(quiz)
        self.widget_id = widget_id or self.quiz.id
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(self.widget_id, self._folder)
        saved = self._keeper.restore()
        seed = self._keeper.seed()
        self._attempts: dict[str, Attempts] = {question.id: Attempts() for question in self.quiz.questions}
        self._attempts.update({key: value for key, value in self._keeper.attempts().items()
                               if key in self._attempts})
        self._answers: dict[str, Any] = {}
        self._notes: dict[str, str] = {}
        self._blocks = {
            question.id: _QuestionBlock(question, number, option_order(question, seed, self.widget_id), self)
            for number, question in enumerate(self.quiz.questions, start=1)}
        self.children = [widgets.HTML(f"<h3>{escape(self.quiz.title)}</h3>"), self._keeper.message,
                         *self._blocks.values()]
        self._keeper.shown(shown_record(self.quiz.questions, seed, self.widget_id))
        typed = answers_from_code(answers_in_code, self._keeper)
        for question_id, answer in {**saved, **typed}.items():
            if question_id in self._blocks:
                self._answers[question_id] = answer
                self._blocks[question_id].show(answer)
        if typed:
            for question_id in typed:
                if question_id in self._blocks and not self.quiz.question(question_id).has_key:
                    self._attempts[question_id].record(self._answers[question_id], None)
            self._save()
        for question_id in self._blocks:
            self._refresh(question_id)
        # Live class view (course.live): on a hub, while the lesson's session is open, checked answers also go to
        # the instructor; elsewhere live_link gives NOT_LIVE, which sends and shows nothing.
        self._live = live_link(self.widget_id, self)

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self._answers)

    @property
    def attempts(self) -> dict[str, Attempts]:
        """Each item's attempts so far (first answer checked, count, misses, answer shown)."""
        return {key: value for key, value in self._attempts.items() if value.count or value.revealed}

    def options_shown(self, question_id: str) -> list[str]:
        """The option keys of a question in the order this learner sees them."""
        return [option.key for option in self._blocks[question_id].order]

    def choose(self, question_id: str, answer: Any) -> None:
        """Select an option (a key) or tick options (a list of keys), as a learner does, without checking."""
        self._blocks[question_id].show(answer)
        self._on_change(question_id, answer)

    def check(self, question_id: str) -> None:
        """Press the question's Check button."""
        self._blocks[question_id].check.click()

    def show_answer(self, question_id: str) -> None:
        """Press the question's Show answer button."""
        self._on_reveal(question_id)

    def answer(self, question_id: str, answer: Any) -> None:
        """Answer a question as a learner would: choose, then press Check."""
        self.choose(question_id, answer)
        if self.quiz.question(question_id).has_key:
            self.check(question_id)

    def feedback_html(self, question_id: str) -> str:
        return self._blocks[question_id].feedback.value

    def feedback_text(self, question_id: str) -> str:
        feedback = self._feedback(question_id)
        return feedback.as_text() if feedback else ""

    def _feedback(self, question_id: str):
        question = self.quiz.question(question_id)
        answer = self._answers.get(question_id)
        attempts = self._attempts[question_id]
        beliefs = _beliefs() if question.has_key else {}
        if attempts.checked(answer):
            return check_answer(question, answer, reveal=attempts.answer_shown, beliefs=beliefs)
        return answer_only(question) if attempts.answer_shown else None

    def _on_change(self, question_id: str, answer: Any) -> None:
        self._answers[question_id] = answer
        self._notes.pop(question_id, None)
        if not self.quiz.question(question_id).has_key and chosen_keys(answer):
            self._attempts[question_id].record(answer, None)
        self._save()
        self._refresh(question_id)

    def _on_check(self, question_id: str) -> None:
        question = self.quiz.question(question_id)
        answer = self._answers.get(question_id)
        if not chosen_keys(answer):
            self._notes[question_id] = NOTHING_TICKED if question.kind == MULTIPLE else \
                "Choose an option, then press Check."
        elif self._attempts[question_id].record(answer, is_right(question, answer)):
            self._save()
        if chosen_keys(answer):
            self._live.send(question_id, answer)  # course.live: only while a live session is open
        self._refresh(question_id)

    def _on_reveal(self, question_id: str) -> None:
        self._attempts[question_id].reveal()
        self._save()
        self._refresh(question_id)

    def _save(self) -> None:
        self._keeper.save(self._answers, self._attempts)

    def _refresh(self, question_id: str) -> None:
        question = self.quiz.question(question_id)
        block = self._blocks[question_id]
        attempts = self._attempts[question_id]
        if not question.has_key:
            block.feedback.value = PENDING if chosen_keys(self._answers.get(question_id)) else ""
            return
        feedback = self._feedback(question_id)
        note = self._notes.get(question_id)
        block.feedback.value = f"<i>{escape(note)}</i>" if note else feedback.as_html(self._folder) if feedback else ""
        set_visible(block.reveal, attempts.misses >= 1 and not attempts.answer_shown)


class _QuestionBlock(widgets.VBox):
    """One question: prompt, options in this learner's order, Check and Show answer buttons, feedback."""

    def __init__(self, question: Question, number: int, order: list[Option], owner: QuizWidget):
        super().__init__(layout=widgets.Layout(margin="0 0 1em 0"))
        self.question = question
        self.order = order
        self._updating = False
        self.feedback = widgets.HTML()
        what = f"question {number}"
        prompt = widgets.HTML(f"<b>{number}. {escape(question.prompt)}</b>")
        if question.kind == MULTIPLE:
            self.boxes = {option.key: widgets.Checkbox(description=option.text, indent=False, value=False,
                                                       layout=widgets.Layout(width="auto"))
                          for option in order}
            for box in self.boxes.values():
                box.observe(self._on_boxes(owner._on_change), names="value")
            how = widgets.HTML("<i>Choose every option that applies, then press Check.</i>" if question.has_key
                               else "<i>Choose every option that applies.</i>")
            choices = widgets.VBox([how, *self.boxes.values()])
        else:
            self.radio = widgets.RadioButtons(options=[(option.text, option.key) for option in order], value=None,
                                              description=f"Answer to {what}", style={"description_width": "0px"},
                                              layout=widgets.Layout(width="auto"))
            self.radio.observe(self._on_radio(owner._on_change), names="value")
            choices = self.radio
        self.check = check_button(f"your answer to {what}")
        self.check.on_click(lambda _button: owner._on_check(question.id))
        self.reveal = show_answer_button(what)
        self.reveal.on_click(lambda _button: owner._on_reveal(question.id))
        buttons = widgets.HBox([self.check, self.reveal]) if question.has_key else widgets.HBox()
        self.children = [prompt, choices, buttons, self.feedback]

    def show(self, answer: Any) -> None:
        self._updating = True
        try:
            keys = chosen_keys(answer)
            if self.question.kind == MULTIPLE:
                for key, box in self.boxes.items():
                    box.value = key in keys
            else:
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
