"""Are quiz answers checked and explained, and do broken quiz files say what is wrong?"""
from __future__ import annotations

import json

import pytest

from course.errors import DataFileError
from course.quiz import check_answer, load_quiz, parse_quiz, score

from .conftest import REPO


@pytest.fixture
def warm_up():
    return load_quiz("00-start-here")


def test_a_right_single_choice_is_confirmed_with_its_reason(warm_up):
    """Does a right answer say it is right and why?"""
    feedback = check_answer(warm_up.question("checkout-rebuild"), "project")
    assert feedback.correct
    assert "project manager" in feedback.as_text()


def test_a_wrong_single_choice_explains_and_points_to_the_lesson(warm_up):
    """Does a wrong answer explain why it is wrong and name the section to review?"""
    feedback = check_answer(warm_up.question("checkout-rebuild"), "program")
    assert not feedback.correct
    text = feedback.as_text()
    assert "several projects" in text
    assert "Review lesson 00-start-here, section “Three roles that share two letters”" in text


def test_multiple_select_explains_each_wrong_and_missed_option(warm_up):
    """Does a partly right multiple-select answer explain both the wrong pick and the missed option?"""
    feedback = check_answer(warm_up.question("program-manager"), ["interdependent", "messaging"])
    assert not feedback.correct
    assert any("does not belong" in text and "marketing" in text for text in feedback.explanations)
    assert any("You left out" in text and "three closely related" in text for text in feedback.explanations)
    right = check_answer(warm_up.question("program-manager"), ["related-releases", "interdependent"])
    assert right.correct


def test_no_answer_gives_no_feedback_and_no_point(warm_up):
    """Is an unanswered question neither praised nor scored?"""
    assert check_answer(warm_up.question("after-launch"), None) is None
    assert score(warm_up, {}) == 0
    assert score(warm_up, {"checkout-rebuild": "project", "after-launch": "product",
                           "program-manager": ["interdependent", "related-releases"]}) == 3


def test_an_unknown_option_key_is_explained_not_crashed(warm_up):
    """Does a hand-edited answer naming a missing option get an explanation instead of an exception?"""
    feedback = check_answer(warm_up.question("after-launch"), "zebra")
    assert not feedback.correct and "no option zebra" in feedback.as_text()


def _shipped():
    return json.loads((REPO / "data" / "quizzes" / "00-start-here.json").read_text())


@pytest.mark.parametrize(
    "breakage, words",
    [
        (lambda q: q["questions"][0].pop("prompt"), "question 1: missing 'prompt'"),
        (lambda q: q["questions"][0].update(kind="essay"), "kind must be 'single' or 'multiple'"),
        (lambda q: q["questions"][0]["options"][2].update(correct=True), "exactly one correct option, not 2"),
        (lambda q: q["questions"][1].update(id="checkout-rebuild"), "used twice"),
        (lambda q: q["questions"][2]["options"][0].update(correct="yes"), "option 1: 'correct' must be true or false"),
        (lambda q: q.update(questions=[]), "questions: must be a non-empty list"),
    ],
)
def test_a_broken_quiz_file_gets_its_own_clear_error(breakage, words):
    """Does each kind of mistake in a quiz file produce a message that says where and what?"""
    content = _shipped()
    breakage(content)
    with pytest.raises(DataFileError) as caught:
        parse_quiz(content, source="my-quiz.json")
    assert "my-quiz.json" in str(caught.value)
    assert words in str(caught.value)


def test_a_quiz_file_that_is_not_json_is_reported(tmp_path):
    """Is a quiz file with a syntax error reported with its path?"""
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(DataFileError, match="broken.json: not valid JSON"):
        load_quiz(path)
