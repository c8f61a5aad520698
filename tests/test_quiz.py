"""Are quiz answers judged and explained without giving the answer away, and do broken quiz files say what is wrong?"""
from __future__ import annotations

import copy
import json

import pytest

from course.content.misconceptions import load_misconceptions
from course.errors import DataFileError
from course.exercises.feedback import Attempts
from course.exercises.quiz import (
    answer_only,
    check_answer,
    is_right,
    load_quiz,
    option_order,
    parse_quiz,
    score,
    shown_record,
)

SAMPLE = {
    "id": "sample", "title": "Which PM is it?", "purpose": "check",
    "questions": [
        {"id": "checkout", "kind": "single", "level": "apply",
         "prompt": "A hypothetical web shop must rebuild its checkout by 31 March within a fixed budget; the team "
                   "then disbands. Whose job is it to get that work delivered?",
         "see": {"lesson": "01-two-pms", "section": "What a project is"},
         "hint": "Ask whether the work has an end date and a budget, and who answers for such work.",
         "cases": ["lifecycle-view"], "principles": [1],
         "options": [
             {"key": "product", "text": "The product manager", "correct": False,
              "misconception": "product-manager-runs-projects",
              "explanation": "Owning the shop's future is a different job from steering one bounded piece of work "
                             "to its end date and budget."},
             {"key": "program", "text": "The program manager", "correct": False,
              "misconception": "any-big-work-is-a-program",
              "explanation": "Programs coordinate several projects that need each other; here a single piece of "
                             "work stands on its own."},
             {"key": "project", "text": "The project manager", "correct": True,
              "explanation": "A one-time piece of work with a goal, scope, end date and budget is a project, and "
                             "delivering it is what a project manager does."},
             {"key": "marketing", "text": "The product marketing manager", "correct": False,
              "misconception": "marketing-delivers",
              "explanation": "Product marketing tells the market about a release; it does not run the work that "
                             "builds the release."}]},
        {"id": "program-work", "kind": "multiple", "level": "understand",
         "prompt": "Which of these are program management? Choose every one that is.",
         "see": {"lesson": "03-the-third-pm", "section": "Programs: projects that depend on each other"},
         "hint": "Look for work that spans several projects which need each other at the same time.",
         "options": [
             {"key": "in-step", "text": "Keeping four interdependent projects in step", "correct": True,
              "explanation": "Overseeing projects that depend on each other while they run is what a program "
                             "manager is for."},
             {"key": "one-schedule", "text": "Owning the schedule of one stand-alone project", "correct": False,
              "misconception": "any-big-work-is-a-program",
              "explanation": "A single project's schedule is its own manager's work, however large the project "
                             "happens to be."},
             {"key": "releases", "text": "Running three related products' release projects together",
              "correct": True,
              "explanation": "Several related products' releases, steered together because they depend on each "
                             "other, make up a program."},
             {"key": "messaging", "text": "Writing the launch message for a new release", "correct": False,
              "misconception": "marketing-delivers",
              "explanation": "Launch messaging is outbound work that belongs to product marketing, not to whoever "
                             "coordinates delivery."}]},
    ],
}


def sample_quiz(tmp_path, content=None):
    """The sample quiz written to a file, as a lesson's quiz would be; returns its path."""
    path = tmp_path / "sample.json"
    path.write_text(json.dumps(content or SAMPLE), encoding="utf-8")
    return path


@pytest.fixture
def quiz(tmp_path):
    return load_quiz(sample_quiz(tmp_path))


def test_schema_v2_fields_are_read(quiz):
    """Are purpose, level, hint, cases, principles and the options' misconceptions read from the file?"""
    question = quiz.question("checkout")
    assert quiz.purpose == "check"
    assert (question.level, question.cases, question.principles) == ("apply", ("lifecycle-view",), (1,))
    assert question.hint.startswith("Ask whether")
    assert question.option("program").misconception == "any-big-work-is-a-program"


