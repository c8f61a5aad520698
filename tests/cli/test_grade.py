"""`pm-course grade` and `--help`: quick answers, and messages instead of tracebacks for a user's mistakes."""
from __future__ import annotations

import subprocess
import sys

import pytest

from course.cli import main

from ..conftest import REPO


@pytest.mark.parametrize("option", ["--cell-timeout", "--notebook-timeout"])
def test_a_time_limit_of_zero_is_a_message(option, capsys):
    assert main(["grade", "a1-roles", "--course", str(REPO), option, "0"]) == 1
    assert f"{option} must be a number of seconds above 0" in capsys.readouterr().err


def test_help_does_not_load_the_grading_machinery():
    """`pm-course --help` answers without importing nbgrader (which takes seconds)."""
    code = "import sys; from course.cli import build_parser; build_parser(); print('nbgrader' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_grade_help_names_the_time_limits(capsys):
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    text = capsys.readouterr().out
    assert "--cell-timeout" in text and "--notebook-timeout" in text and "--no-isolation" in text
