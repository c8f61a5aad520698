"""Grade exports: nbgrader's own CSV, and gradebook CSVs in the shapes Canvas and Moodle import.

nbgrader's CSV shows 0.0 both for a real zero and for a student who handed nothing in;
the Canvas and Moodle files leave the grade blank for "no submission" and "could not be
graded" (both systems read a blank cell as "no grade"), and say why in the summary.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .course_folder import CourseFolder
from .inspection import GRADED
from .spreadsheet_csv import write_csv


def export_grades(course: CourseFolder, assignment: str, summary: pd.DataFrame, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"nbgrader": out_dir / "nbgrader-grades.csv", "canvas": out_dir / "canvas.csv",
             "moodle": out_dir / "moodle.csv", "summary": out_dir / "summary.csv"}
    _nbgrader_csv(course, assignment, paths["nbgrader"])
    graded = summary["status"] == GRADED
    grade = summary["score"].where(graded).map(lambda value: "" if pd.isna(value) else f"{value:g}")
    canvas = pd.DataFrame({
        "Student": summary["student"], "ID": "", "SIS User ID": "", "SIS Login ID": summary["student"],
        "Section": "", f"{assignment}": grade,
    })
    points_row = pd.DataFrame([{"Student": "    Points Possible", "ID": "", "SIS User ID": "", "SIS Login ID": "",
                                "Section": "", f"{assignment}": f"{summary['max_score'].max():g}"
                                if len(summary) else ""}])
    write_csv(pd.concat([points_row, canvas], ignore_index=True), paths["canvas"])
    moodle = pd.DataFrame({"Username": summary["student"], f"{assignment}": grade,
                           "Feedback": [_feedback_note(row) for row in summary.itertuples()]})
    write_csv(moodle, paths["moodle"])
    write_csv(summary, paths["summary"])
    return paths


def _nbgrader_csv(course: CourseFolder, assignment: str, path: Path) -> None:
    """nbgrader's own CSV export (what `nbgrader export` writes), run in this process, then rewritten through the
    spreadsheet-safe writer (its student ids and names come from submissions and LMS imports)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    with Gradebook(course.gradebook_url) as gradebook:
        CsvExportPlugin(to=str(path), assignment=[assignment]).export(gradebook)
    write_csv(pd.read_csv(path, dtype=str, keep_default_na=False), path)


def _feedback_note(row) -> str:
    if row.status == GRADED:
        return row.notes or ""
    return f"{row.status}: {row.notes}" if row.notes else row.status