def test_a_file_without_the_new_fields_still_loads(tmp_path):
    """While authors convert the bank, does a quiz lacking purpose, level, hint and misconceptions still load?"""
    old = copy.deepcopy(SAMPLE)
    old.pop("purpose")
    for question in old["questions"]:
        for field in ("level", "hint", "cases", "principles"):
            question.pop(field, None)
        for option in question["options"]:
            option.pop("misconception", None)
    quiz = load_quiz(sample_quiz(tmp_path, old))
    assert quiz.purpose is None and quiz.question("checkout").level is None and quiz.question("checkout").hint is None


def test_a_right_single_choice_is_confirmed_with_its_reason(quiz):
    """Does a right answer say it is right and why?"""
    feedback = check_answer(quiz.question("checkout"), "project")
    assert feedback.correct and "delivering it is what a project manager does" in feedback.as_text()


def test_a_first_miss_explains_the_choice_hints_and_links_but_never_gives_the_key(quiz):
    """Does a first wrong answer give its reason, the belief behind it, the hint and the section, and not the key?"""
    question = quiz.question("checkout")
    beliefs = {key: item.belief for key, item in load_misconceptions().items()}
    feedback = check_answer(question, "program", beliefs=beliefs)
    text = feedback.as_text()
    assert text.startswith("Not yet.") and "single piece of work stands on its own" in text
    assert beliefs["any-big-work-is-a-program"] in text
    assert "Hint: Ask whether the work has an end date" in text
    assert "Review lesson 01-two-pms, section “What a project is”" in text
    key = question.option("project")
    assert key.text not in text and key.explanation not in text and key.text not in feedback.as_html()


def test_the_key_and_its_reason_come_when_revealed(quiz):
    """After a second miss or on request, does the feedback name the right option and why?"""
    question = quiz.question("checkout")
    text = check_answer(question, "marketing", reveal=True).as_text()
    assert "The answer: “The project manager”" in text and "delivering it is what a project manager does" in text
    shown = answer_only(question)
    assert shown.correct is None and "The project manager" in shown.as_text()


def test_multiple_select_first_miss_never_names_the_missing_options(quiz):
    """Does a partly right multiple-select answer explain the wrong pick, say something is missing, and not what?"""
    question = quiz.question("program-work")
    feedback = check_answer(question, ["in-step", "messaging"])
    text = feedback.as_text()
    assert not feedback.correct and "“Writing the launch message for a new release” does not belong" in text
    assert "At least one option that belongs is not ticked yet." in text
    assert "Running three related products" not in text
    revealed = check_answer(question, ["in-step", "messaging"], reveal=True).as_text()
    assert "You left out “Running three related products' release projects together”" in revealed
    assert check_answer(question, ["releases", "in-step"]).correct


def test_no_answer_gives_no_feedback_and_no_point(quiz):
    """Is an unanswered question neither praised nor scored?"""
    assert check_answer(quiz.question("checkout"), None) is None and is_right(quiz.question("checkout"), []) is None
    assert score(quiz, {}) == 0
    assert score(quiz, {"checkout": "project", "program-work": ["releases", "in-step"]}) == 2


def test_an_unknown_option_key_is_explained_not_crashed(quiz):
    """Does a hand-edited answer naming a missing option get an explanation instead of an exception?"""
    feedback = check_answer(quiz.question("checkout"), "zebra")
    assert not feedback.correct and "no option zebra" in feedback.as_text()


def test_option_order_is_per_learner_and_per_item_and_stable(quiz):
    """Do two seeds order some item differently, while one seed always gives the same order?"""
    question = quiz.question("checkout")
    orders = {tuple(o.key for o in option_order(question, f"random:{n}", "sample")) for n in range(12)}
    assert len(orders) > 1
    assert option_order(question, "random:a", "sample") == option_order(question, "random:a", "sample")
    assert sorted(o.key for o in option_order(question, "random:a", "sample")) == sorted(o.key for o in
                                                                                       question.options)
    record = shown_record(quiz.questions, "random:a", "sample")
    assert record["questions"] == ["checkout", "program-work"]
    assert record["options"]["checkout"] == [o.key for o in option_order(question, "random:a", "sample")]


