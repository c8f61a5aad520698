"""Do the company-size explorer and the RACI builder check what they promise?"""
from __future__ import annotations

import json

import pytest

from course.errors import DataFileError
from course.exercises.company_size import load_stages
from course.exercises.raci import load_raci
from course.learner.answers import AnswerStore
from course.paths import data_dir
from course.widgets import CompanySizeExplorer, RaciBuilder


def test_stages_run_from_one_person_to_specialists():
    """Do the shipped stages go from every role in one person (5) to specialists (5,000)?"""
    patterns = {stage.size: stage.pattern for stage in load_stages()}
    assert patterns[5] == "one" and patterns[5000] == "specialists" and patterns[50] == "shared"


def test_a_wrong_prediction_is_explained_without_the_right_pattern_until_revealed():
    """Does check_pattern say why a prediction is wrong with a hint, naming the right pattern only with reveal?"""
    from course.exercises.company_size import PATTERNS, answer_only, check_pattern

    stages = {stage.size: stage for stage in load_stages()}
    for stage in stages.values():
        for wrong in set(PATTERNS) - {stage.pattern}:
            first = check_pattern(stage, wrong)
            assert first.correct is False and first.hint and not first.answer
            assert PATTERNS[stage.pattern] not in first.as_text() and stage.why not in first.as_text()
            revealed = check_pattern(stage, wrong, reveal=True)
            assert PATTERNS[stage.pattern] in revealed.as_text() and stage.why in revealed.as_text()
    assert check_pattern(stages[500], "shared").correct and check_pattern(stages[500], None) is None
    assert answer_only(stages[5]).answer[0] == "At 5 people, one person holds every role there is."


def test_explorer_judges_on_check_and_a_first_miss_explains_without_the_pattern(tmp_path):
    """Is a prediction saved but not judged until Check, and does a first miss say why without the right pattern or
    who holds the roles?"""
    explorer = CompanySizeExplorer(folder=tmp_path)
    explorer.controls(5)["choice"].value = "specialists"  # a choice in the dropdown
    assert explorer.feedback_html(5) == "" and explorer.attempts == {}
    assert AnswerStore(tmp_path).answers_for("company-size") == {"5": "specialists"}
    explorer.controls(5)["check"].click()
    first = explorer.feedback_text(5)
    assert first.startswith("Not yet.") and "Specialists mean every role exists" in first and "Hint:" in first
    assert "one person holds every role" not in first and "a founder" not in explorer.feedback_html(5)
    assert explorer.controls(5)["show_answer"].layout.display != "none", "Show answer is offered after a miss"
    assert AnswerStore(tmp_path).section_for("attempts", "company-size")["5"]["first_correct"] is False


def test_explorer_gives_the_pattern_and_the_holders_after_a_second_miss_or_on_request(tmp_path):
    """After a second wrong Check (or Show answer), does the explorer give the right pattern, its reason and who
    holds each role, and is a checked prediction restored at the same stage by a new widget?"""
    explorer = CompanySizeExplorer(folder=tmp_path)
    explorer.answer(5, "specialists")
    explorer.answer(5, "shared")
    second = explorer.feedback_text(5)
    assert "The answer: At 5 people, one person holds every role there is." in second
    assert "a founder" in explorer.feedback_html(5)
    assert explorer.controls(5)["show_answer"].layout.display == "none"
    again = CompanySizeExplorer(folder=tmp_path)
    assert again.answers == {"5": "shared"} and "The answer: At 5 people" in again.feedback_text(5)
    explorer.show_answer(50)
    assert "At 50 people, a few people share the roles." in explorer.feedback_text(50)
    assert "the one PM" in explorer.feedback_html(50)
    explorer.answer(5000, "specialists")
    assert explorer.feedback_text(5000).startswith("Right.") and "program managers" in explorer.feedback_html(5000)


def test_explorer_check_without_a_prediction_is_not_an_attempt(tmp_path):
    explorer = CompanySizeExplorer(folder=tmp_path)
    explorer.check(500)
    assert "Choose a pattern" in explorer.feedback_html(500) and explorer.attempts == {}


