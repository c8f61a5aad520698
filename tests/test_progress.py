"""Does 'My progress' tell a learner where they stand, and does the review deck bring missed questions back, spaced?"""
from __future__ import annotations

import json

import pytest

from course.cli import main
from course.exercises.feedback import Attempts
from course.exercises.quiz import load_quiz
from course.learner.answers import ANSWER_FILE_NAME
from course.learner.progress import lesson_progress, my_progress, progress_text
from course.learner.review_deck import (
    INTERVALS,
    PER_WARM_UP,
    build_deck,
    count_due,
    due_items,
    item_key,
    lesson_order,
    review_widget_id,
)
from course.learner.workspace import sync_workspace
from course.widgets import QuizWidget, ReviewDeck, ScenarioPlayer

ORDER = lesson_order()
PLACE = {lesson: place for place, lesson in enumerate(ORDER)}


@pytest.fixture
def lessons(tmp_path):
    """A learner's lessons folder, as 'pm-course start' makes it."""
    sync_workspace(tmp_path / "ws")
    return tmp_path / "ws" / "lessons"


def wrong_key(question) -> str:
    return next(option.key for option in question.options if not option.correct)


def right_key(question) -> str:
    return next(option.key for option in question.options if option.correct)


def answer_check(lessons, quiz_name: str, right: int, wrong: int) -> QuizWidget:
    """Answer the first ``right`` questions right and the next ``wrong`` wrong, at the first try, in the widget."""
    widget = QuizWidget(quiz_name, folder=lessons)
    questions = [question for question in widget.quiz.questions if question.kind == "single"]
    for question in questions[:right]:
        widget.answer(question.id, right_key(question))
    for question in questions[right:right + wrong]:
        widget.answer(question.id, wrong_key(question))
    return widget


def miss(quiz: str, question: str) -> dict[str, Attempts]:
    return {question: Attempts(1, 1, "x", False, "x", False)}


def hit(question: str) -> dict[str, Attempts]:
    return {question: Attempts(1, 0, "a", True, "a", True)}


def test_a_question_missed_at_the_first_try_comes_back_in_the_next_lessons_warm_up(lessons):
    """Missed in lesson 01's check: is it due in lesson 02's warm-up (and not in 01's own)?"""
    widget = answer_check(lessons, "01-two-pms", right=2, wrong=1)
    missed = [key for key, attempts in widget.attempts.items() if attempts.first_correct is False]
    deck = build_deck(lessons)
    assert set(deck) == {item_key("01-two-pms", question) for question in missed}, "only first-try misses"
    assert [item.key for item in due_items("02-features-vs-scope", lessons)] == list(deck)
    assert due_items("01-two-pms", lessons) == []


def test_a_question_right_again_is_spaced_out_and_one_missed_again_returns_at_once():
    """Right at the first try in review: due again INTERVALS[1] lessons later; missed in review: at the next lesson."""
    question_a, question_b = "roles-one-line", "program-manager"
    key_a, key_b = item_key("00-start-here", question_a), item_key("00-start-here", question_b)
    attempts = {"00-start-here": {**miss("00-start-here", question_a), **miss("00-start-here", question_b)},
                review_widget_id("01-two-pms"): {**hit(key_a), **miss("review", key_b)}}
    deck = build_deck(attempts=attempts)
    assert deck[key_a].due == PLACE["01-two-pms"] + INTERVALS[1] and deck[key_a].streak == 1
    assert deck[key_b].due == PLACE["01-two-pms"] + 1 and deck[key_b].streak == 0
    due_in_02 = [item.key for item in due_items("02-features-vs-scope", deck=deck)]
    assert due_in_02 == [key_b], "the one missed again comes back first; the other waits"
    later = ORDER[PLACE["01-two-pms"] + INTERVALS[1]]
    assert key_a in [item.key for item in due_items(later, deck=deck)]


def test_missed_first_at_most_three_per_warm_up_and_diagnostics_left_out():
    """With many questions due, are the most recently missed shown first, three at a time, and are diagnostic misses
    (asked before any teaching) never put in the deck?"""
    early = load_quiz("00-start-here").questions
    late = load_quiz("02-features-vs-scope").questions
    diagnostic = load_quiz("01-two-pms-diagnostic").questions[0]
    attempts = {"00-start-here": {question.id: miss("", question.id)[question.id] for question in early[:3]},
                "02-features-vs-scope": miss("", late[0].id),
                "01-two-pms-diagnostic": miss("", diagnostic.id)}
    deck = build_deck(attempts=attempts)
    assert item_key("01-two-pms-diagnostic", diagnostic.id) not in deck
    shown = due_items("03-the-third-pm", deck=deck)
    assert len(shown) == PER_WARM_UP and count_due("03-the-third-pm", deck=deck) == 4
    assert shown[0].key == item_key("02-features-vs-scope", late[0].id), "the most recent miss comes first"


