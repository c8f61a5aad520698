"""Does the role sorter explain each assignment, keep answers, and accept typed answers?"""
from __future__ import annotations

from course.exercises.role_sorter import Statement, load_statements
from course.learner.answers import AnswerStore
from course.widgets import RoleSorterWidget


def test_statements_load_with_keys_and_lesson_links():
    """Does every shipped statement have a role, an explanation and a section to review?"""
    statements = load_statements()
    assert len(statements) >= 10
    assert all(s.role and s.explanation and s.see for s in statements)


def test_a_choice_is_judged_on_check_and_a_first_miss_explains_without_naming_the_role(tmp_path):
    """Is a chosen role saved but not judged until Check, and does a first miss say why, not which role is right?"""
    widget = RoleSorterWidget(folder=tmp_path)
    widget.controls("s03")["choice"].value = "project_manager"  # a choice in the dropdown
    assert widget.feedback_html("s03") == ""
    widget.check("s03")
    text = widget.feedback_text("s03")
    assert text.startswith("Not yet.") and "delivers one piece of work" in text
    assert "Programs: projects that depend on each other" in widget.feedback_html("s03")
    assert "program manager" not in widget.feedback_html("s03").lower().replace("program management", "")
    assert widget.controls("s03")["show_answer"].layout.display != "none"


def test_the_right_role_comes_after_a_second_miss_or_on_request(tmp_path):
    """Is the right role and why shown only after a second miss, or when the learner presses Show answer?"""
    widget = RoleSorterWidget(folder=tmp_path)
    widget.answer("s03", "project_manager")
    widget.answer("s03", "product_manager")
    assert "The answer: the program manager" in widget.feedback_text("s03")
    other = RoleSorterWidget("other", folder=tmp_path)
    other.answer("s01", "program_manager")
    assert "The answer" not in other.feedback_text("s01")
    other.show_answer("s01")
    assert "The answer: the product manager" in other.feedback_text("s01")
    other.answer("s01", "product_manager")
    assert other.feedback_text("s01").startswith("Right.")


def test_first_attempts_are_kept_and_restored(tmp_path):
    """Is a statement's first checked role kept, and does a new widget show the same stage of feedback?"""
    RoleSorterWidget(folder=tmp_path).answer("s02", "product_manager")
    saved = AnswerStore(tmp_path).section_for("attempts", "role-sorter")["s02"]
    assert (saved["first"], saved["first_correct"], saved["count"]) == ("product_manager", False, 1)
    again = RoleSorterWidget(folder=tmp_path)
    assert again.feedback_text("s02").startswith("Not yet.") and "The answer" not in again.feedback_text("s02")


def test_every_row_control_is_labelled(tmp_path):
    """Does each dropdown carry its statement as a programmatic label, beside a Check button?"""
    widget = RoleSorterWidget(folder=tmp_path)
    for statement_id, statement in widget.statements.items():
        assert widget.controls(statement_id)["choice"].description == statement.text
        assert widget.controls(statement_id)["check"].description == "Check"


def test_answers_are_saved_and_restored(tmp_path):
    """Are the chosen roles saved at once and shown again by a new widget?"""
    RoleSorterWidget(folder=tmp_path).choose("s01", "product_manager")
    again = RoleSorterWidget(folder=tmp_path)
    assert again.controls("s01")["choice"].value == "product_manager"
    assert AnswerStore(tmp_path).answers_for("role-sorter") == {"s01": "product_manager"}
    again.choose("s01", None)
    assert AnswerStore(tmp_path).answers_for("role-sorter") == {}


def test_without_a_key_answers_are_saved_but_not_judged(tmp_path):
    """In a graded assignment (no key in the student's version), is the answer saved with no verdict shown?"""
    widget = RoleSorterWidget("a-sorter", [Statement("x1", "Rank the backlog")], folder=tmp_path)
    widget.choose("x1", "project_manager")
    assert "when your instructor grades" in widget.feedback_html("x1")
    assert "Right" not in widget.feedback_html("x1") and "Not yet" not in widget.feedback_html("x1")
    assert set(widget.controls("x1")) == {"choice"}, "nothing to check without a key"
    store = AnswerStore(tmp_path)
    assert store.answers_for("a-sorter") == {"x1": "project_manager"}
    assert store.section_for("attempts", "a-sorter")["x1"]["first"] == "project_manager"
    assert store.section_for("shown", "a-sorter") == {"statements": ["x1"]}


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
    assert "ZeroDivisionError" in widget.message_html
    widget = RoleSorterWidget("w", folder=tmp_path, answers_in_code=lambda: ["not", "a", "dict"])
    assert "must return a dict" in widget.message_html
