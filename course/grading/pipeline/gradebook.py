"""Read scores out of nbgrader's gradebook."""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

# what SQLAlchemy 2 says each time nbgrader 0.9.6's gradebook records a submission ("Object of type
# <SubmittedNotebook> not in session, add operation along 'Notebook.submissions' will not proceed"): an autoflush
# while Gradebook.add_submission builds the submission; it adds the submission, and all that hangs from it, to the
# session itself right after, so nothing is lost
NBGRADER_SESSION_WARNING = r"Object of type <\w+> not in session, add operation along '\w+\.submissions'"


def quiet_nbgrader_session_warnings() -> None:
    """Silence that one warning of nbgrader's gradebook, which would fill every grading worker's log; every other
    warning is still shown (or logged, where :func:`logging.captureWarnings` is on)."""
    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", message=NBGRADER_SESSION_WARNING, category=SAWarning, module=r"nbgrader\.api")


@dataclass(frozen=True)
class ItemScore:
    """One graded cell of one submission."""

    grade_id: str
    auto_score: float | None
    max_score: float
    autograded: bool


def default_db_url(course_root: str | Path) -> str:
    """nbgrader's own default gradebook of a course folder (``CourseDirectory.db_url``: ``gradebook.db`` in it),
    the URL a :class:`.course_folder.CourseFolder` uses when neither ``--db`` nor the config file names one."""
    from nbgrader.coursedir import CourseDirectory

    return CourseDirectory(root=str(Path(course_root).resolve())).db_url


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


@dataclass(frozen=True)
class PendingItem:
    """A hand-graded part (a written answer) that no grader has scored yet."""

    grade_id: str
    notebook: str
    points: float

    def label(self) -> str:
        return f"{self.grade_id} ({self.points:g} point{'s' if self.points != 1 else ''})"


@dataclass(frozen=True)
class GradeState:
    """Where one student's submission stands in the gradebook."""

    score: float
    max_score: float
    pending: tuple[PendingItem, ...]
    signature: str  # changes whenever any score, comment or penalty of the submission changes

    @property
    def final(self) -> bool:
        return not self.pending

    @property
    def pending_points(self) -> float:
        return sum(item.points for item in self.pending)


def grade_states(db_url: str, assignment: str, students: list[str] | None = None) -> dict[str, GradeState]:
    """Every submission of ``assignment`` in the gradebook (or those of ``students``), by student id.

    A part is pending while nbgrader says it needs a manual grade and no grader has scored it (a written answer
    nobody has graded in formgrader; an unchanged answer cell is scored 0 by nbgrader itself and is not pending)."""
    import hashlib
    import json

    wanted = set(students) if students is not None else None
    states: dict[str, GradeState] = {}
    with Gradebook(db_url) as gradebook:
        try:
            submissions = gradebook.assignment_submissions(assignment)
        except MissingEntry:
            return states
        for submission in submissions:
            student = submission.student.id
            if wanted is not None and student not in wanted:
                continue
            pending, facts = [], []
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    if grade.needs_manual_grade and grade.manual_score is None:
                        pending.append(PendingItem(grade.name, notebook.name, float(grade.max_score)))
                    facts.append(["grade", notebook.name, grade.name, grade.auto_score, grade.manual_score,
                                  grade.extra_credit, grade.needs_manual_grade])
                for comment in notebook.comments:
                    facts.append(["comment", notebook.name, comment.name, comment.auto_comment,
                                  comment.manual_comment])
                facts.append(["penalty", notebook.name, notebook.late_submission_penalty])
            signature = hashlib.sha256(json.dumps(sorted(facts, key=str), default=str).encode()).hexdigest()
            states[student] = GradeState(float(submission.score or 0.0), float(submission.max_score or 0.0),
                                         tuple(sorted(pending, key=lambda item: (item.notebook, item.grade_id))),
                                         signature)
    return states
