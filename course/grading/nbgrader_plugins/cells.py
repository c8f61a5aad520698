"""What a notebook cell is to nbgrader, read with nbgrader's own rules (``nbgrader.utils.is_grade``,
``is_solution``) so that the course's plug-ins and nbgrader never disagree on which cell is a test, an answer or
neither."""
from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.utils import is_grade, is_solution


def is_test_cell(cell: NotebookNode) -> bool:
    """An autograder test cell: graded, not an answer. Its source is the instructor's (nbgrader overwrites it from
    the gradebook before a notebook runs), never the student's."""
    return cell.get("cell_type") == "code" and bool(is_grade(cell)) and not is_solution(cell)


def is_students(cell: NotebookNode) -> bool:
    """Whether a cell's source is the student's (an answer cell, or a cell the student added), not the instructor's
    (nbgrader writes those from its gradebook before grading)."""
    return not cell.metadata.get("nbgrader") or bool(is_solution(cell))


def grade_id_of(cell: NotebookNode) -> str | None:
    """The cell's nbgrader id (``grade_id``), or None for a cell nbgrader does not know."""
    return cell.metadata.get("nbgrader", {}).get("grade_id")
