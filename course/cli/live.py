"""Run a live class on the course's JupyterHub: open a lesson's session, watch the answers, close it, export them.

While a lesson's session is open, the students' quiz, role-sorter and scenario widgets of that lesson also send each
answer to the hub's live class service, and their widgets say so. Run these commands in a terminal of your own
server on the class's hub (it knows the service and your hub token); only instructors of the course may.

  pm-course live start 03                 # open the session for lesson 03 (students see a notice)
  pm-course live show 03 --watch 5        # per item: answered, shares, misconceptions; no names
  pm-course live stop 03                  # close it: nothing more is sent
  pm-course live export 03                # the answers as CSV (names included), ./live-03-...-session<N>.csv
  pm-course live status                   # every session of the course

In a notebook the same view, for the shared screen: from course.live import LiveClassView; LiveClassView("03")
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from course.content.lesson_notebooks import resolve_lesson
from course.errors import CourseError

HELP = "open, watch, close and export a live class session on the course's JupyterHub"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="open a lesson's session (or report the one already open)")
    stop = actions.add_parser("stop", help="close a lesson's open session")
    show = actions.add_parser("show", help="the session's answers per item, as counts and shares (no names)")
    export = actions.add_parser("export", help="the session's answers as a CSV file (names included)")
    status = actions.add_parser("status", help="list the course's sessions")
    for sub in (start, stop, show, export):
        sub.add_argument("lesson", help="the lesson: its number (03) or its full name (03-the-third-pm)")
    for sub in (stop, show, export):
        sub.add_argument("--session", type=int, default=None, metavar="ID",
                         help="a session by number (default: the lesson's open session, else its latest)")
    show.add_argument("--first", action="store_true", help="each student's first answer instead of the latest")
    show.add_argument("--hide-key", action="store_true", help="hide the key and the misconceptions")
    show.add_argument("--watch", type=float, default=None, metavar="SECONDS",
                      help="show it again every SECONDS until Ctrl+C")
    export.add_argument("--output", type=Path, default=None, metavar="FILE",
                        help="the CSV file to write (default: ./live-<lesson>-session<ID>.csv)")
    export.add_argument("--anonymous", action="store_true", help="student-001, student-002... instead of names")
    for sub in (start, stop, show, export, status):
        sub.add_argument("--service", default=None, metavar="URL",
                         help="the live class service (default: $PM_COURSE_LIVE_URL, set on the hub's servers)")


def run(args: argparse.Namespace) -> int:
    from course.live.client import LiveClient

    client = LiveClient.from_environment(args.service)
    action = args.action
    if action == "status":
        sessions = client.sessions()
        if not sessions:
            print("No live sessions yet. Open one with: pm-course live start LESSON")
        for session in sorted(sessions, key=lambda s: (not s["open"], -s["id"])):
            state = "open" if session["open"] else f"closed {session['closed_at']}"
            print(f"session {session['id']}: {session['lesson']}, opened {session['opened_at']} by "
                  f"{session['opened_by']}, {session.get('students', 0)} students answered, {state}")
        return 0
    lesson = resolve_lesson(args.lesson)
    if action == "start":
        session = client.open_session(lesson)
        verb = "Opened" if session.get("new") else "Already open:"
        print(f"{verb} live session {session['id']} for {lesson}. Students' answers in this lesson now reach the live "
              f"view, and their widgets say so.\nWatch it: pm-course live show {lesson} --watch 5, or in a notebook: "
              f'from course.live import LiveClassView; LiveClassView("{lesson}")\nClose it: pm-course live stop '
              f"{lesson}")
        return 0
    session = client.session_for(lesson, args.session)
    if session is None:
        raise CourseError(f"there is no live session for {lesson}; open one with: pm-course live start {lesson}")
    if action == "stop":
        if not session["open"]:
            print(f"Session {session['id']} for {lesson} is already closed.")
            return 0
        closed = client.close_session(session["id"])
        print(f"Closed session {closed['id']} for {lesson}: {closed.get('students', 0)} students answered. "
              f"Export it: pm-course live export {lesson} --session {closed['id']}")
        return 0
    if action == "export":
        from course.live.export import export_answers

        path = export_answers(client, session, args.output, anonymous=args.anonymous)
        print(f"Answers of session {session['id']} ({lesson}): {path}")
        return 0
    return _show(client, session, args)


def _show(client, session, args: argparse.Namespace) -> int:
    from course.live.render import summary_text

    while True:
        summary = client.summary(session["id"])
        print(summary_text(summary, reveal=not args.hide_key, first=args.first), flush=True)
        if not args.watch:
            return 0
        time.sleep(args.watch)
        print()
