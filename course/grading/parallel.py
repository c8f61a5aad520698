"""Autograde a class on several worker processes, each driving nbgrader's own API.

Every worker loads the course's nbgrader configuration once and then grades student after
student with ``NbGraderAPI.autograde`` and ``generate_feedback`` (so the scores are
nbgrader's own, identical to a serial ``nbgrader autograde``). Students are disjoint
between workers; the gradebook is shared.
"""
from __future__ import annotations

import os
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable

from ..environment import child_environment
from .course_folder import CourseFolder

_API = None
_LOCK_RETRIES = 3


def _start_worker(root: str, db_url: str | None) -> None:
    global _API
    warnings.filterwarnings("ignore")  # nbgrader's gradebook warns through SQLAlchemy on every session
    os.environ["PATH"] = child_environment()["PATH"]
    os.chdir(root)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    config = CourseFolder(Path(root), db_url).config()
    _API = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _grade_one(assignment: str, student: str, feedback: bool = True) -> tuple[str, bool, str]:
    for attempt in range(_LOCK_RETRIES):
        result = _API.autograde(assignment, student, force=True, create=True)
        if result["success"] or "database is locked" not in (result.get("error") or result.get("log") or ""):
            break
    if not result["success"]:
        return student, False, _reason(result)
    if feedback:
        made = _API.generate_feedback(assignment, student, force=True)
        if not made["success"]:
            return student, True, "graded, but its feedback could not be generated: " + _reason(made)
    return student, True, ""


def _reason(result: dict) -> str:
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if "Error" in line or "ERROR" in line or "Exception" in line:
            return line[:300]
    return (lines[-1] if lines else "nbgrader failed without a message")[:300]


def grade_in_parallel(course: CourseFolder, assignment: str, students: Iterable[str], workers: int,
                      on_done: Callable[[str, bool, str], None], feedback: bool = True) -> None:
    """Grade ``students``; ``on_done(student, success, message)`` is called in this process as each one ends."""
    students = list(students)
    if not students:
        return
    context = get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, min(workers, len(students))), mp_context=context,
                             initializer=_start_worker, initargs=(str(course.root), course.db_url)) as pool:
        futures = {pool.submit(_grade_one, assignment, student, feedback): student for student in students}
        for future in as_completed(futures):
            try:
                student, success, message = future.result()
            except Exception as error:  # a worker that died (killed kernel, memory) must not stop the class
                student, success, message = futures[future], False, f"the grading process failed: {error}"
            on_done(student, success, message)
