"""The review deck: questions this learner missed, asked again in later warm-ups, spaced out as they are mastered.

Recalling something after a gap, and again after a longer one, is what makes it stick (spaced retrieval practice;
see ``/work/shared/reference/assessment-design.md``). So every keyed question of a lesson's check, warm-up or final
check that the learner got wrong *at the first try* enters the deck, and comes back in the warm-up of the next lesson.
Answered right at the first try there, it comes back 2 lessons later, then 4 (:data:`INTERVALS`); missed again, it
starts over at the next lesson. Questions missed most recently come first; a warm-up shows at most
:data:`PER_WARM_UP`, and the rest stay due for the next one.

Nothing is stored for the deck itself: it is worked out from the answer file (``pm-course-answers.json`` beside the
lessons), from the first attempts the quizzes keep (their ``attempts`` section) and from the review widgets' own
attempts (widget id ``review-<lesson>``), lesson by lesson in course order. A damaged answer file counts as empty.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Mapping

from course.content.json_data import notebook_cells
from course.errors import DataFileError
from course.exercises.feedback import Attempts
from course.exercises.quiz import Question, Quiz, load_quiz
from course.learner.answers import AnswerFileError, AnswerStore
from course.paths import LESSONS_DIR

INTERVALS = (1, 2, 4)  # lessons until a question is asked again, after 0, 1, 2+ right first tries in review
PER_WARM_UP = 3
REVIEWED_PURPOSES = ("check", "warm-up", "final")  # a diagnostic asks before teaching: missing it is expected
_QUIZ_CALL = re.compile(r'QuizWidget\(\s*"([^"]+)"')


def review_widget_id(lesson: str) -> str:
    return f"review-{lesson}"


def item_key(quiz: str, question: str) -> str:
    """A question's id in the deck: its quiz and its id (question ids repeat across quizzes)."""
    return f"{quiz}:{question}"


@dataclass(frozen=True)
class ReviewItem:
    """One missed question: where it was missed, when it is next due (a lesson's place in the course) and how many
    times in a row it has since been answered right at the first try."""

    quiz: str
    question: str
    missed_in: str
    due: int
    streak: int = 0
    missed_at: int = 0  # the place of the lesson where it was last missed (most recent first)

    @property
    def key(self) -> str:
        return item_key(self.quiz, self.question)


def lesson_order(lessons_dir: str | Path | None = None) -> list[str]:
    """The lessons in course order (their file names sort so): 00-start-here, 00b-pandas-primer, 01-two-pms, ..."""
    folder = Path(lessons_dir) if lessons_dir is not None else LESSONS_DIR
    names = sorted(path.stem for path in folder.glob("*.ipynb"))
    return names or sorted(path.stem for path in LESSONS_DIR.glob("*.ipynb"))


def lesson_quizzes(lesson: str, lessons_dir: str | Path | None = None) -> list[str]:
    """The quizzes a lesson shows, in notebook order (read from its QuizWidget calls)."""
    return list(dict.fromkeys(_QUIZ_CALL.findall(lesson_code(lesson, lessons_dir))))


def lesson_code(lesson: str, lessons_dir: str | Path | None = None) -> str:
    """The code cells of a lesson (the learner's copy, else the course's), joined; empty if it cannot be read."""
    for folder in (Path(lessons_dir) if lessons_dir is not None else LESSONS_DIR, LESSONS_DIR):
        cells = notebook_cells(folder / f"{lesson}.ipynb")
        if cells:
            return "\n".join(cell["source"] for cell in cells if cell.get("cell_type") == "code")
    return ""


def _quiz(name: str) -> Quiz | None:
    try:
        return load_quiz(name)
    except (DataFileError, OSError):
        return None


def _sections(store: AnswerStore, widget_id: str) -> dict[str, Attempts]:
    try:
        raw = store.section_for("attempts", widget_id)
    except AnswerFileError:
        return {}
    return {str(item): Attempts.from_record(record) for item, record in raw.items()}


