"""Does the README tell the truth about how to start and test the course?"""
from __future__ import annotations

import re

from .conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def quick_start_commands() -> list[str]:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)\n```", section, re.S)


def test_quick_start_has_exactly_two_commands():
    """Are there exactly two commands: the learner's install-and-start and the developer's tests?"""
    commands = quick_start_commands()
    assert commands == ["pip install . && pm-course start", "pip install -e '.[test]' && pytest"]


def test_ci_runs_the_readme_test_command_exactly():
    """Does .ci/run run the README's test command as written?"""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci.splitlines()
