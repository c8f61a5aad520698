"""Does the quiz widget judge on Check, teach before it tells, shuffle fairly and keep what the learner did?"""
from __future__ import annotations

import json

import ipywidgets as widgets
import pytest

from course.exercises.quiz import load_quiz, unkeyed_quiz
from course.learner.answers import ANSWER_FILE_NAME, AnswerStore
from course.widgets import QuizWidget

from ..test_quiz import sample_quiz


@pytest.fixture
def quiz_file(tmp_path):
    return sample_quiz(tmp_path)


def _learner(tmp_path, name):
    folder = tmp_path / name
    folder.mkdir(exist_ok=True)
    return folder


def test_choosing_is_saved_but_judged_only_on_check(tmp_path, quiz_file):
    """Does clicking an option save it without a verdict, and does Check then judge it?"""
    widget = QuizWidget(quiz_file, folder=tmp_path)
    widget.controls("checkout")["choice"].value = "program"  # a click on the option
    assert AnswerStore(tmp_path).answers_for("sample") == {"checkout": "program"}
    assert widget.feedback_html("checkout") == "" and widget.attempts == {}
    widget.check("checkout")
    assert "Not yet" in widget.feedback_html("checkout")


def test_a_first_miss_teaches_without_the_key_and_a_second_reveals_it(tmp_path, quiz_file):
    """Is the key's text and reason absent after one wrong attempt, and present after a second?"""
    widget = QuizWidget(quiz_file, folder=tmp_path)
    key = load_quiz(quiz_file).question("checkout").option("project")
    widget.answer("checkout", "program")
    first = widget.feedback_html("checkout")
    assert "Not yet" in first and "single piece of work stands on its own" in first
    assert "Ask whether the work has an end date" in first and "What a project is" in first
    assert key.text not in first and key.explanation not in first
    reveal = widget.controls("checkout")["show_answer"]
    assert reveal.layout.display != "none", "Show answer is offered after a first miss"
    widget.answer("checkout", "marketing")
    second = widget.feedback_html("checkout")
    assert key.text in second and key.explanation in second
    assert reveal.layout.display == "none"


def test_show_answer_reveals_the_key_on_request(tmp_path, quiz_file):
    """Does pressing Show answer after one miss give the key and its reason, and is that recorded?"""
    widget = QuizWidget(quiz_file, folder=tmp_path)
    widget.answer("checkout", "product")
    widget.controls("checkout")["show_answer"].click()
    assert "The project manager" in widget.feedback_html("checkout")
    assert AnswerStore(tmp_path).section_for("attempts", "sample")["checkout"]["revealed"] is True


def test_a_right_answer_gives_its_reason(tmp_path, quiz_file):
    widget = QuizWidget(quiz_file, folder=tmp_path)
    widget.answer("checkout", "project")
    assert "Right" in widget.feedback_html("checkout")
    assert "delivering it is what a project manager does" in widget.feedback_html("checkout")


def test_multiple_select_is_judged_on_check_and_a_first_fail_names_no_missing_option(tmp_path, quiz_file):
    """Is a tick never judged, and does a first failed Check explain the wrong tick without naming what is missing?"""
    widget = QuizWidget(quiz_file, folder=tmp_path)
    boxes = widget.controls("program-work")
    boxes["in-step"].value = True  # a tick, as a click gives it
    assert widget.answers["program-work"] == ["in-step"] and widget.feedback_html("program-work") == ""
    boxes["messaging"].value = True
    assert widget.feedback_html("program-work") == ""
    widget.check("program-work")
    first = widget.feedback_html("program-work")
    assert "does not belong" in first and "not ticked yet" in first
    assert "Running three related products" not in first
    boxes["messaging"].value = False
    boxes["releases"].value = True
    widget.check("program-work")
    assert "Right" in widget.feedback_html("program-work")


def test_checking_nothing_is_not_an_attempt(tmp_path, quiz_file):
    widget = QuizWidget(quiz_file, folder=tmp_path)
    widget.check("program-work")
    assert "Tick at least one option" in widget.feedback_html("program-work") and widget.attempts == {}


def test_options_are_shuffled_per_learner_and_stable_across_recreation(tmp_path, quiz_file, monkeypatch):
    """Do two learners see some item in different orders, and one learner always the same order, as recorded?"""
    orders = {}
    for name in ("ada", "grace", "lin", "sam"):
        monkeypatch.setenv("JUPYTERHUB_USER", name)
        folder = _learner(tmp_path, name)
        widget = QuizWidget(quiz_file, folder=folder)
        orders[name] = {q: widget.options_shown(q) for q in ("checkout", "program-work")}
        again = QuizWidget(quiz_file, folder=folder)
        assert {q: again.options_shown(q) for q in orders[name]} == orders[name]
        radio_order = [key for _text, key in again.controls("checkout")["choice"].options]
        assert radio_order == orders[name]["checkout"], "the radio buttons show the recorded order"
        shown = AnswerStore(folder).section_for("shown", "sample")
        assert shown == {"questions": ["checkout", "program-work"], "options": orders[name]}
    assert len({json.dumps(order, sort_keys=True) for order in orders.values()}) > 1


def test_a_random_seed_is_kept_in_the_answer_file(tmp_path, quiz_file, monkeypatch):
    """Without a hub user, does a learner's order survive a new session through the seed in the answer file?"""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    first = QuizWidget(quiz_file, folder=tmp_path).options_shown("checkout")
    assert json.loads((tmp_path / ANSWER_FILE_NAME).read_text())["seed"].startswith("random:")
    assert QuizWidget(quiz_file, folder=tmp_path).options_shown("checkout") == first


