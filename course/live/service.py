"""The live class service: a small tornado app that JupyterHub starts and authenticates (course.live.service).

JupyterHub runs it as a managed service (``deploy/jupyterhub/jupyterhub_config.py``) and every request is
authenticated through the hub with :class:`jupyterhub.services.auth.HubOAuth`: a student's widget sends the
server's own ``JUPYTERHUB_API_TOKEN``, an instructor's tools theirs, a browser the hub's OAuth cookie. Who may do what
comes from the hub's roles, as custom scopes on the token (:mod:`course.live.protocol`):

============================  =====================================  ===============
request                       what it does                           scope needed
============================  =====================================  ===============
``POST api/answers``          keep a student's answer in a session   answer (students)
``GET api/sessions``          list the course's sessions             read (instructors)
``POST api/sessions``         open a lesson's session                manage (instructors)
``POST api/sessions/ID/close``  close it                             manage
``GET api/sessions/ID/summary``  counts and shares per item, no names   read
``GET api/sessions/ID/answers``  every answer, names included (CSV)    read
``GET sessions/ID``           the summary as a page for a projector  read
============================  =====================================  ===============

A request without the scope gets 403. An answer is kept only for an open session, for an item its lesson asks, and
when it is a valid answer to that item; the student is the token's user, never a name in the request. While a
session is open the service writes ``<lesson>.json`` in the session folder (``PM_COURSE_LIVE_SIGNAL``), which the
students' widgets read to know that they may send; closing removes it.

Settings (environment, set by the hub's config): ``PM_COURSE_DB_URL`` (the course's gradebook, where the two tables
live), ``PM_COURSE_LIVE_SIGNAL``, ``PM_COURSE_ID``, and JupyterHub's own ``JUPYTERHUB_SERVICE_URL``,
``JUPYTERHUB_SERVICE_PREFIX`` and ``JUPYTERHUB_API_TOKEN``.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from jupyterhub.services.auth import HubOAuth, HubOAuthCallbackHandler, HubOAuthenticated, check_scopes
from tornado import ioloop, web

from course.content.lesson_notebooks import QUIZ, ROLE_SORTER, SCENARIO, lesson_ids
from course.errors import DataFileError
from course.exercises.lesson_items import LessonItem, lesson_items
from course.exercises.quiz import chosen_keys
from course.live.protocol import ANSWER_SCOPE, MANAGE_SCOPE, READ_SCOPE, SERVICE_NAME, signal_file
from course.live.render import summary_html
from course.live.store import LiveStore, Session
from course.live.summary import answer_rows, summarise

LOG = logging.getLogger("pm-course-live")
MAX_BODY = 16 * 1024


class LiveState:
    """What every handler shares: the store, the session folder and the lessons' items (read once)."""

    def __init__(self, store: LiveStore, signal_folder: Path):
        self.store = store
        self.signal_folder = signal_folder
        self._items: dict[str, dict[tuple[str, str], LessonItem]] = {}

    def items(self, lesson: str) -> dict[tuple[str, str], LessonItem]:
        if lesson not in self._items:
            self._items[lesson] = {(item.widget_id, item.item_id): item for item in lesson_items(lesson)}
        return self._items[lesson]

    def announce(self) -> None:
        """Make the session folder say exactly which sessions are open (one file per lesson)."""
        self.signal_folder.mkdir(parents=True, exist_ok=True)
        open_now = {session.lesson: session for session in self.store.sessions() if session.open}
        for path in self.signal_folder.glob("*.json"):
            if path.stem not in open_now:
                path.unlink(missing_ok=True)
        for lesson, session in open_now.items():
            target = signal_file(self.signal_folder, lesson)
            content = json.dumps({"session": session.id, "lesson": lesson, "opened_at": session.as_json()["opened_at"]})
            if not target.is_file() or target.read_text(encoding="utf-8") != content:
                handle, temporary = tempfile.mkstemp(dir=self.signal_folder, prefix=".", suffix=".tmp")
                with os.fdopen(handle, "w", encoding="utf-8") as stream:
                    stream.write(content)
                os.chmod(temporary, 0o644)
                os.replace(temporary, target)


