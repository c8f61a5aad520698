"""Looking at one submission before grading it: what is missing, broken, extra or misfiled.

nbgrader grades a missing notebook as 0 and a student with no submission as 0 too; these
checks keep the difference, so that exports and the summary can say "no submission" or
"could not be graded" instead of showing a zero that looks earned.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import nbformat

from ..answers import ANSWER_FILE_NAME, AnswerFileError, AnswerStore
from .course_folder import CourseFolder

NO_SUBMISSION = "no submission"
NOT_GRADABLE = "could not be graded"
GRADED = "graded"


@dataclass
class Inspection:
    """What grading this submission should do (grade it or not) and what to tell the instructor."""

    gradable: bool
    status: str = GRADED
    notes: list[str] = field(default_factory=list)


def inspect_submission(course: CourseFolder, assignment: str, student: str) -> Inspection:
    folder = course.submitted(student, assignment)
    if not folder.is_dir():
        others = sorted(p.name for p in course.submitted(student).iterdir() if p.is_dir()) \
            if course.submitted(student).is_dir() else []
        note = f"handed in under another assignment name: {', '.join(others)}" if others else "nothing handed in"
        return Inspection(False, NO_SUBMISSION, [note])
    expected = course.released_notebooks(assignment)
    present = [name for name in expected if (folder / name).is_file()]
    if not present:
        found = sorted(p.name for p in folder.iterdir())
        return Inspection(False, NOT_GRADABLE, [f"none of the notebooks {', '.join(expected)} is in the submission"
                                                f" (found: {', '.join(found) or 'nothing'})"])
    inspection = Inspection(True)
    for name in expected:
        if name not in present:
            inspection.notes.append(f"missing notebook {name}: scored 0")
            continue
        problem = _notebook_problem(folder / name)
        if problem:
            return Inspection(False, NOT_GRADABLE, [f"{name} {problem}"])
    extra = sorted(p.name for p in folder.iterdir()
                   if p.name not in expected and p.name != ANSWER_FILE_NAME and p.name != "timestamp.txt")
    if extra:
        inspection.notes.append(f"extra files ignored: {', '.join(extra)}")
    try:
        AnswerStore(folder).load()
    except AnswerFileError:
        inspection.notes.append(f"{ANSWER_FILE_NAME} is damaged: widget questions score 0")
    return inspection


def _notebook_problem(path) -> str | None:
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return "is not a text file"
    except ValueError as error:
        return f"is not valid JSON ({error.args[0] if error.args else error})"
    try:
        notebook = nbformat.from_dict(content)
        nbformat.validate(notebook)
    except Exception as error:  # nbformat raises several kinds for malformed notebooks
        return f"is not a valid notebook ({type(error).__name__})"
    return None
