"""Autograde a class on several worker processes, each driving nbgrader's own API.

Every worker loads the course's nbgrader configuration once and then grades student after
student with ``NbGraderAPI.autograde`` and ``generate_feedback`` (so the scores are
nbgrader's own, identical to a serial ``nbgrader autograde``). Students are disjoint
between workers; the gradebook is shared.
"""
from __future__ import annotations

import logging
import os
import re
import signal
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Iterable

from course.grading.kernels.private_folder import use_kernel_template
from course.grading.pipeline.course_folder import CourseFolder
from course.processes.environment import child_environment

LOGGER = logging.getLogger(__name__)
_API = None
_LOCK_RETRIES = 3


def _start_worker(course: CourseFolder, isolate: bool = True) -> None:
    global _API
    # Ctrl+C reaches every process of the terminal's group: the command stops and says so; a worker just finishes
    # its student quietly (a Python handler, not SIG_IGN, so that the kernels it starts keep the default)
    signal.signal(signal.SIGINT, lambda *_: None)
    os.environ["PATH"] = child_environment()["PATH"]
    os.chdir(course.root)
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from course.grading.pipeline.gradebook import quiet_nbgrader_session_warnings

    # nothing a worker or its kernels print reaches the terminal (a kernel can print escape sequences, and nbgrader
    # logs what a notebook raised): this worker's output goes to its log, its kernels' to theirs (capped)
    logs = log_folder(course)
    output = os.open(logs / f"worker-{os.getpid()}.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    # what the course's code logs (from INFO up) and every warning go there too, with the time and where they come
    # from (other libraries' own loggers from WARNING up)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, force=True,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("course").setLevel(logging.INFO)
    logging.captureWarnings(True)
    quiet_nbgrader_session_warnings()
    config = course.config()
    kernels = use_kernel_template(course.root, isolate, log_file=logs / f"kernels-{os.getpid()}.log")
    config.merge(kernels.config)
    _API = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    # start the kernel template now (its sandbox, its imports: about 1.5 s), while the command prepares the class,
    # rather than when the first student's kernel is wanted
    from course.grading.kernels.private_folder import KERNEL_NAME
    from course.grading.kernels.sandbox import sandbox_available
    from course.kernels.forked_kernels import TemplateUnavailable, start_template_of

    if sandbox_available() or not isolate:
        try:
            start_template_of(KERNEL_NAME, kernels.kernel_specs())
        except (TemplateUnavailable, OSError) as error:  # the first kernel will try again, and say why it failed
            LOGGER.warning("the kernel template did not start: %s", error)


def log_folder(course: CourseFolder) -> Path:
    """Where the workers and their kernels write what they print: ``.pm-course/grading/logs/``."""
    folder = course.root / ".pm-course" / "grading" / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clear_logs(course: CourseFolder) -> None:
    """Remove the logs of an earlier run, so that the folder holds this run's only."""
    for log in log_folder(course).glob("*.log"):
        log.unlink(missing_ok=True)


def _grade_one(assignment: str, student: str, feedback: bool = True) -> tuple[str, bool, str]:
    for _attempt in range(_LOCK_RETRIES):
        result = _API.autograde(assignment, student, force=True, create=True)
        if result["success"] or "database is locked" not in (result.get("error") or result.get("log") or ""):
            break
    if not result["success"]:
        return student, False, _reason(result)
    from course.grading.nbgrader_plugins.widget_judging import grading_notes

    coursedir = _API.coursedir
    notes = "; ".join(grading_notes(Path(coursedir.format_path(coursedir.autograded_directory, student, assignment))))
    if feedback:
        made = _API.generate_feedback(assignment, student, force=True)
        if not made["success"]:
            return student, True, "; ".join(filter(None, [notes, "graded, but its feedback could not be generated: "
                                                          + _reason(made)]))
    return student, True, notes


def _reason(result: dict) -> str:
    """The line of nbgrader's log that says what went wrong: the last exception raised, else the last error."""
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    raised = [line for line in lines if re.match(r"^[\w.]*(Error|Exception|Timeout)\w*: ", line)]
    if raised:
        return raised[-1][:300]
    logged = [line for line in lines if "ERROR" in line and "see the the above traceback" not in line]
    return (logged[-1] if logged else lines[-1] if lines else "nbgrader failed without a message")[:300]


def _ready() -> None:
    """A task that does nothing: submitting it makes the pool start its workers."""


def start_workers(course: CourseFolder, workers: int, isolate: bool = True) -> ProcessPoolExecutor:
    """Start ``workers`` grading processes now: each takes seconds to import nbgrader and preload its kernel template,
    which they do while this process is still preparing the class. Pass the pool to :func:`grade_in_parallel`."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker,
                               initargs=(course, isolate))
    pool.submit(_ready)
    return pool


def grade_in_parallel(course: CourseFolder, assignment: str, students: Iterable[str], workers: int,
                      on_done: Callable[[str, bool, str], None], feedback: bool = True, isolate: bool = True,
                      pool: ProcessPoolExecutor | None = None) -> None:
    """Grade ``students``; ``on_done(student, success, message)`` is called in this process as each one ends.

    ``pool``, when given, is a pool from :func:`start_workers` to begin with (it is shut down at the end).
    If a worker process dies (a submission that kills its grader when it runs unisolated, the kernel's out-of-memory
    killer), the pool is rebuilt and the students not yet finished are graded one at a time, so the one that kills
    its worker is found and reported while every other student is graded.
    """
    pending = list(students)
    one_at_a_time = False
    while pending:
        width = 1 if one_at_a_time else max(1, min(workers, len(pending)))
        if pool is None:
            pool = start_workers(course, width, isolate)
        try:
            if one_at_a_time:
                for student in list(pending):
                    outcome = _outcome(pool.submit(_grade_one, assignment, student, feedback))
                    pending.remove(student)
                    if outcome is None:
                        on_done(student, False, "the submission killed the process grading it")
                        break  # this pool is broken: build a new one for the rest
                    on_done(student, *outcome)
                continue
            futures = {pool.submit(_grade_one, assignment, student, feedback): student for student in pending}
            for future in as_completed(futures):
                outcome = _outcome(future)
                if outcome is None:
                    one_at_a_time = True  # find the culprit: grade the unfinished students one by one
                    break
                pending.remove(futures[future])
                on_done(futures[future], *outcome)
        finally:
            # when every student is done, the workers may wind down (about 1.5 s) while the caller goes on to the
            # exports; otherwise wait, so that no student is still being graded by an old worker when a new one starts
            pool.shutdown(wait=bool(pending), cancel_futures=True)
            pool = None
    if pool is not None:  # started, but nothing was left to grade
        pool.shutdown(wait=False, cancel_futures=True)


def _outcome(future) -> tuple[bool, str] | None:
    """(success, message) of one grading task, or None when its worker process died."""
    try:
        _, success, message = future.result()
    except BrokenProcessPool:
        return None
    except Exception as error:  # anything else a worker raises must not stop the class
        return False, f"the grading process failed: {error}"
    return success, message