class _Handler(HubOAuthenticated, web.RequestHandler):
    """Authentication through the hub, scopes checked per request, errors as one-line JSON."""

    def initialize(self, state: LiveState) -> None:
        self.state = state

    def identity(self, scope: str) -> str:
        """The hub user making the request, who must hold ``scope``; 403 otherwise."""
        user = self.current_user
        if not user:
            raise web.HTTPError(403, "not allowed: log in through the class's JupyterHub")
        if user.get("kind", "user") != "user" or not check_scopes({scope}, set(user.get("scopes", []))):
            raise web.HTTPError(403, f"{user.get('name', '?')} may not do this ({scope} is needed)")
        return user["name"]

    def body(self) -> dict[str, Any]:
        if len(self.request.body) > MAX_BODY:
            raise web.HTTPError(413, "request too large")
        try:
            content = json.loads(self.request.body or b"{}")
        except ValueError:
            raise web.HTTPError(400, "the body must be JSON") from None
        if not isinstance(content, dict):
            raise web.HTTPError(400, "the body must be a JSON object")
        return content

    def session_or_404(self, session_id: str) -> Session:
        session = self.state.store.session(int(session_id))
        if session is None:
            raise web.HTTPError(404, f"no session {session_id}")
        return session

    def write_json(self, content: Any, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(content))

    def write_error(self, status_code: int, **kwargs) -> None:
        error = kwargs.get("exc_info", (None, None, None))[1]
        message = error.log_message if isinstance(error, web.HTTPError) and error.log_message else self._reason
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"status": status_code, "message": message}))


class SessionsHandler(_Handler):
    def get(self) -> None:
        self.identity(READ_SCOPE)
        store = self.state.store
        self.write_json({"sessions": [session.as_json(store.students(session.id)) for session in store.sessions()]})

    def post(self) -> None:
        instructor = self.identity(MANAGE_SCOPE)
        lesson = self.body().get("lesson")
        if lesson not in lesson_ids():
            raise web.HTTPError(400, f"no lesson {lesson!r}")
        session, new = self.state.store.open_session(lesson, instructor)
        self.state.announce()
        LOG.info("%s session %s for %s by %s", "opened" if new else "kept", session.id, lesson, instructor)
        self.write_json(dict(session.as_json(self.state.store.students(session.id)), new=new), 201 if new else 200)


class CloseHandler(_Handler):
    def post(self, session_id: str) -> None:
        self.identity(MANAGE_SCOPE)
        self.session_or_404(session_id)
        session = self.state.store.close_session(int(session_id))
        self.state.announce()
        self.write_json(session.as_json(self.state.store.students(session.id)))


class SummaryHandler(_Handler):
    def get(self, session_id: str) -> None:
        self.identity(READ_SCOPE)
        session = self.session_or_404(session_id)
        store = self.state.store
        self.write_json(summarise(session.lesson, store.answers(session.id),
                                  session.as_json(store.students(session.id))))


class AnswersHandler(_Handler):
    def get(self, session_id: str) -> None:
        self.identity(READ_SCOPE)
        session = self.session_or_404(session_id)
        rows = answer_rows(session.lesson, self.state.store.answers(session.id), session.as_json())
        self.write_json({"session": session.as_json(), "answers": rows})


class AnswerHandler(_Handler):
    def post(self) -> None:
        student = self.identity(ANSWER_SCOPE)
        content = self.body()
        session_id, widget, item_id = content.get("session"), content.get("widget"), content.get("item")
        if not isinstance(session_id, int) or not isinstance(widget, str) or not isinstance(item_id, str):
            raise web.HTTPError(400, "session (a number), widget and item are required")
        session = self.state.store.session(session_id)
        if session is None or not session.open:
            raise web.HTTPError(409, f"session {session_id} is not open")
        item = self.state.items(session.lesson).get((widget, item_id))
        if item is None:
            raise web.HTTPError(400, f"lesson {session.lesson} has no item {item_id} in {widget}")
        answer = content.get("answer")
        problem = invalid_answer(item, answer)
        if problem:
            raise web.HTTPError(400, problem)
        self.state.store.record(session.id, student, widget, item_id, answer)
        self.write_json({"stored": True, "session": session.id, "item": item_id})


