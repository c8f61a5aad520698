"""Looking at a submission before grading it (course/grading/pipeline/inspection.py): each problem an instructor meets
in a real class, read from the folder alone, without nbgrader. tests/grading/test_pipeline.py grades the same kinds of
submission end to end."""
from __future__ import annotations

import json

import pytest

from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.inspection import GRADED, NO_SUBMISSION, NOT_GRADABLE, inspect_submission
from course.learner.answers import ANSWER_FILE_NAME

ASSIGNMENT = "a1-roles"


@pytest.fixture
def course(course_dir) -> CourseFolder:
    return CourseFolder.at(course_dir)


@pytest.fixture
def notebook(course_dir) -> str:
    return (course_dir / "solutions" / ASSIGNMENT / "roles.ipynb").read_text()


def _hand_in(course: CourseFolder, student: str, files: dict[str, str], assignment: str = ASSIGNMENT) -> None:
    folder = course.submitted(student, assignment)
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text)


def test_a_complete_submission_is_graded_with_no_note(course, notebook):
    _hand_in(course, "honest", {"roles.ipynb": notebook, ANSWER_FILE_NAME: json.dumps({"format": 1, "answers": {}})})
    inspection = inspect_submission(course, ASSIGNMENT, "honest")
    assert (inspection.gradable, inspection.status, inspection.notes, inspection.student_notes) == \
        (True, GRADED, [], [])


@pytest.mark.parametrize("files,reason", [
    ({"roles.ipynb": '{"cells": [ this is not json'}, "roles.ipynb is not valid JSON"),
    ({"roles.ipynb": '{"just": "json"}'}, "roles.ipynb is not a valid notebook"),
    ({"notes.txt": "forgot the notebook"}, "none of the notebooks roles.ipynb is in the submission (found: notes.txt)"),
], ids=["corrupt JSON", "JSON but no notebook", "no notebook"])
def test_what_cannot_be_graded_says_why_in_one_note(course, files, reason):
    _hand_in(course, "student", files)
    inspection = inspect_submission(course, ASSIGNMENT, "student")
    assert (inspection.gradable, inspection.status) == (False, NOT_GRADABLE)
    assert len(inspection.notes) == 1 and inspection.notes[0].startswith(reason), inspection.notes
    assert inspection.student_notes == [], "nothing internal is written for the student"


def test_extra_files_are_ignored_and_named_for_the_instructor_only(course, notebook):
    _hand_in(course, "extra", {"roles.ipynb": notebook, "my-scratch.py": "print('hi')",
                               ANSWER_FILE_NAME: json.dumps({"format": 1, "answers": {}})})
    inspection = inspect_submission(course, ASSIGNMENT, "extra")
    assert inspection.gradable and inspection.notes == ["extra files ignored: my-scratch.py"]
    assert inspection.student_notes == []


def test_work_handed_in_under_another_assignment_is_no_submission_with_a_note(course, notebook):
    _hand_in(course, "misnamed", {"roles.ipynb": notebook}, assignment="a2-portfolio")
    inspection = inspect_submission(course, ASSIGNMENT, "misnamed")
    assert (inspection.gradable, inspection.status) == (False, NO_SUBMISSION)
    assert inspection.notes == ["handed in under another assignment name: a2-portfolio (it holds roles.ipynb)"]
    assert inspect_submission(course, ASSIGNMENT, "nobody").notes == [], "no folder anywhere: no note"


def test_a_missing_or_unreadable_answer_file_is_graded_and_told_to_the_student(course, notebook):
    """The widget questions need the answer file: without it, or with one the course cannot read, the notebook is
    still graded, the instructor sees why the widgets scored as they did, and the student is told in plain words."""
    _hand_in(course, "bare", {"roles.ipynb": notebook})
    bare = inspect_submission(course, ASSIGNMENT, "bare")
    assert bare.gradable and bare.notes == [f"no {ANSWER_FILE_NAME} handed in: widget questions were marked only "
                                            "where answered in code"]
    assert bare.student_notes[0].startswith(f"Your notebook was handed in without {ANSWER_FILE_NAME}")
    _hand_in(course, "garbled", {"roles.ipynb": notebook, ANSWER_FILE_NAME: '{"format": 1, "answers": [1, 2]}'})
    garbled = inspect_submission(course, ASSIGNMENT, "garbled")
    assert garbled.gradable and garbled.notes == [f"{ANSWER_FILE_NAME} does not hold answers in the form the course "
                                                  "writes: widget questions score 0"]
    assert garbled.student_notes[0].startswith(f"Your {ANSWER_FILE_NAME} could not be read")


def test_the_lock_beside_the_answer_file_is_neither_noted_nor_collected(course, notebook):
    """The learner's JupyterLab leaves an empty lock file beside the answer file (course/learner/answers.py): handed
    in with the rest, is it left out like nbgrader's other ignored files, with no note for anyone?"""
    from course.learner.answers import lock_path

    lock = lock_path(course.root / ANSWER_FILE_NAME).name
    _hand_in(course, "locked", {"roles.ipynb": notebook, lock: "",
                                ANSWER_FILE_NAME: json.dumps({"format": 1, "answers": {}})})
    inspection = inspect_submission(course, ASSIGNMENT, "locked")
    assert inspection.gradable and inspection.notes == [] and inspection.student_notes == []
