"""What the students' widgets, the instructor's tools and the service agree on: names, scopes and the session file.

Kept in a module of its own, importing only the standard library and the course's JSON reader (itself standard
library only), so that a widget on a student's server pays nothing for the live view it may never use.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from course.content.json_data import read_record

SERVICE_NAME = "pm-course-live"

#: JupyterHub custom scopes (defined in deploy/jupyterhub/jupyterhub_config.py, granted through roles).
ANSWER_SCOPE = "custom:pm-course-live:answer"  # students of the course: send their own answers
READ_SCOPE = "custom:pm-course-live:read"  # instructors of the course: the summary and the answers
MANAGE_SCOPE = "custom:pm-course-live:manage"  # instructors of the course: open and close sessions
ACCESS_SCOPE = f"access:services!service={SERVICE_NAME}"

#: Environment of every server on the hub (set by the hub's Spawner.environment).
URL_VARIABLE = "PM_COURSE_LIVE_URL"  # the service's address, prefix included, reachable from the servers
SIGNAL_VARIABLE = "PM_COURSE_LIVE_SIGNAL"  # the folder where the service marks open sessions, one file per lesson
TOKEN_VARIABLE = "JUPYTERHUB_API_TOKEN"  # the server's own hub token, which kernels inherit


def on_a_hub() -> bool:
    """Whether this process runs on a hub that offers the live view (token, service address, session folder)."""
    return all(os.environ.get(name) for name in (TOKEN_VARIABLE, URL_VARIABLE, SIGNAL_VARIABLE))


def signal_file(folder: str | Path, lesson: str) -> Path:
    return Path(folder) / f"{lesson}.json"


def open_session_for(lesson: str, folder: str | Path | None = None) -> dict[str, Any] | None:
    """The open session of ``lesson`` as the service announced it (``{"session": id, ...}``), else None.

    Only a file is read: no request leaves the server until a session is open.
    """
    folder = folder or os.environ.get(SIGNAL_VARIABLE)
    if not folder:
        return None
    content = read_record(signal_file(folder, lesson))
    if isinstance(content.get("session"), int) and content.get("lesson") == lesson:
        return content
    return None
