"""The state of every student of one assignment, for ``pm-course status``: read-only, from the course folder, the
grading journal, the gradebook, the feedback record and nbgrader's exchange."""
from __future__ import annotations

import pandas as pd

from course.grading.pipeline.course_folder import CourseFolder, fingerprint_folder
from course.grading.pipeline.feedback_release import feedback_state, load_record, released_state
from course.grading.pipeline.grade import class_list, recorded_results
from course.grading.pipeline.gradebook import grade_states
from course.grading.pipeline.inspection import GRADED, NOT_GRADABLE

COLUMNS = ["student", "submitted", "autograded", "score", "pending", "final", "feedback", "released"]


def class_status(course: CourseFolder, assignment: str) -> pd.DataFrame:
    results = recorded_results(course, assignment)
    students, _ = class_list(course)
    students = sorted(set(students) | set(results))
    states = grade_states(course.gradebook_url, assignment, students)
    record = load_record(course, assignment)
    rows = []
    for student in students:
        folder = course.submitted(student, assignment)
        result = results.get(student)
        handed_in = folder.is_dir() and not folder.is_symlink()
        submitted = "yes" if handed_in else "no"
        if handed_in and result is not None and result.fingerprint != fingerprint_folder(folder):
            submitted = "yes, changed since grading"
        state = states.get(student) if result is not None and result.status == GRADED else None
        if result is None:
            autograded = "not yet" if handed_in else ""
        elif result.status == GRADED:
            autograded = "yes" if state else "lost from the gradebook"
        elif result.status == NOT_GRADABLE:
            autograded = "could not be graded"
        else:
            autograded = ""
        rows.append({
            "student": student, "submitted": submitted, "autograded": autograded,
            "score": f"{state.score:g} / {state.max_score:g}" if state else "",
            "pending": "; ".join(item.label() for item in state.pending) if state else "",
            "final": ("yes" if state.final else "no") if state else "",
            "feedback": feedback_state(course, assignment, student, state, result, record),
            "released": released_state(course, assignment, student),
        })
    return pd.DataFrame(rows, columns=COLUMNS)
