"""Feedback that goes out only when it is final, and is written again whenever a grade changes.

A grade is *provisional* while any hand-graded part (a written answer) has no score yet. Feedback is written for
a student only when the grade is final, unless the instructor asks for provisional feedback, which then says at
the top which parts are not graded yet and marks each of them where it stands, instead of showing "0 / 3".

Each student's feedback is recorded with the gradebook *signature* of the grade it shows (every score, comment
and penalty, manual ones included, :func:`.gradebook.grade_states`) in ``.pm-course/grading/<assignment>/
feedback.json``. :func:`update_feedback` writes feedback again for exactly the students whose signature changed
(a written answer graded in formgrader, a regrade, a comment), and withdraws feedback that no longer matches a
grade (moved aside, so ``nbgrader release_feedback`` cannot send a stale one). Whether feedback was released is
read from nbgrader's exchange (the file ``release_feedback`` writes for each notebook).

Feedback is generated with nbgrader's own ``NbGraderAPI.generate_feedback`` and the course's configuration, plus
one preprocessor of this module that adds the notes above.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from nbformat.v4 import new_markdown_cell
from nbgrader.preprocessors import NbGraderPreprocessor

from course.content.json_data import read_record
from course.grading.nbgrader_plugins.cells import grade_id_of
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.gradebook import GradeState, PendingItem, grade_states
from course.grading.pipeline.inspection import GRADED
from course.grading.pipeline.journal import StudentResult, journal_for

RECORD_FILE = "feedback.json"
NONE, CURRENT, OUT_OF_DATE = "none", "current", "out of date"


@dataclass
class FeedbackRun:
    generated: list[str] = field(default_factory=list)  # final feedback written now
    provisional: list[str] = field(default_factory=list)  # provisional feedback written now (asked for)
    unchanged: list[str] = field(default_factory=list)
    withheld: dict[str, str] = field(default_factory=dict)  # student: the pending parts
    withdrawn: list[str] = field(default_factory=list)  # stale feedback moved aside
    failed: dict[str, str] = field(default_factory=dict)


def record_path(course: CourseFolder, assignment: str) -> Path:
    return course.pipeline_dir(assignment) / RECORD_FILE


def load_record(course: CourseFolder, assignment: str) -> dict[str, dict]:
    return read_record(record_path(course, assignment))


def _save_record(course: CourseFolder, assignment: str, record: dict[str, dict]) -> None:
    path = record_path(course, assignment)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(temporary, path)


def _html_digests(folder: Path) -> dict[str, str]:
    if not folder.is_dir():
        return {}
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.glob("*.html"))}


def feedback_state(course: CourseFolder, assignment: str, student: str, state: GradeState | None,
                   result: StudentResult | None, record: dict[str, dict]) -> str:
    """``none``, ``current`` (matches the grade in the gradebook) or ``out of date``; ``(provisional)`` is added
    when the feedback says that parts are still to be graded."""
    files = _html_digests(course.feedback(student, assignment))
    if not files:
        return NONE
    entry = record.get(student)
    if not entry or state is None or result is None or entry.get("files") != files \
            or entry.get("signature") != state.signature or entry.get("notes") != list(result.student_notes):
        return OUT_OF_DATE
    return CURRENT if entry.get("final") else f"{CURRENT} (provisional)"


def released_state(course: CourseFolder, assignment: str, student: str) -> str:
    """Whether nbgrader's ``release_feedback`` put this student's feedback in the exchange: ``no``, ``yes``,
    or ``an older version`` (the feedback changed since it was released)."""
    folder = course.feedback(student, assignment)
    secret_file = folder / "submission_secret.txt"
    if not secret_file.is_file():
        return "no"
    outbound = _exchange_feedback_folder(course)
    if outbound is None:
        return "no"
    from nbgrader.utils import notebook_hash

    secret = secret_file.read_text(encoding="utf-8")
    states = []
    for html in sorted(folder.glob("*.html")):
        released = outbound / f"{notebook_hash(secret=secret, notebook_id=html.stem)}.html"
        if not released.is_file():
            states.append("no")
        else:
            states.append("yes" if released.read_bytes() == html.read_bytes() else "an older version")
    if not states or all(state == "no" for state in states):
        return "no"
    return "yes" if all(state == "yes" for state in states) else "an older version"


def _exchange_feedback_folder(course: CourseFolder) -> Path | None:
    try:
        from nbgrader.exchange.default.exchange import Exchange

        config = course.config()
        root = Path(Exchange(config=config).root)
        course_id = config.CourseDirectory.get("course_id") or ""
    except Exception:  # no exchange configured: feedback goes out through an LMS instead
        return None
    folder = root / str(course_id) / "feedback"
    return folder if course_id and folder.is_dir() else None


def update_feedback(course: CourseFolder, assignment: str, results: dict[str, StudentResult],
                    provisional: bool = False, force: bool = False, workers: int = 1) -> FeedbackRun:
    """Write feedback for every graded student whose final grade changed since their last feedback (or who has
    none); with ``provisional``, also for students whose grade still waits for hand grading. Feedback that no
    longer matches a grade is withdrawn."""
    run = FeedbackRun()
    record = load_record(course, assignment)
    states = grade_states(course.gradebook_url, assignment, list(results))
    wanted: dict[str, bool] = {}  # student: final?
    for student, result in results.items():
        state = states.get(student) if result.status == GRADED else None
        current = feedback_state(course, assignment, student, state, result, record)
        if state is None:
            if current != NONE:
                _withdraw(course, assignment, student, record)
                run.withdrawn.append(student)
            continue
        if not state.final and not provisional:
            run.withheld[student] = "; ".join(item.label() for item in state.pending)
            if current == OUT_OF_DATE:
                _withdraw(course, assignment, student, record)
                run.withdrawn.append(student)
            continue
        if current.startswith(CURRENT) and not force:
            run.unchanged.append(student)
            continue
        wanted[student] = state.final
    failures = _generate(course, assignment, sorted(wanted), workers)
    after = grade_states(course.gradebook_url, assignment, list(wanted))
    for student, final in wanted.items():
        if student in failures:
            run.failed[student] = failures[student]
            continue
        state = after.get(student)
        record[student] = {"signature": state.signature if state else "", "final": final,
                           "score": state.score if state else None,
                           "notes": list(results[student].student_notes),
                           "files": _html_digests(course.feedback(student, assignment)),
                           "written": time.strftime("%Y-%m-%dT%H:%M:%S")}
        (run.generated if final else run.provisional).append(student)
    _save_record(course, assignment, record)
    return run


def _withdraw(course: CourseFolder, assignment: str, student: str, record: dict[str, dict]) -> None:
    folder = course.feedback(student, assignment)
    if folder.is_dir():
        target = course.pipeline_dir(assignment) / "withdrawn-feedback" / time.strftime("%Y%m%d-%H%M%S") / student
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(folder), str(target))
        if not any(folder.parent.iterdir()):
            folder.parent.rmdir()
    record.pop(student, None)


# --- generating: nbgrader's generate_feedback with one more preprocessor, in this process or a few workers ---

_API = None


def _feedback_api(course: CourseFolder):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    from course.grading.pipeline.gradebook import quiet_nbgrader_session_warnings

    quiet_nbgrader_session_warnings()
    config = course.config()
    config.CourseDirectory.db_url = course.gradebook_url
    steps = list(config.GenerateFeedback.preprocessors) if "GenerateFeedback" in config and \
        "preprocessors" in config.GenerateFeedback else []
    if not steps:
        from nbgrader.converters import GenerateFeedback

        steps = list(GenerateFeedback.class_traits()["preprocessors"].default())
    config.GenerateFeedback.preprocessors = [*steps, AnnotateFeedback]
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def _start_feedback_worker(course: CourseFolder) -> None:
    import signal

    global _API
    signal.signal(signal.SIGINT, lambda *_: None)  # Ctrl+C stops the command; the worker ends its student quietly
    os.chdir(course.root)
    _API = _feedback_api(course)


def _generate_one(assignment: str, student: str) -> tuple[str, str | None]:
    outcome = _API.generate_feedback(assignment, student, force=True)
    if outcome["success"]:
        return student, None
    text = (outcome.get("error") or "") + "\n" + (outcome.get("log") or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return student, (lines[-1] if lines else "nbgrader failed without a message")[:300]


def _generate(course: CourseFolder, assignment: str, students: list[str], workers: int) -> dict[str, str]:
    """Generate feedback for ``students``; the failures, by student. Large batches use a few processes."""
    global _API
    failures: dict[str, str] = {}
    if not students:
        return failures
    processes = min(workers, len(students) // 6)
    if processes >= 2:
        with ProcessPoolExecutor(max_workers=processes, mp_context=get_context("spawn"),
                                 initializer=_start_feedback_worker, initargs=(course,)) as pool:
            for student, error in pool.map(_generate_one, [assignment] * len(students), students):
                if error:
                    failures[student] = error
        return failures
    previous = os.getcwd()
    os.chdir(course.root)
    try:
        _API = _feedback_api(course)
        for student in students:
            _, error = _generate_one(assignment, student)
            if error:
                failures[student] = error
    finally:
        _API = None
        os.chdir(previous)
    return failures


class AnnotateFeedback(NbGraderPreprocessor):
    """Adds to a student's feedback what the grade does not show by itself: the hand-graded parts not graded yet
    (at the top and where each part stands, instead of its "0 / 3" line) and the grading notes written for the
    student (a missing answer file, a missing notebook)."""

    def preprocess(self, nb, resources):
        info = resources.get("nbgrader", {})
        student, assignment, notebook = info.get("student"), info.get("assignment"), info.get("notebook")
        if not (student and assignment and notebook):
            return nb, resources
        from nbgrader.coursedir import CourseDirectory

        course = CourseFolder(Path(CourseDirectory(config=self.config).root))
        state = grade_states(info.get("db_url") or course.gradebook_url, assignment, [student]).get(student)
        pending = [item for item in (state.pending if state else ()) if item.notebook == notebook]
        by_id = {item.grade_id: item for item in pending}
        cells = []
        for cell in nb.cells:
            cells.append(cell)
            grade_id = grade_id_of(cell)
            if grade_id in by_id:
                cell.metadata.nbgrader["grade"] = False  # no "Score: 0.0 / 3.0" line for a part nobody graded yet
                cells.append(new_markdown_cell(f"*Not graded yet ({_points(by_id[grade_id])}): your instructor "
                                               "grades this answer by hand. You will get new feedback when it is "
                                               "graded.*"))
        nb.cells = cells
        notes = []
        if state and state.pending:
            parts = ", ".join(f"{item.grade_id} in {item.notebook} ({_points(item)})" for item in state.pending)
            notes.append(f"**Your grade is not final yet.** These parts are graded by hand and have not been graded: "
                         f"{parts}. The score above counts only what has been graded so far; the "
                         f"{state.pending_points:g} remaining points are added when they are graded.")
        result = journal_for(course, assignment).finished().get(student)
        if result and result.student_notes:
            notes.append("**From grading your submission.** " + " ".join(result.student_notes))
        if notes:
            nb.cells.insert(0, new_markdown_cell("\n\n".join(notes)))
        return nb, resources


def _points(item: PendingItem) -> str:
    return f"{item.points:g} point{'s' if item.points != 1 else ''}"