def test_attempts_keep_the_first_answer_and_count_misses():
    """Is the first checked answer kept, the same answer re-checked not counted, and the answer shown at two misses?"""
    attempts = Attempts()
    assert attempts.record("program", False) and not attempts.record("program", False)
    assert (attempts.count, attempts.misses, attempts.answer_shown) == (1, 1, False)
    attempts.record("marketing", False)
    attempts.record("project", True)
    assert (attempts.first, attempts.first_correct, attempts.count, attempts.answer_shown) == ("program", False, 3,
                                                                                               True)
    assert Attempts.from_record(attempts.as_record()) == attempts
    assert Attempts.from_record({"count": "many"}) == Attempts()


@pytest.mark.parametrize(
    "breakage, words",
    [
        (lambda q: q["questions"][0].pop("prompt"), "question 1 (checkout): missing 'prompt'"),
        (lambda q: q["questions"][0].update(kind="essay"), "kind must be 'single' or 'multiple'"),
        (lambda q: q["questions"][0]["options"][0].update(correct=True), "exactly one correct option, not 2"),
        (lambda q: q["questions"][1].update(id="checkout"), "question 2 (checkout): id 'checkout' is used twice"),
        (lambda q: q["questions"][1]["options"][0].update(correct="yes"),
         "question 2 (program-work), option 1: 'correct' must be true or false"),
        (lambda q: q.update(questions=[]), "questions: must be a non-empty list"),
        (lambda q: q.update(purpose="exam"), "purpose must be one of diagnostic, warm-up, check, final"),
        (lambda q: q["questions"][0].update(level="create"), "question 1 (checkout): level must be one of remember"),
        (lambda q: q["questions"][0].update(hint=""), "question 1 (checkout): 'hint' must be one sentence"),
        (lambda q: q["questions"][0].update(cases="lifecycle-view"), "'cases' must be a list of case ids"),
        (lambda q: q["questions"][0].update(principles=[10]), "'principles' must be a list of the article's"),
        (lambda q: q["questions"][0]["options"][1].update(misconception=7),
         "question 1 (checkout), option 2: 'misconception' must be an id"),
        (lambda q: q["questions"][0]["options"][1].update(text=["not", "text"]), "option 2: 'text' must be non-empty"),
    ],
)
def test_a_broken_quiz_file_gets_its_own_one_line_error(breakage, words):
    """Does each kind of mistake in a quiz file produce one line that names the file, the question and what?"""
    content = copy.deepcopy(SAMPLE)
    breakage(content)
    with pytest.raises(DataFileError) as caught:
        parse_quiz(content, source="my-quiz.json")
    message = str(caught.value)
    assert message.startswith("my-quiz.json, ") and words in message and "\n" not in message


def test_a_quiz_file_that_is_not_json_is_reported(tmp_path):
    """Is a quiz file with a syntax error reported with its path?"""
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(DataFileError, match="broken.json: not valid JSON"):
        load_quiz(path)


def test_the_misconception_catalogue_loads_and_bad_rows_are_named(tmp_path):
    """Does the shipped catalogue load by id, and is a row with a bad lesson id reported with its row and column?"""
    catalogue = load_misconceptions()
    assert "product-is-a-project" in catalogue
    assert catalogue["product-is-a-project"].see.lesson == catalogue["product-is-a-project"].lesson
    bad = tmp_path / "misconceptions.csv"
    bad.write_text("misconception_id,belief,lesson,section\nx-y,A belief.,lesson one,Somewhere\n")
    with pytest.raises(DataFileError, match=r"row 1 \(line 2\), column 'lesson'"):
        load_misconceptions(bad)
