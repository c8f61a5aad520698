"""Build submissions from the student version: untouched, or answered as the instructor would.

A *perfect* submission is the student notebook with every solution cell replaced
by the instructor version's cell of the same grade id; its test cells stay the
student's (visible tests only), exactly as a real student would hand it in.
"""
from __future__ import annotations

from pathlib import Path

import nbformat


def _grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def fill_solutions(student_notebook: str | Path, instructor_notebook: str | Path,
                   only: set[str] | None = None) -> nbformat.NotebookNode:
    """The student notebook with its solution cells (all, or those in ``only``) taken from the instructor's."""
    student = nbformat.read(str(student_notebook), as_version=4)
    instructor = nbformat.read(str(instructor_notebook), as_version=4)
    answers = {_grade_id(cell): cell.source for cell in instructor.cells
               if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}
    for cell in student.cells:
        grade_id = _grade_id(cell)
        if grade_id in answers and (only is None or grade_id in only):
            cell.source = answers[grade_id]
    return student