def invalid_answer(item: LessonItem, answer: Any) -> str | None:
    """Why ``answer`` is no answer to ``item`` (None when it is one)."""
    if item.kind == SCENARIO:
        from course.exercises.scenario import load_scenario

        if not (isinstance(answer, list) and all(isinstance(step, str) for step in answer) and len(answer) <= 50):
            return "a scenario answer is the list of choice ids taken"
        try:
            load_scenario(item.item_id).follow(answer)
        except (ValueError, DataFileError):
            return "the path is not one the scenario offers"
        return None
    if item.kind == QUIZ and item.multiple:
        ok = isinstance(answer, list) and answer and all(isinstance(key, str) for key in answer)
    else:
        ok = isinstance(answer, str)
    if not ok:
        return "a quiz answer is an option key (a list of keys for a question with several)"
    keys = {option.key for option in item.options}
    if not chosen_keys(answer) <= keys:
        return f"{item.item_id} has no option {sorted(chosen_keys(answer) - keys)}"
    if item.kind == ROLE_SORTER and answer not in keys:
        return "a role-sorter answer is one role"
    return None


class PageHandler(_Handler):
    """A session's summary as an HTML page that refreshes itself, for a projector or a second screen."""

    @web.authenticated
    def get(self, session_id: str) -> None:
        self.identity(READ_SCOPE)
        session = self.session_or_404(session_id)
        store = self.state.store
        summary = summarise(session.lesson, store.answers(session.id), session.as_json(store.students(session.id)))
        reveal = self.get_argument("reveal", "1") != "0"
        first = self.get_argument("first", "0") == "1"
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        refresh = '<meta http-equiv="refresh" content="5">' if session.open else ""
        self.finish(f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{refresh}"
                    f"<title>Live: {escape(session.lesson)}</title></head><body style=\"font-family:sans-serif\">"
                    f"{summary_html(summary, reveal=reveal, first=first)}</body></html>")


class IndexHandler(_Handler):
    @web.authenticated
    def get(self) -> None:
        self.identity(READ_SCOPE)
        rows = "".join(f'<li><a href="sessions/{session.id}">session {session.id}</a>: {escape(session.lesson)}, '
                       f"opened {escape(session.as_json()['opened_at'])} by {escape(session.opened_by)}"
                       f"{' (open)' if session.open else ''}</li>" for session in reversed(self.state.store.sessions()))
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Live class view</title>"
                    f"</head><body style=\"font-family:sans-serif\"><h1>Live class view</h1><ul>{rows}</ul>"
                    "</body></html>")


def make_app(state: LiveState, prefix: str) -> web.Application:
    """The service's routes under ``prefix``; handlers authenticate with ``HubOAuth.instance()``, set up from the
    environment JupyterHub gives a managed service."""
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    options = {"state": state}
    handlers = [
        (prefix, IndexHandler, options),
        (prefix + "api/sessions", SessionsHandler, options),
        (prefix + r"api/sessions/(\d+)/close", CloseHandler, options),
        (prefix + r"api/sessions/(\d+)/summary", SummaryHandler, options),
        (prefix + r"api/sessions/(\d+)/answers", AnswersHandler, options),
        (prefix + "api/answers", AnswerHandler, options),
        (prefix + r"sessions/(\d+)", PageHandler, options),
        (prefix + "oauth_callback", HubOAuthCallbackHandler),
    ]
    return web.Application(handlers, cookie_secret=os.urandom(32))


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s %(name)s] %(message)s")
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", f"/services/{SERVICE_NAME}/")
    bind = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    database = os.environ.get("PM_COURSE_DB_URL")
    signal = os.environ.get("PM_COURSE_LIVE_SIGNAL")
    if not database or not signal:
        sys.exit("pm-course-live: PM_COURSE_DB_URL and PM_COURSE_LIVE_SIGNAL must be set (see jupyterhub_config.py)")
    if database.startswith("sqlite:///"):
        Path(database.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    state = LiveState(LiveStore(database, os.environ.get("PM_COURSE_ID", "pm-course")), Path(signal))
    state.announce()  # after a restart, the folder again says which sessions are open
    HubOAuth.instance(cache_max_age=60)  # the handlers' authenticator, from JupyterHub's environment
    app = make_app(state, prefix)
    app.listen(bind.port or 80, bind.hostname or "127.0.0.1")
    LOG.info("live class view at %s%s, answers in %s", bind.geturl().rstrip("/"), prefix,
             database.split("@")[-1])
    ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
