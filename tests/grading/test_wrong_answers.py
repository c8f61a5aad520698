"""Do plausible wrong answers lose exactly the points they should, and keep the rest?

Each mistake starts from a perfect submission (every solution cell from the instructor version), changes one answer
the way a student plausibly would, and is autograded by nbgrader with all the others, and the students of
test_assignments.py, in one run (tests/grading/conftest.py).
"""
from __future__ import annotations

import json

import nbformat
import pytest

from course.grading.nbgrader_plugins.outside_checks import load_checks
from course.grading.nbgrader_plugins.preprocessors import VERDICTS_SUFFIX
from course.grading.pipeline.gradebook import default_db_url, item_scores

from ..conftest import ASSIGNMENTS
from .conftest import MISTAKES, NBGRADER_CLASS

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group(NBGRADER_CLASS)]


def test_there_are_mistakes_for_every_assignment():
    """Does every assignment have plausible mistakes to check?"""
    assert {mistake.assignment for mistake in MISTAKES.values()} == set(ASSIGNMENTS)


@pytest.mark.parametrize("name", MISTAKES)
def test_a_plausible_mistake_loses_only_its_points(nbgrader_class, name):
    """Does this mistake cost exactly the points of the items it gets wrong, and no other point?"""
    mistake = MISTAKES[name]
    expected = mistake.expected_scores
    scores = item_scores(default_db_url(nbgrader_class), mistake.assignment, name)
    assert scores, "the submission was not graded"
    for grade_id, item in scores.items():
        if not item.autograded:
            continue
        want = expected.get(grade_id, item.max_score)
        assert item.auto_score == want, f"{grade_id}: got {item.auto_score}, expected {want}"


@pytest.mark.parametrize("name", MISTAKES)
def test_outside_checks_agree_with_the_tests_on_honest_work(nbgrader_class, name):
    """Does every outside check give an honest (if mistaken) answer exactly the points its in-kernel test gives?

    The outside checks (solutions/<assignment>/outside_checks.py) mirror the hidden tests; a disagreement would
    change honest students' scores, or leave an attack room where the check is looser than the test.
    """
    mistake = MISTAKES[name]
    stem = mistake.notebook.removesuffix(".ipynb")
    verdicts_file = nbgrader_class / "autograded" / name / mistake.assignment / f"{stem}{VERDICTS_SUFFIX}"
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
