"""``pm-course grade``: from a folder of submissions to grades and a summary (feedback and exports follow it).

The journal (:mod:`.journal`) says which students were graded, and on which version of their submission;
it is trusted only where the gradebook agrees: a student the journal lists as graded but whom the gradebook
does not know (the gradebook was deleted, replaced or pointed elsewhere) is graded again, never exported blank.
"""
from __future__ import annotations

import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import pandas as pd
from nbgrader.api import Gradebook, MissingEntry

from course.content.json_data import read_record
from course.errors import CourseError
from course.grading.pipeline.course_folder import CourseFolder, fingerprint_folder
from course.grading.pipeline.gradebook import GradeState, grade_states
from course.grading.pipeline.inspection import GRADED, NO_SUBMISSION, NOT_GRADABLE, inspect_submission
from course.grading.pipeline.journal import StudentResult, journal_for
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from course.grading.pipeline.parallel import grade_in_parallel
from course.grading.pipeline.submission_files import printable, valid_student_id

FINAL = "final"
PROVISIONAL = "provisional"
SUMMARY_COLUMNS = ["student", "status", "score", "max_score", "grade", "pending", "notes", "student_notes"]


@dataclass
class GradingRun:
    results: dict[str, StudentResult]
    graded_now: list[str]
    skipped: list[str]
    regraded: list[str] = field(default_factory=list)  # journal said graded, gradebook did not: graded again
    strays: list[str] = field(default_factory=list)  # what submitted/ or the gradebook holds that is no student
    # outside checks that failed (the instructor's error, :func:`.outside_checks.check_error_line`): the students
    # they cost points, among those graded
    check_errors: dict[str, list[str]] = field(default_factory=dict)


def ensure_assignment_known(course: CourseFolder, assignment: str) -> None:
    """Register the assignment (its notebooks and graded cells) in the gradebook, as nbgrader requires."""
    with Gradebook(course.gradebook_url) as gradebook:
        try:
            if gradebook.find_assignment(assignment).notebooks:
                return
        except MissingEntry:
            pass
    arguments = ["generate_assignment", assignment, "--force", f"--CourseDirectory.db_url={course.gradebook_url}"]
    run_nbgrader(course.root, *arguments)


def grade_class(course: CourseFolder, assignment: str, workers: int | None = None, regrade: bool = False,
                progress: bool = True, feedback: bool = False, isolate: bool = True,
                pool: ProcessPoolExecutor | None = None) -> GradingRun:
    """Grade every student not yet graded (or whose submission changed, or whose grades the gradebook lacks);
    ``pool`` is an optional pool of workers already started with :func:`course.grading.pipeline.parallel.start_workers`.

    ``feedback`` asks the workers to write feedback as they grade; ``pm-course grade`` leaves it off and writes
    feedback afterwards only for students whose grade is final (:mod:`.feedback_release`)."""
    course.require_assignment(assignment)
    ensure_assignment_known(course, assignment)
    journal = journal_for(course, assignment)
    if regrade:
        journal.clear()
    finished = journal.finished()
    students, strays = class_list(course)
    if not students:
        raise CourseError(f"no submissions to grade for {assignment}: {course.submitted()} holds no student folders "
                          "and the gradebook lists no students. Put them in submitted/<student>/"
                          f"{assignment}/, import an LMS download with --submissions, or run "
                          f"'pm-course collect {assignment}' on a JupyterHub.")
    in_gradebook = grade_states(course.gradebook_url, assignment)
    results: dict[str, StudentResult] = {}
    to_grade: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}
    skipped, regraded = [], []
    for student in students:
        fingerprint = fingerprint_folder(course.submitted(student, assignment))
        done = finished.get(student)
        if done and done.fingerprint == fingerprint:
            if done.status != GRADED or (student in in_gradebook and course.autograded(student, assignment).is_dir()):
                results[student] = done
                skipped.append(student)
                continue
            regraded.append(student)
        inspection = inspect_submission(course, assignment, student)
        notes = tuple(inspection.notes)
        if student in regraded:
            notes += ("graded again: the journal listed this student as graded, but the gradebook had no grades "
                      "for them (was the gradebook deleted or replaced?)",)
        if not inspection.gradable:
            result = StudentResult(student, inspection.status, fingerprint, notes)
            journal.record(result)
            results[student] = result
        else:
            to_grade[student] = (fingerprint, notes, tuple(inspection.student_notes))

    bar = _progress_bar(len(to_grade), assignment) if progress and to_grade else None

    def done(student: str, success: bool, message: str) -> None:
        fingerprint, notes, student_notes = to_grade[student]
        if success:
            result = StudentResult(student, GRADED, fingerprint, notes + ((message,) if message else ()),
                                   student_notes)
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
    graded = [student for student, result in sorted(results.items()) if result.status == GRADED]
    return GradingRun(dict(sorted(results.items())), sorted(to_grade), skipped, regraded, strays,
                      check_errors(course, assignment, graded))


