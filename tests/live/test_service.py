"""The live class service in-process (no hub): scopes, one answer per student and item, summaries with no names.

The service's handlers authenticate through the hub; here the hub's answer is replaced by a table of test tokens
(name and scopes), so every rule the service applies itself can be checked quickly: who may post and read, which
answers are refused, the latest answer counting with the first kept, the session file the widgets read, the
instructor's commands and notebook view, the CSV export, and the tables living beside nbgrader's in the gradebook.
The real hub, with real tokens and servers, is exercised by tests/deploy/test_jupyterhub.py.
"""
from __future__ import annotations

import asyncio
import json
import re
import threading
import urllib.request

import pytest
from tornado.httpserver import HTTPServer
from tornado.ioloop import IOLoop
from tornado.netutil import bind_sockets

from course.cli import main
from course.live.client import LiveClient, LiveError
from course.live.protocol import ANSWER_SCOPE, MANAGE_SCOPE, READ_SCOPE
from course.live.render import summary_html, summary_text
from course.live.service import LiveState, _Handler, make_app
from course.live.store import LiveStore
from course.live.view import LiveClassView

from ..conftest import IN_CI

LESSON = "03-the-third-pm"
PREFIX = "/services/pm-course-live/"
TOKENS = {
    "t-ada": {"kind": "user", "name": "ada", "scopes": [ANSWER_SCOPE]},
    "t-kwame": {"kind": "user", "name": "kwame", "scopes": [ANSWER_SCOPE]},
    "t-lin": {"kind": "user", "name": "lin", "scopes": [READ_SCOPE, MANAGE_SCOPE]},
    "t-guest": {"kind": "user", "name": "guest", "scopes": []},
    "t-service": {"kind": "service", "name": "robot", "scopes": [ANSWER_SCOPE, READ_SCOPE, MANAGE_SCOPE]},
}


def _user_from_test_token(handler):
    token = handler.request.headers.get("Authorization", "").removeprefix("token ")
    return TOKENS.get(token)


def _serve(state: LiveState):
    """Serve on a port the system picks (port 0), read back once bound: no other process can be handed it."""
    ready, holder = threading.Event(), {}

    def run() -> None:
        asyncio.set_event_loop(asyncio.new_event_loop())
        server = HTTPServer(make_app(state, PREFIX))
        sockets = bind_sockets(0, "127.0.0.1")
        server.add_sockets(sockets)
        holder["port"] = sockets[0].getsockname()[1]
        holder["loop"] = IOLoop.current()
        ready.set()
        holder["loop"].start()
        server.stop()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(10)
    return thread, holder


@pytest.fixture
def service(tmp_path, monkeypatch):
    """(base URL, state): the service on loopback with a SQLite gradebook and a session folder in tmp_path."""
    monkeypatch.setattr(_Handler, "get_current_user", _user_from_test_token)
    state = LiveState(LiveStore(f"sqlite:///{tmp_path / 'gradebook.db'}"), tmp_path / "live-sessions")
    thread, holder = _serve(state)
    yield f"http://127.0.0.1:{holder['port']}{PREFIX}", state
    holder["loop"].add_callback(holder["loop"].stop)
    thread.join(10)


def _client(url: str, token: str) -> LiveClient:
    return LiveClient(url, token, timeout=10)


def _status(call) -> int:
    try:
        call()
    except LiveError as error:
        return error.status
    return 200


def test_only_instructors_open_and_read_only_students_answer(service):
    url, state = service
    lin, ada = _client(url, "t-lin"), _client(url, "t-ada")
    assert _status(lambda: ada.open_session(LESSON)) == 403
    session = lin.open_session(LESSON)
    assert session["new"] and session["open"] and session["opened_by"] == "lin"
    assert lin.open_session(LESSON)["id"] == session["id"], "a second session opened for the same lesson"
    assert json.loads((state.signal_folder / f"{LESSON}.json").read_text())["session"] == session["id"]
    assert _status(lambda: ada.summary(session["id"])) == 403
    assert _status(lambda: ada.answers(session["id"])) == 403
    assert _status(lambda: ada.sessions()) == 403
    assert _status(lambda: lin.post_answer(session["id"], LESSON, "define", "chain")) == 403
    assert _status(lambda: _client(url, "t-guest").post_answer(session["id"], LESSON, "define", "chain")) == 403
    assert _status(lambda: _client(url, "t-service").post_answer(session["id"], LESSON, "define", "chain")) == 403
    assert _status(lambda: _client(url, "nobody").sessions()) == 403
    assert _status(lambda: ada.post_answer(session["id"], LESSON, "define", "chain")) == 200