def test_the_review_deck_widget_asks_the_due_questions_and_keeps_them(lessons):
    """In lesson 02's warm-up: does the deck show lesson 01's missed question as a quiz, save its first attempt under
    its own id, show the same questions when re-run, and say so plainly when nothing is due?"""
    assert "nothing to go over again" in ReviewDeck("02-features-vs-scope", folder=lessons).children[0].value
    answer_check(lessons, "01-two-pms", right=0, wrong=1)
    deck = ReviewDeck("02-features-vs-scope", folder=lessons)
    question = deck.quiz_widget.quiz.questions[0]
    assert question.id.startswith("01-two-pms:")
    deck.quiz_widget.answer(question.id, right_key(question))
    saved = json.loads((lessons / ANSWER_FILE_NAME).read_text())
    assert saved["attempts"][review_widget_id("02-features-vs-scope")][question.id]["first_correct"] is True
    again = ReviewDeck("02-features-vs-scope", folder=lessons)
    assert [q.id for q in again.quiz_widget.quiz.questions] == [question.id], "re-running shows the same question"
    assert build_deck(lessons)[question.id].due == PLACE["02-features-vs-scope"] + INTERVALS[1]


def test_progress_shows_opened_run_first_attempt_scores_and_scenario_outcomes(lessons):
    """After opening lesson 00, running lesson 01 to its check, answering, and playing its scenario to the end: does
    the progress say so, lesson by lesson, with the review questions due?"""
    (lessons / ".ipynb_checkpoints").mkdir()
    (lessons / ".ipynb_checkpoints" / "00-start-here-checkpoint.ipynb").write_text("{}")
    QuizWidget("01-two-pms-warmup", folder=lessons)
    answer_check(lessons, "01-two-pms", right=3, wrong=2)
    player = ScenarioPlayer("ledger-after-launch", folder=lessons)
    for choice in player.scenario.best_path():
        player.choose(choice)
    QuizWidget("02-features-vs-scope-warmup", folder=lessons)
    progress = lesson_progress(lessons)
    rows = {row.lesson: row for row in progress.lessons}
    assert (rows["00-start-here"].opened, rows["00-start-here"].run) == (True, "not run")
    assert (rows["01-two-pms"].opened, rows["01-two-pms"].run) == (True, "to the end")
    assert rows["01-two-pms"].checks == f"3 of 5 right at the first try ({len(load_quiz('01-two-pms').questions) - 5}" \
        " not tried)"
    assert rows["01-two-pms"].scenario == "Success"
    assert rows["02-features-vs-scope"].run == "partly" and rows["02-features-vs-scope"].scenario == "not played"
    assert (rows["03-the-third-pm"].opened, rows["03-the-third-pm"].checks) == (False, "not tried (8 questions)")
    assert progress.next_lesson == "00-start-here" and progress.review_due == 0
    text = progress_text(progress)
    assert "01-two-pms" in text and "3 of 5 right at the first try" in text and "Success" in text
    assert "1 of 11 lessons run to the end" in text
    assert "<caption" in my_progress(lessons)._repr_html_()


def test_review_questions_due_are_counted_for_the_next_lesson(lessons):
    """Lessons 00 and 00b run (saved with execution counts), lesson 01 run to its check with two first-try misses:
    is 02 the next lesson, with those two questions due in its warm-up?"""
    for lesson in ("00-start-here", "00b-pandas-primer"):
        notebook = lessons / f"{lesson}.ipynb"
        content = json.loads(notebook.read_text())
        for count, cell in enumerate(c for c in content["cells"] if c["cell_type"] == "code"):
            cell["execution_count"] = count + 1
        notebook.write_text(json.dumps(content))
    QuizWidget("01-two-pms-warmup", folder=lessons)
    answer_check(lessons, "01-two-pms", right=0, wrong=2)
    progress = lesson_progress(lessons)
    assert [row.run for row in progress.lessons[:3]] == ["to the end"] * 3
    assert (progress.next_lesson, progress.review_due) == ("02-features-vs-scope", 2)
    assert "2 review questions due in your next warm-up" in progress_text(progress)


def test_a_damaged_answer_file_is_a_note_not_a_crash(lessons):
    (lessons / ANSWER_FILE_NAME).write_text("{not json")
    progress = lesson_progress(lessons)
    assert "damaged" in progress.problem and "Note:" in progress_text(progress)


def test_the_progress_command_prints_the_table(lessons, capsys):
    """Does 'pm-course progress --dir WORKSPACE' print every lesson, and refuse a folder without lessons clearly?"""
    assert main(["progress", "--dir", str(lessons.parent)]) == 0
    out = capsys.readouterr().out
    assert all(lesson in out for lesson in ORDER) and "review question" in out
    assert main(["progress", "--dir", str(lessons.parent / "nowhere")]) == 1
    assert "run 'pm-course start' first" in capsys.readouterr().err
