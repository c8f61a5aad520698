"""The instructor's live view in a notebook: ``LiveClassView("03")`` on the class's JupyterHub.

Run it in a notebook of the instructor's own server on the hub and put it on the shared screen. It opens and closes
the lesson's session (the same as ``pm-course live start`` and ``stop``), refreshes itself every few seconds, and
shows per item how many answered, the share of each option with the misconception it stands for, and for a scenario
the decision funnel (:mod:`course.live.render`). It never shows a name: it only ever receives the service's summary,
which holds counts. The key and the misconceptions can be hidden while the room discusses, and the first answers
shown instead of the latest. "Export CSV" writes the session's answers (names included, for the instructor's
records) beside the notebook.
"""
from __future__ import annotations

import threading
import time
import weakref
from html import escape
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from course.content.lesson_notebooks import resolve_lesson
from course.errors import CourseError
from course.live.client import LiveClient
from course.live.render import summary_html
from course.widgets.output import ShownHtml


class LiveClassView(widgets.VBox):
    """Opens, shows and closes a lesson's live session; the summary refreshes itself while the session is open."""

    def __init__(self, lesson: str, client: LiveClient | None = None, refresh_seconds: float = 5.0,
                 session_id: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.lesson = resolve_lesson(lesson)
        self.session_id = session_id
        self.session: dict[str, Any] | None = None
        self.summary: dict[str, Any] | None = None
        self._status = widgets.HTML()
        self._body = widgets.HTML()
        try:
            self.client = client or LiveClient.from_environment()
        except CourseError as error:
            self.client = None
            self._status.value = f'<div style="color:#b00020">⚠ {escape(str(error))}</div>'
            self.children = [self._status]
            return
        self._open = widgets.Button(description="Open session", icon="play", button_style="success",
                                    tooltip="Open a live session: students' answers in this lesson reach this view")
        self._close = widgets.Button(description="Close session", icon="stop",
                                     tooltip="Close the session: nothing more is sent")
        self._refresh = widgets.Button(description="Refresh", icon="refresh", tooltip="Fetch the latest counts")
        self._export = widgets.Button(description="Export CSV", icon="download",
                                      tooltip="Write the session's answers (with names) to a CSV file here")
        self._reveal = widgets.Checkbox(value=True, description="Show key and misconceptions", indent=False)
        self._first = widgets.ToggleButtons(options=[("Latest answers", False), ("First answers", True)], value=False,
                                            tooltips=["Each student's latest answer",
                                                      "Each student's first answer, before the feedback"])
        self._auto = widgets.Checkbox(value=True, description=f"Refresh every {refresh_seconds:g} s", indent=False)
        self._open.on_click(lambda _: self._act(self.open_session))
        self._close.on_click(lambda _: self._act(self.close_session))
        self._refresh.on_click(lambda _: self._act(self.refresh))
        self._export.on_click(lambda _: self._act(self.export))
        for control in (self._reveal, self._first):
            control.observe(lambda _: self._draw(), names="value")
        self.children = [widgets.HTML(f"<h3>Live class view: {escape(self.lesson)}</h3>"),
                         widgets.HBox([self._open, self._close, self._refresh, self._export]),
                         widgets.HBox([self._reveal, self._first, self._auto]), self._status, self._body]
        self._act(self.refresh)
        _auto_refresh(self, refresh_seconds)

    # --- what the buttons do -----------------------------------------------------------------------------------

    def open_session(self) -> dict[str, Any]:
        self.session = self.client.open_session(self.lesson)
        self.session_id = self.session["id"]
        self.refresh()
        return self.session

    def close_session(self) -> dict[str, Any] | None:
        if self.session is None:
            self.refresh()
        if self.session is None or not self.session["open"]:
            return self.session
        self.session = self.client.close_session(self.session["id"])
        self.refresh()
        return self.session

    def refresh(self) -> None:
        self.session = self.client.session_for(self.lesson, self.session_id)
        self.summary = self.client.summary(self.session["id"]) if self.session else None
        self._draw()

    def export(self, path: str | Path | None = None) -> Path:
        """Write the session's answers to a CSV file (default ``live-<lesson>-session<id>.csv`` here)."""
        from course.live.export import export_answers

        if self.session is None:
            raise CourseError(f"there is no live session for {self.lesson} yet")
        written = export_answers(self.client, self.session, path)
        self._status.value = f"<i>Answers written to {escape(str(written))}.</i>"
        return written

    # --- drawing -------------------------------------------------------------------------------------------------

    html = ShownHtml("_body")
    status_html = ShownHtml("_status")

    def _act(self, action) -> None:
        try:
            action()
        except CourseError as error:
            self._status.value = f'<div style="color:#b00020">⚠ {escape(str(error))}</div>'

    def _draw(self) -> None:
        if self.session is None:
            self._status.value = ("<i>No session for this lesson yet. Press Open session when the class is ready; "
                                  "students then see that their answers are shared with you.</i>")
            self._body.value = ""
            return
        state = "open: students' answers arrive here" if self.session["open"] else "closed: nothing more is sent"
        self._status.value = f"<i>Session {self.session['id']} is {state}.</i>"
        self._body.value = summary_html(self.summary, reveal=self._reveal.value, first=self._first.value) \
            if self.summary else ""

    @property
    def auto_refresh(self) -> bool:
        return bool(self.client and self._auto.value and self.session and self.session["open"])


def _auto_refresh(view: LiveClassView, seconds: float) -> None:
    """Refresh ``view`` every ``seconds`` while it is shown, auto-refresh is on and its session is open."""
    reference = weakref.ref(view)

    def loop() -> None:
        while True:
            time.sleep(seconds)
            current = reference()
            if current is None or current.comm is None:  # the view was closed or collected
                return
            if current.auto_refresh:
                current._act(current.refresh)
            del current

    threading.Thread(target=loop, name="pm-course-live-view", daemon=True).start()
