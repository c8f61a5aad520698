"""The review deck in a lesson's warm-up: questions this learner missed before, asked again
(course.learner.review_deck).

The questions are shown by :class:`~course.widgets.quiz.QuizWidget`, so they are judged, explained and saved as every
quiz is (widget id ``review-<lesson>``); the deck reads those first attempts to space each question out further or
bring it back sooner. Which questions a lesson's review shows is fixed the first time it is shown, so re-running the
cell shows the same ones with the learner's answers.
"""
from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from course.learner.review_deck import count_due, due_items, items_shown_before, review_quiz
from course.widgets.quiz import QuizWidget

NOTHING_DUE = ("<i>Review: nothing to go over again today. Questions you miss at the first try in a check come back "
               "here in later warm-ups.</i>")


class ReviewDeck(widgets.VBox):
    """The questions due for review in ``lesson``'s warm-up (at most three), or a line saying none are due."""

    def __init__(self, lesson: str, folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self._folder = Path(folder) if folder is not None else Path.cwd()
        items = items_shown_before(lesson, self._folder) or due_items(lesson, self._folder)
        quiz = review_quiz(lesson, items)
        self.quiz_widget: QuizWidget | None = None
        if not quiz.questions:
            self.children = [widgets.HTML(NOTHING_DUE)]
            return
        waiting = count_due(lesson, self._folder) - len(quiz.questions)
        note = (f"<i>{len(quiz.questions)} question{'s' * (len(quiz.questions) != 1)} you missed before, asked "
                "again: getting one right now spaces it further out; missing it brings it back at the next lesson."
                + (f" {waiting} more wait for later warm-ups." if waiting > 0 else "") + "</i>")
        self.quiz_widget = QuizWidget(quiz, folder=self._folder)
        self.children = [widgets.HTML(note), self.quiz_widget]
