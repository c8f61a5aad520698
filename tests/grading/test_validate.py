"""Does 'nbgrader validate' pass the instructor versions and report the untouched student versions?"""
from __future__ import annotations

import shutil

import pytest

from course.grading.nbgrader_runner import run_nbgrader

from ..conftest import REPO, SOLUTION_NOTEBOOKS

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("solution", SOLUTION_NOTEBOOKS, ids=lambda path: path.parent.name)
def test_validate_passes_solutions_and_fails_untouched_exercises(solution, tmp_path):
    """Does validate say 'Success' for the solution and name failures for the student version?"""
    student = REPO / "exercises" / solution.parent.name / solution.name
    for kind, source in (("solution", solution), ("student", student)):
        folder = tmp_path / kind
        folder.mkdir()
        shutil.copy(source, folder / source.name)
        result = run_nbgrader(folder, "validate", source.name, timeout=300)
        output = result.stdout + result.stderr
        if kind == "solution":
            assert "Success! Your notebook passes all the tests." in output, output[-2000:]
        else:
            assert "VALIDATION FAILED" in output or "failed" in output.lower(), output[-2000:]
            assert "Success!" not in output