def check_errors(course: CourseFolder, assignment: str, students: list[str]) -> dict[str, list[str]]:
    """Each outside check that failed when these students were graded (as the grader recorded it beside their
    autograded notebooks), with the students it failed for."""
    from course.grading.nbgrader_plugins.outside_checks import check_error_line
    from course.grading.nbgrader_plugins.preprocessors import VERDICTS_SUFFIX

    failed: dict[str, list[str]] = {}
    for student in students:
        for path in sorted(course.autograded(student, assignment).glob(f"*{VERDICTS_SUFFIX}")):
            verdicts = read_record(path)
            notebook = path.name.removesuffix(VERDICTS_SUFFIX) + ".ipynb"
            for grade_id, verdict in sorted(verdicts.items()):
                if isinstance(verdict, dict) and verdict.get("check_error"):
                    line = check_error_line(assignment, notebook, grade_id, str(verdict["check_error"]))
                    failed.setdefault(line, []).append(student)
    return failed


def class_list(course: CourseFolder) -> tuple[list[str], list[str]]:
    """The students (valid ids with a folder in submitted/, or known to the gradebook) and the strays."""
    students = set(course.students_with_folders())
    strays = course.strays()
    with Gradebook(course.gradebook_url) as gradebook:
        for student in gradebook.students:
            if valid_student_id(student.id):
                students.add(student.id)
            else:
                strays.append(f"gradebook student {printable(student.id)!r} is not a valid student id: not graded")
    return sorted(students), strays


def recorded_results(course: CourseFolder, assignment: str) -> dict[str, StudentResult]:
    """What the last grading runs recorded for every student (the journal), for commands that do not grade."""
    return dict(sorted(journal_for(course, assignment).finished().items()))


def _progress_bar(total: int, assignment: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=f"grading {assignment}", unit="student", dynamic_ncols=True)


def summary_table(course: CourseFolder, assignment: str, results: dict[str, StudentResult],
                  states: dict[str, GradeState] | None = None) -> pd.DataFrame:
    """One row per student: status, whether the grade is final or provisional, the score out of the maximum
    (blank unless graded), the hand-graded parts still pending, and notes (for the instructor, and for the
    student)."""
    if states is None:
        states = grade_states(course.gradebook_url, assignment, list(results))
    with Gradebook(course.gradebook_url) as gradebook:
        try:
            maximum = gradebook.find_assignment(assignment).max_score
        except MissingEntry:
            maximum = None
    rows = []
    for student, result in results.items():
        state = states.get(student) if result.status == GRADED else None
        status = result.status
        if result.status == GRADED and state is None:
            status = NOT_GRADABLE  # graded once, but the gradebook no longer has it: never shown as a grade
        rows.append({
            "student": student, "status": status,
            "grade": (FINAL if state.final else PROVISIONAL) if state else "",
            "score": state.score if state else None, "max_score": maximum,
            "pending": "; ".join(item.label() for item in state.pending) if state else "",
            "notes": "; ".join(note for note in result.notes if note)
            or ("the gradebook has no grades for this student: run pm-course grade again"
                if result.status == GRADED and state is None else ""),
            "student_notes": " ".join(note for note in result.student_notes if note) if state else "",
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


__all__ = ["FINAL", "GRADED", "NOT_GRADABLE", "NO_SUBMISSION", "PROVISIONAL", "GradingRun", "class_list",
           "ensure_assignment_known", "grade_class", "journal_for", "recorded_results", "summary_table"]
