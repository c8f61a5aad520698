"""The quiz view: one block per question, instant explained feedback, answers saved as given."""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from ..quiz import MULTIPLE, Question, Quiz, check_answer, chosen_keys, load_quiz
from .saving import PENDING, AnswerKeeper, answers_from_code


class QuizWidget(widgets.VBox):
    """Shows a quiz; every choice is saved at once and explained at once."""

    def __init__(self, quiz: Quiz | str, widget_id: str | None = None, folder: str | Path | None = None,
                 answers_in_code=None, **kwargs):
        super().__init__(**kwargs)
        self.quiz = load_quiz(quiz) if isinstance(quiz, str) else quiz
        self._folder = Path(folder) if folder is not None else Path.cwd()
        self._keeper = AnswerKeeper(widget_id or self.quiz.id, self._folder)
        self._answers: dict[str, Any] = {}
        self._blocks = {question.id: _QuestionBlock(question, self._on_answer, self._folder)
                        for question in self.quiz.questions}
        self.children = [widgets.HTML(f"<h3>{escape(self.quiz.title)}</h3>"), self._keeper.message,
                         *self._blocks.values()]
        typed = answers_from_code(answers_in_code, self._keeper)
        for question_id, answer in {**self._keeper.restore(), **typed}.items():
            if question_id in self._blocks:
                self._answers[question_id] = answer
                self._blocks[question_id].show(answer)
        if typed:
            self._keeper.save(self._answers)

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self._answers)

    def answer(self, question_id: str, answer: Any) -> None:
        """Answer a question as a learner would: a key, or a list of keys for multiple select."""
        self._blocks[question_id].show(answer)
        self._on_answer(question_id, answer)

    def feedback_text(self, question_id: str) -> str:
        feedback = check_answer(self.quiz.question(question_id), self._answers.get(question_id))
        return feedback.as_text() if feedback else ""

    def _on_answer(self, question_id: str, answer: Any) -> None:
        self._answers[question_id] = answer
        self._keeper.save(self._answers)
        self._blocks[question_id].explain(answer)


class _QuestionBlock(widgets.VBox):
    def __init__(self, question: Question, on_answer, folder: Path):
        super().__init__(layout=widgets.Layout(margin="0 0 1em 0"))
        self._question = question
        self._on_answer = on_answer
        self._folder = folder
        self._updating = False
        self._feedback = widgets.HTML()
        prompt = widgets.HTML(f"<b>{escape(question.prompt)}</b>")
        if question.kind == MULTIPLE:
            self._boxes = {option.key: widgets.Checkbox(description=option.text, indent=False,
                                                        layout=widgets.Layout(width="auto"))
                           for option in question.options}
            for box in self._boxes.values():
                box.observe(self._on_boxes, names="value")
            choices = widgets.VBox(list(self._boxes.values()))
        else:
            self._radio = widgets.RadioButtons(options=[(o.text, o.key) for o in question.options], value=None,
                                               layout=widgets.Layout(width="auto"))
            self._radio.observe(self._on_radio, names="value")
            choices = self._radio
        self.children = [prompt, choices, self._feedback]

    def show(self, answer: Any) -> None:
        self._updating = True
        try:
            keys = chosen_keys(answer)
            if self._question.kind == MULTIPLE:
                for key, box in self._boxes.items():
                    box.value = key in keys
            else:
                key = next(iter(keys), None)
                self._radio.value = key if self._question.option(key or "") else None
        finally:
            self._updating = False
        self.explain(answer)

    def explain(self, answer: Any) -> None:
        feedback = check_answer(self._question, answer)
        if feedback:
            self._feedback.value = feedback.as_html(self._folder)
        else:
            self._feedback.value = PENDING if chosen_keys(answer) and not self._question.has_key else ""

    def _on_radio(self, change) -> None:
        if not self._updating and change["new"] is not None:
            self._on_answer(self._question.id, change["new"])

    def _on_boxes(self, change) -> None:
        if not self._updating:
            self._on_answer(self._question.id, sorted(key for key, box in self._boxes.items() if box.value))
