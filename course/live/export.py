"""A session's answers as a CSV file for the instructor's records (spreadsheet-safe, through ``write_csv``).

One row per student and item: the latest answer and the first, whether it is right, the misconception a wrong choice
stands for, how often it changed, and when. Names are in it (it is the instructor's own record, never shown on the
shared screen); ``anonymous`` replaces them with ``student-001``... in order of first appearance.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from course.errors import CourseError
from course.live.client import LiveClient
from course.spreadsheet_csv import write_csv

COLUMNS = ["session", "lesson", "student", "widget", "item", "label", "answer", "first_answer", "right",
           "misconception", "changes", "first_at", "updated_at"]


def export_answers(client: LiveClient, session: Mapping[str, Any], path: str | Path | None = None,
                   anonymous: bool = False) -> Path:
    rows = client.answers(session["id"])
    if anonymous:
        pseudonyms: dict[str, str] = {}
        for row in rows:
            row["student"] = pseudonyms.setdefault(row["student"], f"student-{len(pseudonyms) + 1:03d}")
    target = Path(path) if path else Path.cwd() / f"live-{session['lesson']}-session{session['id']}.csv"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_csv(pd.DataFrame(rows, columns=COLUMNS), target)
    except OSError as error:
        raise CourseError(f"cannot write {target}: {error.strerror}") from None
    return target
