"""Can an answer file the instructor made in solutions/ ever reach a student? (issue 17, class 8)

Running a solution notebook in place used to write ``pm-course-answers.json`` (the widget key)
into ``solutions/<assignment>/``; nbgrader copies every other file of the source folder when it
releases an assignment and again over every submission when it autogrades.
"""
from __future__ import annotations

import json
import shutil

import pytest

from course.errors import CourseError
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from course.learner.answers import ANSWER_FILE_NAME, AnswerStore

KEY = {"format": 1, "answers": {"a4-cases": {"leaked": "the instructor's key"}}}
OWN = {"format": 1, "answers": {"a4-cases": {"mine": "the student's own answer"}}}


def test_widgets_run_in_a_source_folder_keep_their_answers_outside_it(course_dir):
    """Does a widget in solutions/<assignment>/ save to the course's private folder, never beside the notebook?"""
    source = course_dir / "solutions" / "a4-cases"
    store = AnswerStore(source)
    store.save("a4-cases", {"career": "c"})
    assert not (source / ANSWER_FILE_NAME).exists()
    assert store.path == course_dir / ".pm-course" / "instructor-answers" / "a4-cases" / ANSWER_FILE_NAME
    assert AnswerStore(source).answers_for("a4-cases") == {"career": "c"}
    elsewhere = course_dir / "exercises" / "a4-cases"
    AnswerStore(elsewhere).save("a4-cases", {"career": "b"})
    assert (elsewhere / ANSWER_FILE_NAME).is_file()


@pytest.mark.slow
def test_a_leftover_answer_file_stops_the_release_and_is_never_copied_over_submissions(generated):
    """Does a stale answer file in solutions/ stop generate_assignment, and stay out of every autograded folder?"""
    course_dir = generated  # released once already, its gradebook made
    source = course_dir / "solutions" / "a4-cases"
    (source / ANSWER_FILE_NAME).write_text(json.dumps(KEY))
    with pytest.raises(CourseError, match="would be released to every student"):
        run_nbgrader(course_dir, "generate_assignment", "a4-cases", "--force")
    assert not (course_dir / "exercises" / "a4-cases" / ANSWER_FILE_NAME).exists()

    (source / ANSWER_FILE_NAME).unlink()
    run_nbgrader(course_dir, "generate_assignment", "a4-cases", "--force")
    (source / ANSWER_FILE_NAME).write_text(json.dumps(KEY))  # left again after the release
    released = course_dir / "exercises" / "a4-cases"
    honest = course_dir / "submitted" / "honest" / "a4-cases"
    shutil.copytree(released, honest)
    (honest / ANSWER_FILE_NAME).write_text(json.dumps(OWN))
    shutil.copytree(released, course_dir / "submitted" / "silent" / "a4-cases")
    run_nbgrader(course_dir, "autograde", "a4-cases", "--force")
    graded = course_dir / "autograded"
    # running the notebook adds the widgets' own records (seed, shown, pools) beside the answers: those are the
    # student's
    assert json.loads((graded / "honest" / "a4-cases" / ANSWER_FILE_NAME).read_text())["answers"] == OWN["answers"]
    silent = graded / "silent" / "a4-cases" / ANSWER_FILE_NAME  # the widgets may write their records, never the key
    assert not silent.exists() or "the instructor's key" not in silent.read_text()