def test_first_attempts_are_recorded_and_a_recreated_widget_restores_its_feedback_level(tmp_path, quiz_file):
    """Is the first answer checked kept with the count, and does a new widget show the same stage of feedback?"""
    widget = QuizWidget(quiz_file, folder=tmp_path)
    widget.answer("checkout", "program")
    widget.answer("program-work", ["in-step", "releases"])
    saved = AnswerStore(tmp_path).section_for("attempts", "sample")
    assert saved["checkout"]["first"] == "program" and saved["checkout"]["first_correct"] is False
    assert saved["checkout"]["count"] == 1 and saved["checkout"]["revealed"] is False
    assert saved["program-work"]["first_correct"] is True
    again = QuizWidget(quiz_file, folder=tmp_path)
    assert again.controls("checkout")["choice"].value == "program"
    assert "Not yet" in again.feedback_html("checkout") and "The project manager" not in again.feedback_html("checkout")
    assert again.controls("checkout")["show_answer"].layout.display != "none"
    assert "Right" in again.feedback_html("program-work")
    again.answer("checkout", "product")
    third = QuizWidget(quiz_file, folder=tmp_path)
    assert "The project manager" in third.feedback_html("checkout")
    assert AnswerStore(tmp_path).section_for("attempts", "sample")["checkout"]["first"] == "program"


def test_a_graded_quiz_says_saved_records_what_was_shown_and_the_first_answer(tmp_path):
    """Without a key, is an answer saved with the 'marked when graded' message, no verdict and no Check button?"""
    graded = unkeyed_quiz("graded", "Graded", [("q1", "Which role?", {"a": "Product", "b": "Project",
                                                                      "c": "Program"}, "single")])
    widget = QuizWidget(graded, folder=tmp_path)
    assert not any(isinstance(control, widgets.Button) for control in widget.controls("q1").values())
    widget.choose("q1", "b")
    widget.choose("q1", "c")
    html = widget.feedback_html("q1")
    assert "marked when your instructor grades" in html and "Right" not in html and "Not yet" not in html
    store = AnswerStore(tmp_path)
    assert store.answers_for("graded") == {"q1": "c"}
    assert store.section_for("attempts", "graded")["q1"]["first"] == "b"
    assert store.section_for("shown", "graded")["options"]["q1"] == widget.options_shown("q1")


def test_every_control_has_a_programmatic_label_and_buttons_are_buttons(tmp_path, quiz_file):
    """Can a screen-reader or keyboard user reach and name every control of a question?"""
    widget = QuizWidget(quiz_file, folder=tmp_path)
    for question in widget.quiz.questions:
        controls = widget.controls(question.id)
        # a radio group is named in the page by the prompt above it (aria-labelledby; the test below), every other
        # control by its description
        assert all(control.description for name, control in controls.items() if name != "choice")
        check, reveal = controls["check"], controls["show_answer"]
        assert isinstance(check, widgets.Button) and check.description == "Check"
        assert isinstance(reveal, widgets.Button) and reveal.description == "Show answer"
        assert check.tooltip and reveal.tooltip


def test_a_corrupt_answer_file_is_a_message_and_is_kept_until_the_learner_answers(tmp_path, quiz_file, monkeypatch):
    """Does a damaged answer file show a message, stay untouched on display, and get replaced by the next answer?"""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    (tmp_path / ANSWER_FILE_NAME).write_text("{{{ not json")
    widget = QuizWidget(quiz_file, folder=tmp_path)
    assert "damaged" in widget.message_html
    assert widget.answers == {}
    assert (tmp_path / ANSWER_FILE_NAME).read_text() == "{{{ not json"
    widget.answer("checkout", "project")
    assert widget.message_html == ""
    store = AnswerStore(tmp_path)
    assert store.answers_for("sample") == {"checkout": "project"}
    assert store.section_for("shown", "sample")["options"]["checkout"] == widget.options_shown("checkout")
    orders = {q: widget.options_shown(q) for q in ("checkout", "program-work")}
    again = QuizWidget(quiz_file, folder=tmp_path)
    assert {q: again.options_shown(q) for q in orders} == orders, "the order seen before the repair is kept"


def test_the_shipped_lesson_quizzes_build(tmp_path):
    """Does every quiz in data/quizzes/ build a widget (the bank loads, whatever stage its conversion is at)?"""
    from course.paths import data_dir

    for path in sorted((data_dir() / "quizzes").glob("*.json")):
        widget = QuizWidget(path.stem, folder=tmp_path)
        assert all(widget.controls(question.id) for question in widget.quiz.questions)



def test_each_question_names_its_group_of_options_by_its_prompt(tmp_path, quiz_file):
    """Is each radio group labelled with its question (in the page, the prompt through role="radiogroup" and
    aria-labelledby, which tests/browser/test_accessibility.py checks in Chromium), and the prompt shown once (no
    description, which ipywidgets draws as a second, cut-off copy beside the options)?"""
    widget = QuizWidget(quiz_file, folder=tmp_path)
    question = widget.quiz.question("checkout")
    assert widget.controls("checkout")["choice"].description == ""
    title, _message, first, _second = widget.children
    assert "aria-labelledby" in title.value, "the script that names each group comes with the quiz"
    assert f'class="pm-group-label">1. {question.prompt}' in first.children[0].value.replace("&#x27;", "'")