ROLES = ("product_manager", "project_manager", "product_marketing_manager", "sales")
KEY = {"product_manager": "C", "project_manager": "A", "product_marketing_manager": "I", "sales": "I"}
EXERCISE = {
    "id": "practice", "title": "A promised report", "situation": "Sales promised a report nobody assessed.",
    "roles": list(ROLES),
    "see": {"lesson": "05-who-decides-what", "section": "Deciding what versus making it happen"},
    "activities": [
        {"id": "decide", "text": "Decide whether the report goes on the roadmap",
         "given": {"product_manager": "A", "project_manager": "C", "product_marketing_manager": "I", "sales": "C"},
         "key": {"product_manager": "A", "project_manager": "C", "product_marketing_manager": "I", "sales": "C"},
         "why": "Deciding what the product does is the product manager's call; the others advise or hear."},
        {"id": "assess", "text": "Assess what the report does to the schedule", "given": {"sales": "I"},
         "key": KEY, "why": "Assessing the effect on delivery is project management."},
        {"id": "deliver", "text": "Deliver the report if it is approved", "key": KEY,
         "why": "Delivering approved work on time is the project manager's accountability."},
    ],
}


@pytest.fixture
def practice(tmp_path):
    path = tmp_path / "practice.json"
    path.write_text(json.dumps(EXERCISE))
    return load_raci(path)


def test_a_raci_row_is_judged_on_check_not_on_each_letter(tmp_path, practice):
    """Does choosing letters save them without a verdict, with Check judging the full row?"""
    builder = RaciBuilder(practice, folder=tmp_path)
    builder.set("deliver", "project_manager", "R")
    assert builder.feedback_html("deliver") == ""
    assert AnswerStore(tmp_path).answers_for("raci-practice")["deliver"] == {"project_manager": "R"}
    builder.check("deliver")
    assert "still blank" in builder.feedback_html("deliver") and builder.attempts == {}


def test_a_first_wrong_check_names_the_kind_of_mistake_not_the_letters(tmp_path, practice):
    """Are zero and two Accountables named as such, and a wrong column named without the key's letters?"""
    builder = RaciBuilder(practice, folder=tmp_path)
    builder.fill("deliver", {"product_manager": "C", "project_manager": "R", "product_marketing_manager": "I",
                             "sales": "I"})
    builder.check("deliver")
    text = builder.feedback_text("deliver")
    assert "Nobody is Accountable" in text and "project manager's accountability" in text
    assert "The answer" not in text and "Product manager: C" not in text
    other = RaciBuilder(practice, widget_id="other", folder=tmp_path)
    other.fill("deliver", {"product_manager": "A", "project_manager": "A", "product_marketing_manager": "I",
                           "sales": "I"})
    other.check("deliver")
    assert "both Accountable" in other.feedback_text("deliver")
    third = RaciBuilder(practice, widget_id="third", folder=tmp_path)
    third.fill("deliver", {"product_manager": "R", "project_manager": "A", "product_marketing_manager": "I",
                           "sales": "C"})
    third.check("deliver")
    text = third.feedback_text("deliver")
    assert "the columns Product manager and Sales are off" in text
    assert "Consulted rather than" not in text and "The answer" not in text


def test_the_row_comes_after_a_second_miss_or_on_request(tmp_path, practice):
    """After a second wrong Check (or Show answer), does the row say what each off column should be?"""
    builder = RaciBuilder(practice, folder=tmp_path)
    builder.fill("deliver", {"product_manager": "A", "project_manager": "R", "product_marketing_manager": "I",
                             "sales": "I"})
    builder.check("deliver")
    assert builder.reveals["deliver"].layout.display != "none"
    builder.set("deliver", "product_manager", "R")
    builder.set("deliver", "project_manager", "A")
    builder.check("deliver")
    text = builder.feedback_text("deliver")
    assert "Product manager: Consulted rather than Responsible" in text
    assert "The answer: Product manager: C (Consulted); Project manager: A (Accountable)" in text
    other = RaciBuilder(practice, widget_id="other", folder=tmp_path)
    other.show_answer("deliver")
    assert "Project manager: A (Accountable)" in other.feedback_text("deliver")
    builder.set("deliver", "product_manager", "C")
    builder.check("deliver")
    assert builder.feedback_text("deliver").startswith("Right.")


