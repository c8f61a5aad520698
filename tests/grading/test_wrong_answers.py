"""Do plausible wrong answers lose exactly the points they should, and keep the rest?

Each mistake starts from a perfect submission (every solution cell from the instructor version), changes one answer
the way a student plausibly would, and is autograded by nbgrader with all the others in one run.
"""
from __future__ import annotations

import json
import shutil

import nbformat
import pytest

from course.grading.gradebook import default_db_url, item_scores
from course.grading.mistakes import apply_mistake, load_mistakes
from course.grading.nbgrader_runner import run_nbgrader
from course.grading.outside_checks import load_checks
from course.grading.preprocessors import VERDICTS_SUFFIX
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


@pytest.mark.parametrize("name", MISTAKES)
def test_outside_checks_agree_with_the_tests_on_honest_work(graded_mistakes, name):
    """Does every outside check give an honest (if mistaken) answer exactly the points its in-kernel test gives?

    The outside checks (solutions/<assignment>/outside_checks.py) mirror the hidden tests; a disagreement would
    change honest students' scores, or leave an attack room where the check is looser than the test.
    """
    mistake = MISTAKES[name]
    stem = mistake.notebook.removesuffix(".ipynb")
    verdicts_file = graded_mistakes / "autograded" / name / mistake.assignment / f"{stem}{VERDICTS_SUFFIX}"
    verdicts = json.loads(verdicts_file.read_text())
    assert verdicts, "no outside check ran"
    for grade_id, verdict in verdicts.items():
        assert verdict["probe_answered"], f"{grade_id}: the probe printed nothing"
        if verdict.get("decided_outside"):  # a graded widget: no key in the kernel, the grader alone marks it
            continue
        assert verdict["outside"] == verdict["inside"], f"{grade_id}: inside {verdict['inside']}, " \
                                                        f"outside {verdict['outside']}"


def test_every_autograded_test_has_an_outside_check(generated_template):
    """Is every test cell worth points decided outside the kernel too (else it could be fooled from inside)?"""
    for assignment in ASSIGNMENTS:
        for path in sorted((generated_template / "solutions" / assignment).glob("*.ipynb")):
            checks = load_checks(path.parent, path.name)
            tests = {cell.metadata["nbgrader"]["grade_id"] for cell in nbformat.read(str(path), 4).cells
                     if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
                     and cell.metadata["nbgrader"].get("points", 0) > 0}
            assert checks is not None and set(checks.cells) == tests, f"{assignment}/{path.name}"