def test_answers_are_checked_and_the_latest_counts(service):
    url, state = service
    lin, ada, kwame = _client(url, "t-lin"), _client(url, "t-ada"), _client(url, "t-kwame")
    session = lin.open_session(LESSON)["id"]
    refused = {
        "unknown item": lambda: ada.post_answer(session, LESSON, "no-such-question", "chain"),
        "unknown option": lambda: ada.post_answer(session, LESSON, "define", "zzz"),
        "not a key": lambda: ada.post_answer(session, LESSON, "define", {"key": "chain"}),
        "another lesson's quiz": lambda: ada.post_answer(session, "01-two-pms", "define", "chain"),
        "a path the scenario lacks": lambda: ada.post_answer(session, "scenario-program-forms", "program-forms",
                                                             ["map", "fly"]),
        "no such session": lambda: ada.post_answer(session + 5, LESSON, "define", "chain"),
    }
    statuses = {name: _status(call) for name, call in refused.items()}
    assert statuses == {name: 409 if name == "no such session" else 400 for name in refused}, statuses
    ada.post_answer(session, LESSON, "define", "chain")
    ada.post_answer(session, LESSON, "define", "together")
    kwame.post_answer(session, LESSON, "define", "size")
    ada.post_answer(session, "scenario-program-forms", "program-forms", ["map", "joint"])
    kwame.post_answer(session, "scenario-program-forms", "program-forms", ["wait"])
    summary = lin.summary(session)
    items = {item["item"]: item for item in summary["items"]}
    define = {option["key"]: option for option in items["define"]["options"]}
    assert summary["students"] == 2 and items["define"]["answered"] == 2
    assert {key: (option["latest"], option["first"]) for key, option in define.items()} == {
        "chain": (0, 1), "together": (1, 0), "size": (1, 1), "company": (0, 0)}
    assert (items["define"]["latest_right"], items["define"]["first_right"], items["define"]["changed"]) == (1, 0, 1)
    assert define["chain"]["belief"].startswith("Any chain of projects")
    first = items["program-forms"]["funnel"][0]
    assert first["reached"] == 2 and {c["choice"]: c["took"] for c in first["choices"]} == {
        "map": 1, "clinic": 0, "everyone": 0, "wait": 1}
    assert next(c for c in first["choices"] if c["choice"] == "wait")["misconception"] == \
        "dependencies-need-no-coordination"
    assert not re.search(r"\b(ada|kwame)\b", json.dumps(summary)), "a name is in the summary"

    lin.close_session(session)
    assert not (state.signal_folder / f"{LESSON}.json").exists()
    assert _status(lambda: ada.post_answer(session, LESSON, "arises", "program")) == 409
    rows = lin.answers(session)
    assert {(row["student"], row["item"], row["answer"], row["first_answer"], row["right"]) for row in rows} >= {
        ("ada", "define", "together", "chain", "yes"), ("kwame", "define", "size", "size", "no")}


def test_the_summary_on_screen_shows_counts_and_misconceptions_never_names(service):
    url, _ = service
    lin = _client(url, "t-lin")
    session = lin.open_session(LESSON)["id"]
    _client(url, "t-ada").post_answer(session, LESSON, "define", "chain")
    summary = lin.summary(session)
    html = summary_html(summary)
    assert "Check Q1</b>: 1 answered" in html and "dependency-chain-is-program" in html and "✓" in html
    hidden = summary_html(summary, reveal=False)
    assert "dependency-chain-is-program" not in hidden and "✓" not in hidden, "the key shows while hidden"
    glance = html.split("At a glance", 1)[1].split("</table>", 1)[0]
    assert "Check Q1" in glance and "<code>dependency-chain-is-program</code> (1)" in glance
    assert "Warm-up Q1" not in glance, "an item nobody answered crowds the overview"
    assert re.search(r"100%\s+1  Each one needs the one before", summary_text(summary))
    request = urllib.request.Request(f"{url}sessions/{session}", headers={"Authorization": "token t-lin"})
    with urllib.request.urlopen(request, timeout=10) as response:
        page = response.read().decode()
    assert 'http-equiv="refresh"' in page and "Check Q1</b>: 1 answered" in page
    for text in (html, hidden, summary_text(summary), page):
        assert not re.search(r"\bada\b", text)


