"""Talking to the live class service: the students' widgets (each answer, in a session) and the instructor's tools.

The students' side is :func:`live_link`, the one call the quiz, role-sorter and scenario widgets make. Off a hub it
returns :data:`NOT_LIVE`, whose ``send`` does nothing: no file is read, no thread started, no socket opened, so a
self-paced learner's widget behaves exactly as before. On a hub it returns a :class:`LiveLink` for the widget's
lesson (found from the lesson notebooks, :func:`course.content.lesson_notebooks.widget_lessons`), which

* shows a notice in the widget while the lesson's session is open (answers are shared with the instructor, the
  class sees only counts), kept up to date by a background check of the session file every few seconds;
* on each answer, reads the session file the service writes while a session is open and, only if there is one,
  queues the answer for a background thread that posts it with the server's own hub token, so the widget never waits
  for the network; a refused or failed post is dropped silently (the learner's own saving is untouched).

:class:`LiveClient` is the plain HTTP client of the service's API, used by that thread and by the instructor's
``pm-course live`` commands and :class:`~course.live.view.LiveClassView`.
"""
from __future__ import annotations

import json
import os
import queue
import threading
import time
import weakref
from collections import deque
from typing import Any

from course.errors import CourseError
from course.live.protocol import SIGNAL_VARIABLE, TOKEN_VARIABLE, URL_VARIABLE, on_a_hub, open_session_for

NOTICE = ('<div class="pm-live-notice" role="status" style="border-left:4px solid #b35900;background:#fff4e5;'
          'padding:0.3em 0.6em;margin:0.3em 0"><b>Live session open.</b> Your instructor has opened a live session '
          "for this lesson: while it is open, each answer you give here is also sent to your instructor under your "
          "hub user name. The class sees only counts, never names, and nothing is sent once the session closes."
          "</div>")
WATCH_SECONDS = 3.0
POST_TIMEOUT = 5.0


