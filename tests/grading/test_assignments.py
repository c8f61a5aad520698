"""Do the assignments generate, release and grade as nbgrader promises?

The graded students (perfect, untouched, partial, a written answer, widget-only answers) are one class graded by one
``nbgrader autograde`` run, shared with test_wrong_answers.py (tests/grading/conftest.py).
"""
from __future__ import annotations

import filecmp
import json

import pytest

from course.grading.pipeline.gradebook import autograded_total, default_db_url, item_scores
from course.learner.answers import AnswerStore

from ..conftest import ASSIGNMENTS, REPO
from .conftest import A1, NBGRADER_CLASS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(NBGRADER_CLASS)]


def test_regenerating_exercises_changes_nothing(generated_template):
    """Are the committed student versions exactly what nbgrader generates from solutions/ (never hand-edited)?"""
    comparison = filecmp.dircmp(generated_template / "exercises", REPO / "exercises", ignore=["__pycache__"])

    def differences(result, prefix=""):
        found = [prefix + name for name in result.left_only + result.right_only + result.diff_files]
        for name, sub in result.subdirs.items():
            found += differences(sub, f"{prefix}{name}/")
        return found

    assert differences(comparison) == [], "run 'nbgrader generate_assignment ASSIGNMENT --force' and commit exercises/"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_perfect_gets_full_marks_and_untouched_gets_zero(nbgrader_class, assignment):
    """Does a student who fills every solution cell get every autograded point, and one who changes nothing none?"""
    db = default_db_url(nbgrader_class)
    earned, possible = autograded_total(db, assignment, "perfect")
    assert possible > 0 and earned == possible
    assert autograded_total(db, assignment, "untouched") == (0.0, possible)
    key_file = nbgrader_class / "solutions" / assignment / "misconceptions.json"
    if key_file.is_file():
        saved = AnswerStore(nbgrader_class / "autograded" / "perfect" / assignment).load()
        for widget, questions in json.loads(key_file.read_text()).items():
            assert saved[widget], f"{widget}: the perfect student's widget answers were not saved"
            for question, answer in saved[widget].items():  # the items drawn for this student, from the pool
                assert answer == questions[question]["correct"], f"misconceptions.json disagrees on {question}"


def test_partial_answers_earn_partial_credit(nbgrader_class):
    """Does a solution that gets only some cases right keep the points for those cases?"""
    scores = item_scores(default_db_url(nbgrader_class), A1, "partial")
    assert scores["responsible_role_delivery"].auto_score == 0
    assert scores["responsible_role_form"].auto_score == 1
    assert scores["responsible_role_what_and_market"].auto_score == 1
    assert scores["responsible_role_bad_input"].auto_score == 1


def test_the_written_answer_waits_for_manual_grading(nbgrader_class):
    """Is the written answer left for the instructor (needs manual grading, no automatic points)?"""
    written = item_scores(default_db_url(nbgrader_class), A1, "writer")["subset_debate_answer"]
    assert not written.autograded and written.max_score == 3


def test_answers_given_only_through_widgets_earn_exactly_their_points(nbgrader_class):
    """A student who answers only with the role sorter (3 of 4 right): does autograding give exactly 3 points there?"""
    scores = item_scores(default_db_url(nbgrader_class), A1, "clicker")
    assert scores["role_sorter_roles"].auto_score == 3
    assert autograded_total(default_db_url(nbgrader_class), A1, "clicker")[0] == 3