def test_given_letters_are_locked_and_a_full_row_is_a_worked_example(tmp_path, practice):
    """Are given letters filled and locked, and is a fully given row shown worked, with no Check to press?"""
    builder = RaciBuilder(practice, folder=tmp_path)
    assert builder.cells[("assess", "sales")].value == "I" and builder.cells[("assess", "sales")].disabled
    assert not builder.cells[("assess", "project_manager")].disabled
    assert all(builder.cells[("decide", role)].disabled for role in ROLES)
    assert "decide" not in builder.checks and "the others advise or hear" in builder.feedback_html("decide")
    builder.fill("assess", {"product_manager": "C", "project_manager": "A", "product_marketing_manager": "I"})
    builder.check("assess")
    assert builder.feedback_text("assess").startswith("Right.")
    assert RaciBuilder(practice, folder=tmp_path).grid["assess"] == KEY


def test_raci_first_attempts_are_recorded_and_restored(tmp_path, practice):
    """Is a row's first checked set of letters kept, and does a re-created grid show the same feedback stage?"""
    builder = RaciBuilder(practice, folder=tmp_path)
    wrong = {"product_manager": "A", "project_manager": "R", "product_marketing_manager": "I", "sales": "I"}
    builder.fill("deliver", wrong)
    builder.check("deliver")
    saved = AnswerStore(tmp_path).section_for("attempts", "raci-practice")["deliver"]
    assert saved["first"] == wrong and saved["first_correct"] is False and saved["count"] == 1
    again = RaciBuilder(practice, folder=tmp_path)
    assert again.grid["deliver"] == wrong
    assert "Not yet" in again.feedback_html("deliver") and "The answer" not in again.feedback_text("deliver")


def test_raci_controls_are_labelled(tmp_path, practice):
    """Does each letter cell name its role and activity for a screen reader?"""
    builder = RaciBuilder(practice, folder=tmp_path)
    assert builder.cells[("deliver", "sales")].description == "Sales for “Deliver the report if it is approved”"
    assert builder.checks["deliver"].description == "Check"


def test_the_shipped_raci_exercise_loads_with_its_fading(tmp_path):
    """Does data/raci/sales-promise.json load, every given letter agreeing with the key, and build a grid?"""
    exercise = load_raci("sales-promise")
    for activity in exercise.activities:
        assert all(activity.key[role] == letter for role, letter in activity.given.items())
    builder = RaciBuilder(folder=tmp_path)
    assert set(builder.checks) == {activity.id for activity in exercise.asked}


def test_a_raci_key_with_two_accountables_is_refused(tmp_path):
    """Is an instructor's RACI file whose key breaks the one-A rule refused with the activity named?"""
    raw = json.loads((data_dir() / "raci" / "sales-promise.json").read_text())
    raw["activities"][0]["key"]["sales"] = "A"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(DataFileError, match="activity decide: the key must have exactly one A"):
        load_raci(path)


@pytest.mark.parametrize("change, words", [
    (lambda a: a["activities"][1]["given"].update(sales="A"), "activity assess: 'given' disagrees with the key"),
    (lambda a: a["activities"][1]["given"].update(cfo="I"), "activity assess: 'given' must map roles"),
    (lambda a: a["activities"][0].update(why=""), "activity decide: a worked example needs its 'why'"),
])
def test_bad_given_letters_are_refused_with_the_activity_named(tmp_path, change, words):
    """Is a RACI file whose given letters contradict the key, or name an unknown role, refused in one line?"""
    raw = json.loads(json.dumps(EXERCISE))
    change(raw)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(DataFileError, match=words):
        load_raci(path)
