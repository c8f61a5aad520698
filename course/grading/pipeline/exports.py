"""Grade exports: nbgrader's own CSV, files in the shapes Canvas and Moodle import, and the summary.

Only *final* grades reach the LMS files. Both LMSs read a blank grade cell as "no grade" and import it as such:
Canvas removes a score that was there, Moodle's gradebook import clears it. So a student whose grade is
provisional (a written answer not graded yet), who handed nothing in, or whose work could not be graded has no
row in ``canvas.csv``, ``moodle.csv`` or ``moodle-worksheet.csv``, and whatever the LMS holds for them stays; the
summary lists every student with the reason, and what is pending.

Rows carry the identifiers each LMS matches on (:mod:`.lms`): Canvas's ``ID`` (from the file names of a Canvas
download) and, with a roster, ``SIS User ID``, ``SIS Login ID``, ``Section`` and the assignment column header
exactly as Canvas exported it; Moodle's ``Participant N`` identifier (from the folder names of a Moodle download)
for the assignment's grading worksheet, and the user name or e-mail address for the gradebook import.
The feedback column students see carries only notes written for them, never the grader's diagnostics.

Exports are never silently shrunk: when a run would write fewer grades than the files it replaces (a student who
had a grade has none now), the previous files are kept in ``previous/<time>/`` and a warning names the students.
Every CSV goes through :func:`course.spreadsheet_csv.write_csv` (no cell can become a spreadsheet formula).
"""
from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.lms import MOODLE_PARTICIPANT, Identities, Identity, Roster, RosterEntry, read_roster
from course.spreadsheet_csv import write_csv

CANVAS_STUDENT_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_WORKSHEET_COLUMNS = ["Identifier", "Full name", "Email address", "Grade", "Maximum Grade",
                            "Last modified (grade)"]
FILES = {"nbgrader": "nbgrader-grades.csv", "canvas": "canvas.csv", "moodle": "moodle.csv",
         "moodle-worksheet": "moodle-worksheet.csv", "summary": "summary.csv"}


@dataclass
class ExportResult:
    paths: dict[str, Path]
    final: int  # grades written to the LMS files
    warnings: list[str] = field(default_factory=list)
    kept: Path | None = None  # where the previous files were kept, when this export has fewer grades


def export_grades(course: CourseFolder, assignment: str, summary: pd.DataFrame, out_dir: Path,
                  roster: Path | None = None, lms_assignment: str | None = None) -> ExportResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    identities = Identities.load(course, assignment)
    if roster is not None:
        identities.roster = str(Path(roster).expanduser().resolve())
        identities.save(course, assignment)
    roster_table = read_roster(Path(identities.roster)) if identities.roster else None
    final = summary[summary["grade"] == "final"]
    warnings: list[str] = []
    kept = _keep_previous_if_shrinking(out_dir, summary, warnings)

    paths = {name: out_dir / file for name, file in FILES.items()}
    _nbgrader_csv(course, assignment, paths["nbgrader"])
    maximum = f"{summary['max_score'].dropna().max():g}" if summary["max_score"].notna().any() else ""
    lines = [(student, _row(student, identities.students.get(student), roster_table), f"{score:g}", note or "")
             for student, score, note in zip(final["student"], final["score"], final["student_notes"], strict=True)]

    header = _canvas_header(assignment, lms_assignment, roster_table, warnings)
    canvas = pd.DataFrame([[row.name, row.canvas_id, row.sis_user_id, row.sis_login_id, row.section, grade]
                           for _, row, grade, _ in lines], columns=[*CANVAS_STUDENT_COLUMNS, header])
    points = pd.DataFrame([["    Points Possible", "", "", "", "", maximum]], columns=canvas.columns)
    write_csv(pd.concat([points, canvas], ignore_index=True), paths["canvas"])

    grade_column = lms_assignment or assignment
    moodle = pd.DataFrame([[row.username, row.email, grade, note] for _, row, grade, note in lines],
                          columns=["Username", "Email address", grade_column, "Feedback"])
    write_csv(moodle, paths["moodle"])
    unmatched = [student for student, row, _, _ in lines if not (row.username or row.email)]
    if unmatched:
        warnings.append(f"moodle.csv: no Moodle user name or e-mail address for {len(unmatched)} student(s) "
                        f"({', '.join(unmatched[:5])}{', ...' if len(unmatched) > 5 else ''}): upload "
                        "moodle-worksheet.csv to the assignment instead, or pass --roster")

    stamp = time.strftime("%A, %d %B %Y, %I:%M %p")
    worksheet = [[f"{MOODLE_PARTICIPANT}{row.participant}", row.name, row.email, grade, maximum, stamp]
                 for _, row, grade, _ in lines if row.participant]
    if worksheet:
        write_csv(pd.DataFrame(worksheet, columns=MOODLE_WORKSHEET_COLUMNS), paths["moodle-worksheet"])
    else:
        paths.pop("moodle-worksheet").unlink(missing_ok=True)

    if roster_table is not None:
        missing = [student for student, row, _, _ in lines if not row.in_roster]
        if missing:
            warnings.append(f"not in the roster {Path(roster_table.path).name}: {', '.join(missing)} (their rows "
                            "carry only the student id; check the id or the roster)")
    write_csv(summary, paths["summary"])
    return ExportResult(paths, len(final), warnings, kept)


