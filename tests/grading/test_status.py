"""``pm-course status`` (course/grading/pipeline/status.py) on a hand-made course folder and journal, the gradebook's
states given: one row per student, saying where each stands."""
from __future__ import annotations

import pytest

from course.grading.pipeline import status
from course.grading.pipeline.course_folder import CourseFolder, fingerprint_folder
from course.grading.pipeline.gradebook import GradeState, PendingItem
from course.grading.pipeline.inspection import GRADED, NOT_GRADABLE
from course.grading.pipeline.journal import StudentResult, journal_for

ASSIGNMENT = "a1-roles"


@pytest.fixture
def course(course_dir, quick_gradebooks) -> CourseFolder:
    return CourseFolder.at(course_dir)


def test_each_student_is_shown_where_they_stand(course, monkeypatch):
    """Handed in and not graded yet; graded, final; graded with a written answer pending; changed since grading;
    could not be graded; graded but lost from the gradebook."""
    folders = {}
    for student in ("ada", "bob", "cy", "dee", "eve", "fay"):
        folders[student] = course.submitted(student, ASSIGNMENT)
        folders[student].mkdir(parents=True)
        (folders[student] / "roles.ipynb").write_text("{}", encoding="utf-8")
    journal = journal_for(course, ASSIGNMENT)
    for student, outcome in [("bob", GRADED), ("cy", GRADED), ("dee", GRADED), ("eve", NOT_GRADABLE),
                             ("fay", GRADED)]:
        journal.record(StudentResult(student, outcome, fingerprint_folder(folders[student])))
    (folders["dee"] / "roles.ipynb").write_text('{"changed": true}', encoding="utf-8")
    pending = PendingItem("subset_debate_answer", "roles", 3.0)
    states = {"bob": GradeState(13.0, 13.0, (), "b"), "cy": GradeState(10.0, 13.0, (pending,), "c"),
              "dee": GradeState(9.0, 13.0, (), "d")}
    monkeypatch.setattr(status, "grade_states", lambda url, assignment, students: states)
    table = status.class_status(course, ASSIGNMENT).set_index("student")
    assert table.loc[["ada", "bob", "cy", "dee", "eve", "fay"], ["submitted", "autograded", "score", "final"]] \
        .values.tolist() == [
            ["yes", "not yet", "", ""],
            ["yes", "yes", "13 / 13", "yes"],
            ["yes", "yes", "10 / 13", "no"],
            ["yes, changed since grading", "yes", "9 / 13", "yes"],
            ["yes", "could not be graded", "", ""],
            ["yes", "lost from the gradebook", "", ""]]
    assert table.at["cy", "pending"] == "subset_debate_answer (3 points)"
    assert set(table["feedback"]) == {"none"} and set(table["released"]) == {"no"}