class LiveError(CourseError):
    """The live service refused a request or could not be reached; ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class LiveClient:
    """The service's HTTP API, authenticated with a hub token (a student's, or an instructor's)."""

    def __init__(self, base_url: str, token: str, timeout: float = 10.0):
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.token = token
        self.timeout = timeout

    @classmethod
    def from_environment(cls, service: str | None = None, timeout: float = 10.0) -> LiveClient:
        """A client with this server's hub token and the service address the hub gives its servers."""
        token = os.environ.get(TOKEN_VARIABLE)
        url = service or os.environ.get(URL_VARIABLE)
        if not token or not url:
            raise CourseError("the live class view needs the class's JupyterHub: run this on your own server there "
                              f"(it sets {TOKEN_VARIABLE} and {URL_VARIABLE}), or pass --service and set "
                              f"{TOKEN_VARIABLE} to a hub token of yours")
        return cls(url, token, timeout)

    def request(self, method: str, path: str, body: Any = None) -> Any:
        import urllib.error  # here, not at the top: a widget off the hub never pays for the HTTP machinery
        import urllib.parse
        import urllib.request

        data = json.dumps(body).encode() if body is not None else None
        headers = {"Authorization": f"token {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(urllib.parse.urljoin(self.base_url, path), data=data, method=method,
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            raise LiveError(error.code, _message(error)) from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise LiveError(0, f"cannot reach the live class service at {self.base_url} ({reason})") from None
        return json.loads(text) if text.strip() else None

    # --- the instructor's side ---------------------------------------------------------------------------------

    def sessions(self) -> list[dict[str, Any]]:
        return self.request("GET", "api/sessions")["sessions"]

    def open_session(self, lesson: str) -> dict[str, Any]:
        return self.request("POST", "api/sessions", {"lesson": lesson})

    def close_session(self, session_id: int) -> dict[str, Any]:
        return self.request("POST", f"api/sessions/{int(session_id)}/close", {})

    def summary(self, session_id: int) -> dict[str, Any]:
        return self.request("GET", f"api/sessions/{int(session_id)}/summary")

    def answers(self, session_id: int) -> list[dict[str, Any]]:
        return self.request("GET", f"api/sessions/{int(session_id)}/answers")["answers"]

    def session_for(self, lesson: str, session_id: int | None = None) -> dict[str, Any] | None:
        """The session asked for by id, else the lesson's open session, else its latest; None when there is none."""
        listed = self.sessions()
        if session_id is not None:
            found = next((session for session in listed if session["id"] == session_id), None)
            if found is None:
                raise CourseError(f"there is no live session {session_id}")
            return found
        mine = [session for session in listed if session["lesson"] == lesson]
        open_ones = [session for session in mine if session["open"]]
        return (open_ones or sorted(mine, key=lambda session: session["id"]))[-1] if mine else None

    # --- the students' side ------------------------------------------------------------------------------------

    def post_answer(self, session_id: int, widget_id: str, item_id: str, answer: Any) -> dict[str, Any]:
        return self.request("POST", "api/answers", {"session": session_id, "widget": widget_id, "item": item_id,
                                                    "answer": answer})


def _message(error) -> str:
    """The service's one-line message from an HTTP error response (urllib's HTTPError)."""
    try:
        content = json.loads(error.read().decode("utf-8"))
        text = content.get("message") if isinstance(content, dict) else None
    except (ValueError, OSError):
        text = None
    return f"the live class service answered {error.code}: {text or error.reason}"


# --- the widgets' hook -----------------------------------------------------------------------------------------

class _NotLive:
    """What a widget holds off a hub, or for a widget no lesson shows: it sends nothing and shows nothing."""

    notice = None
    lesson = None

    def send(self, item_id: str, answer: Any) -> None:
        return None

    def __bool__(self) -> bool:
        return False


NOT_LIVE = _NotLive()


def live_link(widget_id: str, owner=None):
    """The live link of a lesson widget, or :data:`NOT_LIVE` off a hub and for widgets no lesson shows.

    ``owner``: the widget (an ipywidgets container); on a hub its children get the session notice at the end.
    """
    if not on_a_hub():
        return NOT_LIVE
    from course.content.lesson_notebooks import widget_lessons

    try:
        lesson = widget_lessons().get(widget_id)
    except Exception:  # a damaged lesson must not stop a widget from working
        lesson = None
    if lesson is None:
        return NOT_LIVE
    link = LiveLink(widget_id, lesson)
    if owner is not None:
        owner.children = (*owner.children, link.notice)
    return link


class LiveLink:
    """One widget's connection to its lesson's live session: the notice, and the answers it sends while open."""

    def __init__(self, widget_id: str, lesson: str, signal_folder: str | None = None):
        import ipywidgets as widgets

        self.widget_id = widget_id
        self.lesson = lesson
        self._folder = signal_folder or os.environ.get(SIGNAL_VARIABLE)
        self.notice = widgets.HTML()
        self.refresh_notice()
        _watch(self)

    def session(self) -> dict[str, Any] | None:
        return open_session_for(self.lesson, self._folder)

    def refresh_notice(self) -> dict[str, Any] | None:
        session = self.session()
        value = NOTICE if session else ""
        if self.notice.value != value:
            self.notice.value = value
        return session

    def send(self, item_id: str, answer: Any) -> None:
        """Send one answer if the lesson's session is open; otherwise nothing leaves the server."""
        session = self.refresh_notice()
        if session is None:
            return
        _SENDER.put(session["session"], self.widget_id, item_id, answer)


class _Sender:
    """One background thread per kernel that posts queued answers in order, so the latest one arrives last."""

    def __init__(self) -> None:
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.results: deque[dict[str, Any]] = deque(maxlen=200)

    def put(self, session_id: int, widget_id: str, item_id: str, answer: Any) -> None:
        self._queue.put((session_id, widget_id, item_id, answer))
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="pm-course-live-sender", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            session_id, widget_id, item_id, answer = self._queue.get()
            result = {"widget": widget_id, "item": item_id, "session": session_id}
            try:
                client = LiveClient.from_environment(timeout=POST_TIMEOUT)
                client.post_answer(session_id, widget_id, item_id, answer)
                result["status"] = 200
            except LiveError as error:
                result.update(status=error.status, message=str(error))
            except Exception as error:  # never let the thread die on something unexpected
                result.update(status=-1, message=f"{type(error).__name__}: {error}")
            self.results.append(result)
            self._queue.task_done()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued answer has been posted (or refused); False on timeout."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
        return True


_SENDER = _Sender()


def flush(timeout: float = 10.0) -> bool:
    """Wait for this kernel's queued answers to be posted (tests and the end of a session use it)."""
    return _SENDER.flush(timeout)


def sent() -> list[dict[str, Any]]:
    """What happened to this kernel's recent posts: widget, item, session, status (200: stored) and any message."""
    return list(_SENDER.results)


_LINKS: weakref.WeakSet[LiveLink] = weakref.WeakSet()
_WATCHER: threading.Thread | None = None


def _watch(link: LiveLink) -> None:
    """Keep every live link's notice in step with its session file, from one background thread (reading files only)."""
    global _WATCHER
    _LINKS.add(link)
    if _WATCHER is None or not _WATCHER.is_alive():
        _WATCHER = threading.Thread(target=_watch_loop, name="pm-course-live-notice", daemon=True)
        _WATCHER.start()


def _watch_loop() -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        for link in list(_LINKS):
            try:
                link.refresh_notice()
            except Exception:  # a closed comm or a vanished folder: the next answer tries again
                pass
