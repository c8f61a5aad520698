"""Does the quiz widget react to a learner and keep their answers?"""
from __future__ import annotations

from course.answers import ANSWER_FILE_NAME, AnswerStore
from course.widgets import QuizWidget


def _radio(widget, question_id):
    return widget._blocks[question_id]._radio


def test_choosing_an_option_shows_explained_feedback_at_once(tmp_path):
    """When a learner clicks a wrong option, does the feedback explain it and link the lesson section?"""
    widget = QuizWidget("00-start-here", folder=tmp_path)
    _radio(widget, "checkout-rebuild").value = "program"
    feedback = widget._blocks["checkout-rebuild"]._feedback.value
    assert "Not yet" in feedback and "several projects" in feedback
    assert "Three roles that share two letters" in feedback
    _radio(widget, "checkout-rebuild").value = "project"
    assert "Right" in widget._blocks["checkout-rebuild"]._feedback.value


def test_ticking_boxes_saves_a_list_and_explains_missing_ones(tmp_path):
    """Does a multiple-select question save the ticked keys and explain a missed option?"""
    widget = QuizWidget("00-start-here", folder=tmp_path)
    widget._blocks["program-manager"]._boxes["interdependent"].value = True
    assert widget.answers["program-manager"] == ["interdependent"]
    assert "You left out" in widget._blocks["program-manager"]._feedback.value


def test_a_recreated_widget_shows_the_saved_answers(tmp_path):
    """After the cell is run again (or the notebook reopened), are the answers and their feedback back?"""
    first = QuizWidget("00-start-here", folder=tmp_path)
    first.answer("after-launch", "project")
    first.answer("program-manager", ["interdependent", "related-releases"])
    second = QuizWidget("00-start-here", folder=tmp_path)
    assert _radio(second, "after-launch").value == "project"
    assert second._blocks["program-manager"]._boxes["related-releases"].value is True
    assert "Not yet" in second._blocks["after-launch"]._feedback.value
    assert AnswerStore(tmp_path).answers_for("00-start-here")["after-launch"] == "project"


def test_a_corrupt_answer_file_is_a_message_and_the_widget_starts_unanswered(tmp_path):
    """Does a damaged answer file show a message in the widget instead of a crash?"""
    (tmp_path / ANSWER_FILE_NAME).write_text("{{{ not json")
    widget = QuizWidget("00-start-here", folder=tmp_path)
    assert "damaged" in widget._keeper.message.value
    assert widget.answers == {}
    widget.answer("after-launch", "product")
    assert widget._keeper.message.value == ""
    assert AnswerStore(tmp_path).answers_for("00-start-here") == {"after-launch": "product"}
