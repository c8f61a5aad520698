"""Read scores out of nbgrader's gradebook."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


@dataclass(frozen=True)
class ItemScore:
    """One graded cell of one submission."""

    grade_id: str
    auto_score: float | None
    max_score: float
    autograded: bool


def default_db_url(course_root: str | Path) -> str:
    return f"sqlite:///{Path(course_root).resolve() / 'gradebook.db'}"


def item_scores(db_url: str, assignment: str, student: str) -> dict[str, ItemScore]:
    """Every graded cell of one student's submission, by grade id; empty when there is no submission."""
    with Gradebook(db_url) as gradebook:
        try:
            submission = gradebook.find_submission(assignment, student)
        except MissingEntry:
            return {}
        scores = {}
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                scores[grade.name] = ItemScore(grade.name, grade.auto_score, grade.max_score,
                                               grade.cell_type == "code")
        return scores


def autograded_total(db_url: str, assignment: str, student: str) -> tuple[float, float]:
    """(points earned, points possible) over the autograded cells of one submission."""
    scores = [item for item in item_scores(db_url, assignment, student).values() if item.autograded]
    return sum(item.auto_score or 0.0 for item in scores), sum(item.max_score for item in scores)