@dataclass
class _Row(RosterEntry):
    """One student's identifiers as the exports write them: a roster's row, else what the download's names say."""

    in_roster: bool = False


def _row(student: str, identity: Identity | None, roster: Roster | None) -> _Row:
    """The LMS identifiers of one student: from the roster when it has them, else from the download's names,
    else the student id as the login (a JupyterHub user name is usually the LMS login)."""
    entry = roster.find(student, identity) if roster else None
    if entry is not None:
        return _Row(**{**asdict(entry), "name": entry.name or student,
                       "participant": entry.participant or (identity.moodle_participant if identity else "")},
                    in_roster=True)
    if identity is not None and identity.lms == "canvas":
        return _Row(identity.name or student, identity.canvas_user_id)
    if identity is not None and identity.lms == "moodle":
        return _Row(identity.name or student, participant=identity.moodle_participant)
    return _Row(student, sis_login_id=student, username=student)


def _canvas_header(assignment: str, wanted: str | None, roster: Roster | None, warnings: list[str]) -> str:
    if roster is not None and roster.lms == "canvas":
        found = roster.canvas_column(assignment, wanted)
        if found:
            return found
        warnings.append(f"canvas.csv: the roster has no assignment column titled {wanted or assignment!r}; Canvas "
                        "will create a new assignment unless the header matches one (name it with --lms-assignment "
                        "'Title (id)' as in a Canvas gradebook export)")
    return wanted or assignment


def _previous_grades(out_dir: Path) -> set[str]:
    path = out_dir / FILES["summary"]
    if not path.is_file():
        return set()
    try:
        previous = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError):
        return set()
    if "grade" in previous.columns:
        return set(previous.loc[previous["grade"] == "final", "student"])
    if {"status", "score"} <= set(previous.columns):  # exports written before grades could be provisional
        return set(previous.loc[(previous["status"] == "graded") & (previous["score"] != ""), "student"])
    return set()


def _keep_previous_if_shrinking(out_dir: Path, summary: pd.DataFrame, warnings: list[str]) -> Path | None:
    before = _previous_grades(out_dir)
    now = set(summary.loc[summary["grade"] == "final", "student"])
    lost = sorted(before - now)
    if not lost:
        return None
    kept = out_dir / "previous" / time.strftime("%Y%m%d-%H%M%S")
    kept.mkdir(parents=True, exist_ok=True)
    for name in FILES.values():
        if (out_dir / name).is_file():
            shutil.copy2(out_dir / name, kept / name)
    shown = ", ".join(lost[:8]) + (", ..." if len(lost) > 8 else "")
    warnings.append(f"this export has {len(now)} grade(s) where the previous one had {len(before)}: no grade now "
                    f"for {shown}. The previous files are kept in {kept}; do not import the new ones before "
                    "checking why (see the summary's notes).")
    return kept


def _nbgrader_csv(course: CourseFolder, assignment: str, path: Path) -> None:
    """nbgrader's own CSV export (what `nbgrader export` writes), run in this process, then rewritten through the
    spreadsheet-safe writer (its student ids and names come from submissions and LMS imports)."""
    from nbgrader.api import Gradebook
    from nbgrader.plugins import CsvExportPlugin

    with Gradebook(course.gradebook_url) as gradebook:
        CsvExportPlugin(to=str(path), assignment=[assignment]).export(gradebook)
    write_csv(pd.read_csv(path, dtype=str, keep_default_na=False), path)
