"""Does the widget base class keep answers as traits saved in one place, and give every checked widget the same
attempt rules through its public hooks?"""
from __future__ import annotations

import ipywidgets as widgets
import pytest

from course.exercises.feedback import Feedback
from course.exercises.quiz import unkeyed_quiz
from course.learner.answers import ANSWER_FILE_NAME, AnswerStore
from course.widgets import QuizWidget, RoleSorterWidget
from course.widgets.base import CheckedItemsWidget


class Capitals(CheckedItemsWidget):
    """The smallest checked widget: type a capital, press Check (a text box per item, keyed)."""

    KEY = {"france": "paris", "peru": "lima"}

    def __init__(self, folder, answers_in_code=None):
        super().__init__("capitals", self.KEY, folder)
        self._boxes = {item: widgets.Text(description=item) for item in self.KEY}
        self._feedback = {item: widgets.HTML() for item in self.KEY}
        self._reveals = {item: widgets.Button(description="Show answer") for item in self.KEY}
        for item, box in self._boxes.items():
            box.observe(lambda change, item=item: self._chosen(item, change["new"]), names="value")
        self.children = [self.message, *self._boxes.values(), *self._feedback.values()]
        self._show_saved(answers_in_code)

    def controls(self, item):
        return {"choice": self._boxes[item], "show_answer": self._reveals[item]}

    def _has_key(self, item):
        return True

    def _judge(self, item, answer):
        return answer == self.KEY[item]

    def _verdict(self, item, answer, reveal):
        if answer == self.KEY[item]:
            return Feedback(True)
        return Feedback(False, ("Not a capital of that country.",), answer=(self.KEY[item],) if reveal else ())

    def _answer_only(self, item):
        return Feedback(None, answer=(self.KEY[item],))

    def _show(self, item, answer):
        self._boxes[item].value = answer or ""

    def _feedback_widget(self, item):
        return self._feedback[item]


@pytest.fixture
def saves(monkeypatch):
    """Every call of AnswerStore.save: (widget id, answers, sections)."""
    calls = []
    original = AnswerStore.save

    def counted(store, widget_id, answers, **sections):
        calls.append((widget_id, answers, sections))
        return original(store, widget_id, answers, **sections)

    monkeypatch.setattr(AnswerStore, "save", counted)
    return calls


def test_a_new_value_of_the_answers_trait_is_saved_by_the_widget_itself(tmp_path):
    """Is assigning the answers trait enough to save it (no handler saves by hand), and is it shown again?"""
    sorter = RoleSorterWidget(folder=tmp_path)
    sorter.answers = {"s01": "product_manager"}
    assert AnswerStore(tmp_path).answers_for("role-sorter") == {"s01": "product_manager"}
    assert RoleSorterWidget(folder=tmp_path).controls("s01")["choice"].value == "product_manager"


def test_showing_saved_answers_writes_nothing_and_a_choice_with_its_attempt_is_one_save(tmp_path, saves):
    """Does re-creating a widget leave the answer file alone, and does a choice that also records an attempt (a
    graded question) write answer and attempt together, once?"""
    graded = unkeyed_quiz("graded", "Graded", [("q1", "Which role?", {"a": "Product", "b": "Project"}, "single")])
    QuizWidget(graded, folder=tmp_path).choose("q1", "a")
    assert len(saves) == 1
    widget_id, answers, sections = saves[0]
    assert (widget_id, answers) == ("graded", {"q1": "a"}) and sections["attempts"]["q1"]["first"] == "a"
    saves.clear()
    again = QuizWidget(graded, folder=tmp_path)
    assert saves == [] and again.answers == {"q1": "a"}
    again.choose("q1", "a")
    assert saves == [], "the same answer again is no change, so nothing is written"


def test_a_subclass_gets_the_attempt_rules_from_the_base_class(tmp_path):
    """Does a widget that only says how to judge and draw get Check, a first miss without the key, the key after a
    second miss or on Show answer, attempts restored, and typed answers saved?"""
    widget = Capitals(tmp_path)
    widget.controls("france")["choice"].value = "lyon"  # typed into the box
    assert widget.feedback_html("france") == "" and widget.attempts == {}
    widget.check("france")
    assert widget.feedback_text("france") == "Not yet. Not a capital of that country."
    assert widget.answer_offered("france") and widget.controls("france")["show_answer"].layout.display != "none"
    widget.answer("france", "nice")
    assert "The answer: paris" in widget.feedback_text("france") and not widget.answer_offered("france")
    widget.show_answer("peru")
    assert widget.feedback_text("peru") == "The answer. The answer: lima"
    widget.check("peru")
    assert "Choose an answer" in widget.feedback_html("peru") and widget.attempts["peru"].count == 0
    again = Capitals(tmp_path)
    assert again.controls("france")["choice"].value == "nice" and "The answer: paris" in again.feedback_text("france")
    assert again.attempts["france"].first == "lyon" and again.attempts["france"].misses == 2
    typed = Capitals(tmp_path, answers_in_code=lambda: {"peru": "lima", "chile": "santiago"})
    assert typed.answers == {"france": "nice", "peru": "lima"}, "only the widget's own items are taken"
    assert AnswerStore(tmp_path).answers_for("capitals")["peru"] == "lima"


def test_a_damaged_file_is_a_message_and_a_failed_save_keeps_the_answer_on_screen(tmp_path, monkeypatch):
    """Does a damaged answer file show a message and stay as it is until the learner answers, and does a save that
    fails say so while the answer stays in the widget?"""
    (tmp_path / ANSWER_FILE_NAME).write_text("{{{")
    widget = Capitals(tmp_path)
    assert "damaged" in widget.message_html and (tmp_path / ANSWER_FILE_NAME).read_text() == "{{{"
    widget.answer("france", "paris")
    assert widget.message_html == "" and AnswerStore(tmp_path).answers_for("capitals") == {"france": "paris"}

    def read_only(*_args, **_kwargs):
        raise OSError("Read-only file system")

    monkeypatch.setattr(AnswerStore, "save", read_only)
    widget.choose("peru", "lima")
    assert "could not be saved (Read-only file system)" in widget.message_html and widget.answers["peru"] == "lima"
