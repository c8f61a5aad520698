"""Is the code clean by the project's linter settings (pyproject.toml's [tool.ruff])?"""
from __future__ import annotations

import subprocess
import sys

from .conftest import REPO


def test_ruff_finds_nothing():
    """Does 'ruff check' pass on the package, the tests, the benchmarks and the nbgrader config?"""
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "course", "tests", "benchmarks",
                             "nbgrader_config.py"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
