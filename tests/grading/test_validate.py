"""Does 'nbgrader validate' pass the instructor versions and report the untouched student versions?

One ``nbgrader validate`` process checks every solution, another every student version (the command takes several
notebooks, as the Validate button's server extension does one after another); each notebook sits alone in a folder
of its own, as it did when validated one by one.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course.processes.environment import child_environment

from ..conftest import REPO, SOLUTION_NOTEBOOKS

pytestmark = pytest.mark.slow
VALIDATING = re.compile(r"^\[ValidateApp \| INFO\] Validating '(.+)'$", re.M)


def _validate_each(notebooks: list[Path], folder: Path) -> dict[str, str]:
    """What ``nbgrader validate`` printed for each notebook, by assignment."""
    relative = []
    for path in notebooks:
        (folder / path.parent.name).mkdir(parents=True)
        shutil.copy(path, folder / path.parent.name / path.name)
        relative.append(f"{path.parent.name}/{path.name}")
    # one stream, unbuffered, so that each notebook's verdict follows the log line naming it
    output = subprocess.run([sys.executable, "-m", "course.processes.run_module", "nbgrader", "validate", *relative],
                            cwd=folder, env=dict(child_environment(), PYTHONUNBUFFERED="1"), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=900).stdout
    starts = [(match.start(), Path(match.group(1)).parent.name) for match in VALIDATING.finditer(output)]
    sections = {assignment: output[start:end] for (start, assignment), (end, _) in
                zip(starts, starts[1:] + [(len(output), "")], strict=True)}
    assert sorted(sections) == sorted(path.parent.name for path in notebooks), output[-3000:]
    return sections


@pytest.fixture(scope="module")
def validated(tmp_path_factory) -> dict[str, dict[str, str]]:
    released = [REPO / "exercises" / path.parent.name / path.name for path in SOLUTION_NOTEBOOKS]
    return {"solution": _validate_each(SOLUTION_NOTEBOOKS, tmp_path_factory.mktemp("solutions")),
            "student": _validate_each(released, tmp_path_factory.mktemp("exercises"))}


@pytest.mark.parametrize("solution", SOLUTION_NOTEBOOKS, ids=lambda path: path.parent.name)
def test_validate_passes_solutions_and_fails_untouched_exercises(solution, validated):
    """Does validate say 'Success' for the solution and name failures for the student version?"""
    passed = validated["solution"][solution.parent.name]
    assert "Success! Your notebook passes all the tests." in passed and "FAILED" not in passed, passed[-2000:]
    failed = validated["student"][solution.parent.name]
    assert re.search(r"^VALIDATION FAILED ON [1-9]\d* CELL\(S\)!", failed, re.M), failed[-2000:]
    assert "Success!" not in failed and "The following cell failed:" in failed
