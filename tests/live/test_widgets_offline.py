"""Self-paced stays self-contained: without a hub, or on a hub without an open session, a widget sends nothing.

The quiz, role sorter and scenario widgets each hold a live link (course.live.client). These tests answer each
widget with every socket connection made to fail loudly, and check that off a hub the widget holds NOT_LIVE and
shows exactly what it showed before, that on a hub nothing is sent until the service marks the lesson's session open,
and that then each answer is queued for the service, with the widget saying so, until the session closes.
"""
from __future__ import annotations

import json
import socket
import threading

import pytest

from course.live import client as live
from course.live.protocol import SIGNAL_VARIABLE, TOKEN_VARIABLE, URL_VARIABLE
from course.widgets import QuizWidget, RoleSorterWidget, ScenarioPlayer

LESSON = "01-two-pms"


@pytest.fixture
def no_network(monkeypatch):
    """Every attempt to open a connection is recorded and refused."""
    attempts: list[object] = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("the test forbids network connections")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


def _answer_every_widget(folder):
    quiz = QuizWidget("01-two-pms", folder=folder)
    question = quiz.quiz.questions[0]
    wrong = next(option.key for option in question.options if not option.correct)
    quiz.answer(question.id, wrong)
    sorter = RoleSorterWidget(folder=folder)
    sorter.answer("s01", "project_manager")
    player = ScenarioPlayer("ledger-after-launch", folder=folder)
    player.choose(player.scenario.nodes[player.scenario.start].choices[0].id)
    return quiz, sorter, player


def test_without_a_hub_no_connection_is_attempted_and_the_widgets_are_unchanged(tmp_path, monkeypatch, no_network):
    for name in (TOKEN_VARIABLE, URL_VARIABLE, SIGNAL_VARIABLE, "JUPYTERHUB_USER"):
        monkeypatch.delenv(name, raising=False)
    threads = {thread.name for thread in threading.enumerate()}
    quiz, sorter, player = _answer_every_widget(tmp_path)
    assert no_network == [], f"a widget tried to connect to {no_network}"
    for widget in (quiz, sorter, player):
        assert widget.live is live.NOT_LIVE
        assert not any("pm-live-notice" in getattr(child, "value", "") for child in widget.children)
    assert len(quiz.children) == 2 + len(quiz.quiz.questions), "the quiz gained a child off the hub"
    started = {thread.name for thread in threading.enumerate()} - threads
    assert not {name for name in started if name.startswith("pm-course-live")}, started


@pytest.fixture
def hub_environment(tmp_path, monkeypatch):
    signal = tmp_path / "live-sessions"
    signal.mkdir()
    monkeypatch.setenv(TOKEN_VARIABLE, "a-student-token")
    monkeypatch.setenv(URL_VARIABLE, "http://127.0.0.1:9/services/pm-course-live/")
    monkeypatch.setenv(SIGNAL_VARIABLE, str(signal))
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    return signal


def test_on_a_hub_without_a_session_nothing_is_sent(tmp_path, hub_environment, no_network):
    quiz, sorter, player = _answer_every_widget(tmp_path)
    assert no_network == [], f"a widget tried to connect to {no_network} with no session open"
    for widget in (quiz, sorter, player):
        assert widget.live and widget.live.lesson == LESSON
        assert widget.live.notice.value == ""


def test_while_a_session_is_open_each_answer_is_sent_and_the_widget_says_so(tmp_path, hub_environment, monkeypatch):
    posted: list[tuple] = []
    monkeypatch.setattr(live.LiveClient, "post_answer",
                        lambda self, *args: posted.append((self.token, *args)) or {"stored": True})
    (hub_environment / f"{LESSON}.json").write_text(json.dumps({"session": 7, "lesson": LESSON}))
    quiz, sorter, player = _answer_every_widget(tmp_path)
    assert live.flush(10)
    question = quiz.quiz.questions[0].id
    assert ("a-student-token", 7, "01-two-pms", question) == posted[0][:4]
    assert ("a-student-token", 7, "role-sorter", "s01", "project_manager") in posted
    path = player.run.path
    assert ("a-student-token", 7, "scenario-ledger-after-launch", "ledger-after-launch", list(path)) in posted
    assert "Live session open" in quiz.live.notice.value and quiz.live.notice in quiz.children

    (hub_environment / f"{LESSON}.json").unlink()  # the instructor closes the session
    count = len(posted)
    quiz.answer(question, next(o.key for o in quiz.quiz.questions[0].options if o.correct))
    assert live.flush(10) and len(posted) == count, "an answer was sent after the session closed"
    assert quiz.live.notice.value == ""


def test_a_session_of_another_lesson_or_a_graded_widget_sends_nothing(tmp_path, hub_environment, monkeypatch):
    posted: list[tuple] = []
    monkeypatch.setattr(live.LiveClient, "post_answer", lambda self, *args: posted.append(args))
    (hub_environment / "03-the-third-pm.json").write_text(json.dumps({"session": 3, "lesson": "03-the-third-pm"}))
    _answer_every_widget(tmp_path)
    graded = RoleSorterWidget("a1-role-sorter", folder=tmp_path)
    assert graded.live is live.NOT_LIVE, "a graded assignment's widget is linked to a lesson"
    assert live.flush(10) and posted == []
