"""Does the role sorter explain each assignment, keep answers, and accept typed answers?"""
from __future__ import annotations

from course.answers import AnswerStore
from course.role_sorter import load_statements
from course.widgets import RoleSorterWidget
from course.widgets.role_sorter import statements_without_key


def test_statements_load_with_keys_and_lesson_links():
    """Does every shipped statement have a role, an explanation and a section to review?"""
    statements = load_statements()
    assert len(statements) >= 10
    assert all(s.role and s.explanation and s.see for s in statements)


def test_a_wrong_role_names_the_right_one_and_why(tmp_path):
    """When a learner picks the wrong role, does the feedback name the right role, say why, and link the lesson?"""
    widget = RoleSorterWidget(folder=tmp_path)
    widget._rows.dropdowns["s03"].value = "project_manager"
    text = widget.feedback_text("s03")
    assert text.startswith("Not yet.")
    assert "belongs to the program manager" in text and "interdependent" in text
    assert "Programs: projects that depend on each other" in widget._rows.feedback["s03"].value
    widget.choose("s03", "program_manager")
    assert widget.feedback_text("s03").startswith("Right.")


def test_answers_are_saved_and_restored(tmp_path):
    """Are the chosen roles saved at once and shown again by a new widget?"""
    RoleSorterWidget(folder=tmp_path).choose("s01", "product_manager")
    again = RoleSorterWidget(folder=tmp_path)
    assert again._rows.dropdowns["s01"].value == "product_manager"
    assert AnswerStore(tmp_path).answers_for("role-sorter") == {"s01": "product_manager"}
    again.choose("s01", None)
    assert AnswerStore(tmp_path).answers_for("role-sorter") == {}


def test_without_a_key_answers_are_saved_but_not_judged(tmp_path):
    """In a graded assignment (no key in the student's version), is the answer saved with no verdict shown?"""
    widget = RoleSorterWidget("a-sorter", statements_without_key({"x1": "Rank the backlog"}), folder=tmp_path)
    widget.choose("x1", "project_manager")
    assert "when your instructor grades" in widget._rows.feedback["x1"].value
    assert "Right" not in widget._rows.feedback["x1"].value and "Not yet" not in widget._rows.feedback["x1"].value
    assert AnswerStore(tmp_path).answers_for("a-sorter") == {"x1": "project_manager"}


def test_typed_answers_are_recorded_and_a_stub_means_use_the_widget(tmp_path):
    """Does a function returning answers fill the widget, while an unanswered stub leaves the saved answers?"""
    def stub():
        raise NotImplementedError()

    RoleSorterWidget("w", folder=tmp_path).choose("s02", "project_manager")
    assert RoleSorterWidget("w", folder=tmp_path, answers_in_code=stub).answers == {"s02": "project_manager"}
    typed = RoleSorterWidget("w", folder=tmp_path, answers_in_code=lambda: {"s04": "product_marketing_manager"})
    assert typed.answers == {"s02": "project_manager", "s04": "product_marketing_manager"}
    assert AnswerStore(tmp_path).answers_for("w")["s04"] == "product_marketing_manager"


def test_a_broken_answer_function_is_reported_in_the_widget(tmp_path):
    """Does an answer function that raises or returns a non-dict give a message instead of a traceback?"""
    def broken():
        return 1 / 0

    widget = RoleSorterWidget("w", folder=tmp_path, answers_in_code=broken)
    assert "ZeroDivisionError" in widget._keeper.message.value
    widget = RoleSorterWidget("w", folder=tmp_path, answers_in_code=lambda: ["not", "a", "dict"])
    assert "must return a dict" in widget._keeper.message.value
