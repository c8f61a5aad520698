"""``pm-course grade``: from a folder of submissions to grades, feedback, exports and a summary."""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

from .course_folder import CourseFolder, fingerprint_folder
from .inspection import GRADED, NOT_GRADABLE, inspect_submission
from .journal import GradingJournal, StudentResult
from .nbgrader_runner import run_nbgrader
from .parallel import grade_in_parallel


@dataclass
class GradingRun:
    results: dict[str, StudentResult]
    graded_now: list[str]
    skipped: list[str]


def ensure_assignment_known(course: CourseFolder, assignment: str) -> None:
    """Register the assignment (its notebooks and graded cells) in the gradebook, as nbgrader requires."""
    with Gradebook(course.gradebook_url) as gradebook:
        try:
            if gradebook.find_assignment(assignment).notebooks:
                return
        except MissingEntry:
            pass
    arguments = ["generate_assignment", assignment, "--force"]
    if course.db_url:
        arguments.append(f"--CourseDirectory.db_url={course.db_url}")
    run_nbgrader(course.root, *arguments)


def grade_class(course: CourseFolder, assignment: str, workers: int | None = None, regrade: bool = False,
                progress: bool = True, feedback: bool = True, isolate: bool = True,
                pool: ProcessPoolExecutor | None = None) -> GradingRun:
    """Grade every student not yet graded (or whose submission changed); ``pool`` is an optional pool of workers
    already started with :func:`course.grading.parallel.start_workers`."""
    course.require_assignment(assignment)
    ensure_assignment_known(course, assignment)
    journal = GradingJournal(course.pipeline_dir(assignment) / "journal.jsonl")
    if regrade:
        journal.clear()
    finished = journal.finished()
    results: dict[str, StudentResult] = {}
    to_grade: dict[str, tuple[str, tuple[str, ...]]] = {}
    skipped = []
    for student in _students(course, assignment):
        fingerprint = fingerprint_folder(course.submitted(student, assignment))
        done = finished.get(student)
        if done and done.fingerprint == fingerprint:
            results[student] = done
            skipped.append(student)
            continue
        inspection = inspect_submission(course, assignment, student)
        if not inspection.gradable:
            result = StudentResult(student, inspection.status, fingerprint, tuple(inspection.notes))
            journal.record(result)
            results[student] = result
        else:
            to_grade[student] = (fingerprint, tuple(inspection.notes))

    bar = _progress_bar(len(to_grade), assignment) if progress else None

    def done(student: str, success: bool, message: str) -> None:
        fingerprint, notes = to_grade[student]
        if success:
            result = StudentResult(student, GRADED, fingerprint, notes + ((message,) if message else ()))
        else:
            result = StudentResult(student, NOT_GRADABLE, fingerprint, notes + (message,))
        journal.record(result)
        results[student] = result
        if bar:
            bar.update(1)

    try:
        grade_in_parallel(course, assignment, sorted(to_grade), workers or os.cpu_count() or 1, done, feedback,
                          isolate, pool)
    finally:
        if bar:
            bar.close()
    return GradingRun(dict(sorted(results.items())), sorted(to_grade), skipped)


def _students(course: CourseFolder, assignment: str) -> list[str]:
    students = set(course.students_with_folders())
    with Gradebook(course.gradebook_url) as gradebook:
        students |= {student.id for student in gradebook.students}
    return sorted(students)


def _progress_bar(total: int, assignment: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=f"grading {assignment}", unit="student", dynamic_ncols=True)


def summary_table(course: CourseFolder, assignment: str, results: dict[str, StudentResult]) -> pd.DataFrame:
    """One row per student: status, score out of the maximum (blank unless graded), and notes."""
    rows = []
    with Gradebook(course.gradebook_url) as gradebook:
        maximum = gradebook.find_assignment(assignment).max_score
        for student, result in results.items():
            score = None
            if result.status == GRADED:
                try:
                    score = gradebook.find_submission(assignment, student).score
                except MissingEntry:
                    score = None
            rows.append({"student": student, "status": result.status, "score": score, "max_score": maximum,
                         "notes": "; ".join(note for note in result.notes if note)})
    return pd.DataFrame(rows, columns=["student", "status", "score", "max_score", "notes"])