def build_deck(lessons_dir: str | Path | None = None,
               attempts: Mapping[str, Mapping[str, Attempts]] | None = None) -> dict[str, ReviewItem]:
    """Every question in the deck, by key, as it stands after everything the answer file records.

    ``attempts`` (widget id to item id to :class:`Attempts`) replaces reading the answer file, for tests.
    Lesson by lesson in course order: first the review answered in that lesson's warm-up (right at the first try:
    due again after the next interval; missed: due at the next lesson), then the lesson's own quizzes (a first
    attempt missed: due at the next lesson).
    """
    folder = Path(lessons_dir) if lessons_dir is not None else LESSONS_DIR
    store = AnswerStore(folder)

    def recorded(widget_id: str) -> Mapping[str, Attempts]:
        return attempts.get(widget_id, {}) if attempts is not None else _sections(store, widget_id)

    deck: dict[str, ReviewItem] = {}
    for place, lesson in enumerate(lesson_order(folder)):
        for key, record in recorded(review_widget_id(lesson)).items():
            item = deck.get(key)
            if item is None or not record.count or item.due > place:
                continue  # not in the deck, not answered, or shown before it was due (a hand-edited file)
            if record.first_correct:
                streak = item.streak + 1
                deck[key] = replace(item, streak=streak, due=place + INTERVALS[min(streak, len(INTERVALS) - 1)])
            else:
                deck[key] = replace(item, streak=0, due=place + 1, missed_at=place)
        for name in lesson_quizzes(lesson, folder):
            quiz = _quiz(name)
            if quiz is None or quiz.purpose not in REVIEWED_PURPOSES:
                continue
            for question_id, record in recorded(quiz.id).items():
                key = item_key(quiz.id, question_id)
                if record.count and record.first_correct is False and key not in deck:
                    deck[key] = ReviewItem(quiz.id, question_id, lesson, due=place + 1, missed_at=place)
    return deck


def due_items(lesson: str, lessons_dir: str | Path | None = None,
              deck: Mapping[str, ReviewItem] | None = None) -> list[ReviewItem]:
    """The questions due in ``lesson``'s warm-up, those missed most recently first (at most :data:`PER_WARM_UP`)."""
    order = lesson_order(lessons_dir)
    if lesson not in order:
        return []
    place = order.index(lesson)
    deck = build_deck(lessons_dir) if deck is None else deck
    due = [item for item in deck.values() if item.due <= place and item.missed_in != lesson]
    due.sort(key=lambda item: (item.streak, -item.missed_at, item.due, item.key))
    return due[:PER_WARM_UP]


def count_due(lesson: str, lessons_dir: str | Path | None = None,
              deck: Mapping[str, ReviewItem] | None = None) -> int:
    """How many questions are due by ``lesson``'s warm-up (all of them, not only the ones it will show)."""
    order = lesson_order(lessons_dir)
    if lesson not in order:
        return 0
    place = order.index(lesson)
    deck = build_deck(lessons_dir) if deck is None else deck
    return sum(1 for item in deck.values() if item.due <= place and item.missed_in != lesson)


def review_quiz(lesson: str, items: list[ReviewItem]) -> Quiz:
    """A quiz of the given deck questions, ids made unique by their quiz, for :class:`~course.widgets.QuizWidget`."""
    questions: list[Question] = []
    for item in items:
        quiz = _quiz(item.quiz)
        if quiz is None or item.question not in {question.id for question in quiz.questions}:
            continue
        questions.append(replace(quiz.question(item.question), id=item.key))
    return Quiz(review_widget_id(lesson), "Review: questions you missed in earlier lessons", tuple(questions),
                "warm-up")


def items_shown_before(lesson: str, lessons_dir: str | Path | None = None) -> list[ReviewItem] | None:
    """The deck questions a lesson's review already showed (kept in ``shown``), so re-running shows the same ones."""
    store = AnswerStore(Path(lessons_dir) if lessons_dir is not None else LESSONS_DIR)
    try:
        shown: dict[str, Any] = store.section_for("shown", review_widget_id(lesson))
    except AnswerFileError:
        return None
    keys = shown.get("questions")
    if not isinstance(keys, list) or not keys:
        return None
    items = []
    for key in keys:
        quiz, _, question = str(key).partition(":")
        if quiz and question:
            items.append(ReviewItem(quiz, question, missed_in="", due=0))
    return items or None
