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


def build_class(course_root: str | Path, assignment: str, students: int, seed: int = 0,
                answered: float = 0.8, mistaken: float = 0.4) -> list[str]:
    """Write a reproducible synthetic class into ``submitted/``: each student fills each solution cell with
    probability ``answered`` and then makes one plausible mistake with probability ``mistaken``."""
    import random

    from tests.support.mistakes import apply_mistake, load_mistakes

    course_root = Path(course_root)
    known = load_mistakes(course_root)
    rng = random.Random(f"{seed}-{assignment}")
    released = sorted((course_root / "exercises" / assignment).glob("*.ipynb"))
    names = []
    for number in range(1, students + 1):
        student = f"s{number:04d}"
        folder = course_root / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for path in released:
            instructor = course_root / "solutions" / assignment / path.name
            solution_ids = {cell.metadata["nbgrader"]["grade_id"] for cell in nbformat.read(str(instructor), 4).cells
                            if cell.get("metadata", {}).get("nbgrader", {}).get("solution")}
            chosen = {grade_id for grade_id in sorted(solution_ids) if rng.random() < answered}
            notebook = fill_solutions(path, instructor, only=chosen)
            mistakes = [m for m in known.values() if (m.assignment, m.notebook) == (assignment, path.name)
                        and m.cell in chosen]
            if mistakes and rng.random() < mistaken:
                apply_mistake(notebook, rng.choice(mistakes))
            nbformat.write(notebook, str(folder / path.name))
        names.append(student)
    return names
