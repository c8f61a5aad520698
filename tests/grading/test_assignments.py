"""Do the assignments generate, release and grade as nbgrader promises?"""
from __future__ import annotations

import filecmp
import json

import nbformat
import pytest

from course.answers import AnswerStore
from course.grading.gradebook import autograded_total, default_db_url, item_scores
from course.grading.nbgrader_runner import run_nbgrader
from course.grading.simulate import fill_solutions

from ..conftest import ASSIGNMENTS, REPO

pytestmark = pytest.mark.slow


def test_regenerating_exercises_changes_nothing(generated):
    """Are the committed student versions exactly what nbgrader generates from solutions/ (never hand-edited)?"""
    comparison = filecmp.dircmp(generated / "exercises", REPO / "exercises", ignore=["__pycache__"])

    def differences(result, prefix=""):
        found = [prefix + name for name in result.left_only + result.right_only + result.diff_files]
        for name, sub in result.subdirs.items():
            found += differences(sub, f"{prefix}{name}/")
        return found

    assert differences(comparison) == [], "run 'nbgrader generate_assignment ASSIGNMENT --force' and commit exercises/"


def _submit(course_dir, student, assignment, notebooks):
    folder = course_dir / "submitted" / student / assignment
    folder.mkdir(parents=True)
    for name, notebook in notebooks.items():
        nbformat.write(notebook, str(folder / name))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_perfect_gets_full_marks_and_untouched_gets_zero(generated, assignment):
    """Does a student who fills every solution cell get every autograded point, and one who changes nothing none?"""
    released = sorted((generated / "exercises" / assignment).glob("*.ipynb"))
    perfect = {path.name: fill_solutions(path, generated / "solutions" / assignment / path.name) for path in released}
    untouched = {path.name: nbformat.read(str(path), as_version=4) for path in released}
    _submit(generated, "perfect", assignment, perfect)
    _submit(generated, "untouched", assignment, untouched)
    run_nbgrader(generated, "autograde", assignment, "--force")
    db = default_db_url(generated)
    earned, possible = autograded_total(db, assignment, "perfect")
    assert possible > 0 and earned == possible
    assert autograded_total(db, assignment, "untouched") == (0.0, possible)
    key_file = generated / "solutions" / assignment / "misconceptions.json"
    if key_file.is_file():
        saved = AnswerStore(generated / "autograded" / "perfect" / assignment).load()
        for widget, questions in json.loads(key_file.read_text()).items():
            assert saved[widget], f"{widget}: the perfect student's widget answers were not saved"
            for question, answer in saved[widget].items():  # the items drawn for this student, from the pool
                assert answer == questions[question]["correct"], f"misconceptions.json disagrees on {question}"


def test_partial_answers_earn_partial_credit(generated):
    """Does a solution that gets only some cases right keep the points for those cases?"""
    path = generated / "exercises" / "a1-roles" / "roles.ipynb"
    notebook = fill_solutions(path, generated / "solutions" / "a1-roles" / "roles.ipynb")
    for cell in notebook.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "responsible_role":
            # forgets program management entirely: every delivery is a project manager's
            cell.source = cell.source.replace('return "program_manager"', 'return "project_manager"')
    _submit(generated, "partial", "a1-roles", {"roles.ipynb": notebook})
    run_nbgrader(generated, "autograde", "a1-roles", "--force")
    scores = item_scores(default_db_url(generated), "a1-roles", "partial")
    assert scores["responsible_role_delivery"].auto_score == 0
    assert scores["responsible_role_form"].auto_score == 1
    assert scores["responsible_role_what_and_market"].auto_score == 1
    assert scores["responsible_role_bad_input"].auto_score == 1


def test_the_written_answer_waits_for_manual_grading(generated):
    """Is the written answer left for the instructor (needs manual grading, no automatic points)?"""
    path = generated / "exercises" / "a1-roles" / "roles.ipynb"
    filled = fill_solutions(path, generated / "solutions" / "a1-roles" / "roles.ipynb")
    _submit(generated, "writer", "a1-roles", {"roles.ipynb": filled})
    run_nbgrader(generated, "autograde", "a1-roles", "--force")
    written = item_scores(default_db_url(generated), "a1-roles", "writer")["subset_debate_answer"]
    assert not written.autograded and written.max_score == 3


def test_answers_given_only_through_widgets_earn_exactly_their_points(generated, tmp_path):
    """A student who answers only with the role sorter (3 of 4 right): does autograding give exactly 3 points there?"""
    from course.variants import pool_statements
    from course.widgets import RoleSorterWidget

    released = generated / "exercises" / "a1-roles" / "roles.ipynb"
    _submit(generated, "clicker", "a1-roles", {"roles.ipynb": nbformat.read(str(released), as_version=4)})
    folder = generated / "submitted" / "clicker" / "a1-roles"
    key = json.loads((generated / "solutions" / "a1-roles" / "misconceptions.json").read_text())["a1-role-sorter"]
    sorter = RoleSorterWidget("a1-role-sorter", pool_statements("a1-role-sorter", folder), folder=folder)
    for number, statement in enumerate(sorter.statements):  # the four drawn for this student; the last one wrong
        right = key[statement]["correct"]
        sorter.choose(statement, right if number < 3 else next(iter(key[statement]["misconceptions"])))
    run_nbgrader(generated, "autograde", "a1-roles", "--force")
    scores = item_scores(default_db_url(generated), "a1-roles", "clicker")
    assert scores["role_sorter_roles"].auto_score == 3
    assert autograded_total(default_db_url(generated), "a1-roles", "clicker")[0] == 3
