"""Looking at one submission before grading it: what is missing, broken, extra, misfiled or unsafe.

nbgrader grades a missing notebook as 0 and a student with no submission as 0 too; these
checks keep the difference, so that exports and the summary can say "no submission" or
"could not be graded" instead of showing a zero that looks earned.

Nothing in the submission is opened before it has been checked (:mod:`.submission_files`): a
link, a pipe, a device, an oversized or deeply nested file makes the submission "could not be
graded" with one line saying why, and no other student is affected.

Two kinds of notes come out: ``notes`` for the instructor (the summary), and ``student_notes``,
written for the student, which may also reach the student's feedback and the LMS's feedback
column. Nothing internal (file listings, other assignments' names) is ever a student note.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import lru_cache
from pathlib import Path

import nbformat

from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.submission_files import (
    MAX_ANSWER_FILE_BYTES,
    MAX_CELLS,
    kind_of,
    printable,
    read_json,
    scan_folder,
)
from course.learner.answers import ANSWER_FILE_NAME, AnswerFileError, AnswerStore

NO_SUBMISSION = "no submission"
NOT_GRADABLE = "could not be graded"
GRADED = "graded"
TIMESTAMP_FILE = "timestamp.txt"


@dataclass
class Inspection:
    """What grading this submission should do (grade it or not) and what to tell the instructor and the student."""

    gradable: bool
    status: str = GRADED
    notes: list[str] = field(default_factory=list)
    student_notes: list[str] = field(default_factory=list)


def inspect_submission(course: CourseFolder, assignment: str, student: str) -> Inspection:
    """What to do with one student's submission; the notes of its import (resubmissions, files left out) first."""
    inspection = _inspect(course, assignment, student)
    if inspection.status != NO_SUBMISSION:
        from course.grading.pipeline.collect import import_notes

        inspection.notes[:0] = import_notes(course, assignment, student)
    return inspection


def _inspect(course: CourseFolder, assignment: str, student: str) -> Inspection:
    folder = course.submitted(student, assignment)
    try:
        mode = folder.lstat().st_mode
    except OSError:
        return Inspection(False, NO_SUBMISSION, _misfiled(course, assignment, student))
    if not folder.is_dir() or folder.is_symlink():
        return Inspection(False, NOT_GRADABLE, [f"submitted/{printable(student)}/{assignment} is {kind_of(mode)}, "
                                                "not a folder"])
    scan = scan_folder(folder)
    if scan.problems:
        return Inspection(False, NOT_GRADABLE, ["; ".join(scan.problems)])
    expected = course.released_notebooks(assignment)
    present = [name for name in expected if name in scan.files]
    if not present:
        found = ", ".join(printable(name) for name in sorted(scan.files) if name != TIMESTAMP_FILE) or "nothing"
        return Inspection(False, NOT_GRADABLE, [f"none of the notebooks {', '.join(expected)} is in the submission"
                                                f" (found: {found})"])
    inspection = Inspection(True)
    for name in expected:
        if name not in present:
            inspection.notes.append(f"missing notebook {name}: scored 0")
            inspection.student_notes.append(f"Your submission did not include {name}, so its parts score 0.")
            continue
        problem = _notebook_problem(folder / name)
        if problem:
            return Inspection(False, NOT_GRADABLE, [f"{name} {problem}"])
    # what nbgrader's own ignore list (c.CourseDirectory.ignore) leaves out is left out silently here too
    ignored = course.layout.ignore
    extra = sorted(name for name in scan.files
                   if name not in expected and name not in (ANSWER_FILE_NAME, TIMESTAMP_FILE)
                   and not any(fnmatch(name, pattern) for pattern in ignored))
    if extra:
        inspection.notes.append(f"extra files ignored: {', '.join(printable(name) for name in extra)}")
    _check_answer_file(course, assignment, folder, ANSWER_FILE_NAME in scan.files, inspection)
    return inspection


def _misfiled(course: CourseFolder, assignment: str, student: str) -> list[str]:
    """A note only when this assignment's notebook was handed in under another assignment's folder."""
    notebooks = set(course.released_notebooks(assignment))
    others = []
    for other in course.assignments():
        if other == assignment:
            continue
        folder = course.submitted(student, other)
        if folder.is_dir() and not folder.is_symlink():
            holds = sorted(notebooks & set(scan_folder(folder).files) - set(course.released_notebooks(other)))
            if holds:
                others.append(f"{other} (it holds {', '.join(holds)})")
    return [f"handed in under another assignment name: {'; '.join(others)}"] if others else []


def _notebook_problem(path: Path) -> str | None:
    content, problem = read_json(path)
    if problem:
        return problem
    cells = content.get("cells") if isinstance(content, dict) else None
    if isinstance(cells, list) and len(cells) > MAX_CELLS:
        return f"has {len(cells):,} cells, more than the {MAX_CELLS:,} a notebook may have"
    try:
        notebook = nbformat.from_dict(content)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds for malformed notebooks
        return f"is not a valid notebook ({type(error).__name__})"
    return None


def _check_answer_file(course: CourseFolder, assignment: str, folder: Path, handed_in: bool,
                       inspection: Inspection) -> None:
    if not handed_in:
        if uses_widgets(course.root, assignment):
            inspection.notes.append(f"no {ANSWER_FILE_NAME} handed in: widget questions were marked only where "
                                    "answered in code")
            inspection.student_notes.append(
                f"Your notebook was handed in without {ANSWER_FILE_NAME}, the file in which the widgets save your "
                "answers, so only the widget answers you gave in code were marked. Next time hand in that file "
                "together with the notebook.")
        return
    content, problem = read_json(folder / ANSWER_FILE_NAME, MAX_ANSWER_FILE_BYTES)
    if problem is None:
        try:
            AnswerStore(folder).load()
        except AnswerFileError:
            problem = "does not hold answers in the form the course writes"
    if problem:
        inspection.notes.append(f"{ANSWER_FILE_NAME} {problem}: widget questions score 0")
        inspection.student_notes.append(
            f"Your {ANSWER_FILE_NAME} could not be read ({problem}), so the widget questions score 0.")


@lru_cache(maxsize=32)
def uses_widgets(course_root: Path, assignment: str) -> bool:
    """Whether the assignment's released notebooks use the course's widgets (which save to the answer file)."""
    for path in sorted(CourseFolder(course_root).released_folder(assignment).glob("*.ipynb")):
        notebook = nbformat.read(str(path), as_version=4)
        if any(cell.cell_type == "code" and "course.widgets" in cell.source for cell in notebook.cells):
            return True
    return False
