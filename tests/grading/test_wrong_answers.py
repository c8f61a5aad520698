"""Do plausible wrong answers lose exactly the points they should, and keep the rest?

Each mistake starts from a perfect submission (every solution cell from the instructor version), changes one answer
the way a student plausibly would, and is autograded by nbgrader with all the others in one run.
"""
from __future__ import annotations

import shutil

import nbformat
import pytest

from course.grading.gradebook import default_db_url, item_scores
from course.grading.mistakes import apply_mistake, load_mistakes
from course.grading.nbgrader_runner import run_nbgrader
from course.grading.simulate import fill_solutions

from ..conftest import ASSIGNMENTS, REPO

pytestmark = pytest.mark.slow
MISTAKES = load_mistakes(REPO)


def _with_mistake(course_dir, name):
    mistake = MISTAKES[name]
    released = course_dir / "exercises" / mistake.assignment / mistake.notebook
    instructor = course_dir / "solutions" / mistake.assignment / mistake.notebook
    return apply_mistake(fill_solutions(released, instructor), mistake)


@pytest.fixture(scope="module")
def graded_mistakes(generated_template, tmp_path_factory):
    root = tmp_path_factory.mktemp("mistakes") / "course"
    shutil.copytree(generated_template, root)
    for name, mistake in MISTAKES.items():
        folder = root / "submitted" / name / mistake.assignment
        folder.mkdir(parents=True)
        nbformat.write(_with_mistake(root, name), str(folder / mistake.notebook))
    for assignment in ASSIGNMENTS:
        run_nbgrader(root, "autograde", assignment, "--force")
    return root


def test_there_are_mistakes_for_every_assignment():
    """Does every assignment have plausible mistakes to check?"""
    assert {mistake.assignment for mistake in MISTAKES.values()} == set(ASSIGNMENTS)


@pytest.mark.parametrize("name", MISTAKES)
def test_a_plausible_mistake_loses_only_its_points(graded_mistakes, name):
    """Does this mistake cost exactly the points of the items it gets wrong, and no other point?"""
    mistake = MISTAKES[name]
    expected = mistake.expected_scores
    scores = item_scores(default_db_url(graded_mistakes), mistake.assignment, name)
    assert scores, "the submission was not graded"
    for grade_id, item in scores.items():
        if not item.autograded:
            continue
        want = expected.get(grade_id, item.max_score)
        assert item.auto_score == want, f"{grade_id}: got {item.auto_score}, expected {want}"