def test_the_instructor_commands_and_notebook_view(service, tmp_path, monkeypatch, capsys):
    url, _ = service
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t-lin")
    monkeypatch.setenv("PM_COURSE_LIVE_URL", url)
    assert main(["live", "show", "03"]) == 1
    assert "no live session for 03-the-third-pm" in capsys.readouterr().err
    assert main(["live", "start", "03"]) == 0
    assert "Opened live session 1 for 03-the-third-pm" in capsys.readouterr().out
    _client(url, "t-ada").post_answer(1, LESSON, "define", "chain")
    assert main(["live", "show", "03"]) == 0
    shown = capsys.readouterr().out
    assert "Check Q1 (define): 1 answered" in shown and "[dependency-chain-is-program]" in shown
    view = LiveClassView("03")
    assert "1 answered" in view.html and "Session 1 is open" in view.status_html
    written = view.export(tmp_path / "view.csv")
    assert "ada" in written.read_text()
    assert main(["live", "export", "03", "--anonymous", "--output", str(tmp_path / "anon.csv")]) == 0
    anonymous = (tmp_path / "anon.csv").read_text()
    assert "student-001" in anonymous and not re.search(r"\bada\b", anonymous)
    view.close_session()
    assert "closed" in view.status_html
    other = LiveClassView("01")  # the notebook cell alone can open a session: its Open session button
    assert "No session for this lesson yet" in other.status_html
    _button(other, "Open session").click()
    assert other.session["lesson"] == "01-two-pms" and other.session["open"] and "is open" in other.status_html
    assert main(["live", "status"]) == 0 and "session 1: 03-the-third-pm" in capsys.readouterr().out
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "t-ada")
    assert main(["live", "start", "03"]) == 1
    assert "403" in capsys.readouterr().err


def _button(container, description: str):
    """The button of that label in a widget tree, as the instructor finds it on the page."""
    for child in getattr(container, "children", ()):
        if getattr(child, "description", None) == description and hasattr(child, "click"):
            return child
        found = _button(child, description)
        if found is not None:
            return found
    return None


def test_the_instructor_view_off_the_hub_says_what_it_needs(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_API_TOKEN", raising=False)
    monkeypatch.delenv("PM_COURSE_LIVE_URL", raising=False)
    view = LiveClassView("03")
    assert "needs the class&#x27;s JupyterHub" in view.status_html
    assert main(["live", "status"]) == 1


def test_the_tables_sit_beside_nbgraders_in_the_gradebook(tmp_path, quick_gradebooks):
    from nbgrader.api import Gradebook
    from sqlalchemy import inspect

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_student("ada")
    store = LiveStore(url)
    session, _ = store.open_session(LESSON, "lin")
    store.record(session.id, "ada", LESSON, "define", "chain")
    with Gradebook(url) as gradebook:
        assert [student.id for student in gradebook.students] == ["ada"]
        tables = set(inspect(gradebook.db.get_bind()).get_table_names())
    assert {"pm_course_live_sessions", "pm_course_live_answers", "student"} <= tables


@pytest.mark.slow
def test_the_store_works_in_postgresql():
    from ..grading.postgres_server import postgres_bindir, running_postgres

    if postgres_bindir() is None:
        message = "PostgreSQL's server is not installed: apt-get install -y postgresql"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with running_postgres("livegradebook") as url:
        store = LiveStore(url)
        session, new = store.open_session(LESSON, "lin")
        assert new and store.open_session(LESSON, "lin") == (session, False)
        store.record(session.id, "ada", LESSON, "define", "chain")
        store.record(session.id, "ada", LESSON, "define", "together")
        (row,) = store.answers(session.id)
        assert (row["answer"], row["first_answer"], row["changes"]) == ("together", "chain", 1)
        assert store.close_session(session.id).open is False
