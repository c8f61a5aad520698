"""Does every command the README shows exist? Each command of a ```bash block is run with --help (exit status 0),
its pm-course arguments are parsed by the real parser, and every `pm-course ...` or `nbgrader ...` named inline in
the text is a real subcommand. (The README once told instructors to run a formgrader subcommand nbgrader lacks.)"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course.cli import build_parser

from ..conftest import REPO

pytestmark = pytest.mark.slow
README = (REPO / "README.md").read_text(encoding="utf-8")
SHELL_BUILTINS = {"cd", "export", "source"}


def block_commands() -> list[list[str]]:
    """Every command line of the README's bash blocks, continuation lines joined, split at &&, comments and leading
    VAR=value assignments dropped."""
    commands = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.S):
        for line in block.replace("\\\n", " ").splitlines():
            for part in line.split("&&"):
                words = shlex.split(part, comments=True)
                while words and re.fullmatch(r"[A-Z_][A-Z0-9_]*=.*", words[0]):
                    words.pop(0)
                if words and words[0] not in SHELL_BUILTINS:
                    commands.append(words)
    return commands


def inline_commands() -> list[list[str]]:
    return [shlex.split(span)[:2] for span in re.findall(r"`((?:pm-course|nbgrader) [a-z_]+)[^`]*`", README)]


def help_command(words: list[str]) -> list[str]:
    program = words[0]
    if program in {"pm-course", "nbgrader", "jupyter", "pip", "npm"} and len(words) > 1:
        return [program, words[1], "--help"]
    return [program, "--help"]


COMMANDS = sorted({tuple(help_command(words)) for words in block_commands() + inline_commands()})


def test_the_readme_shows_the_grading_day():
    """The commands an instructor needs are all there, and the one that does not exist is gone."""
    shown = {tuple(words[:2]) for words in block_commands()}
    for needed in [("pm-course", "grade"), ("pm-course", "status"), ("pm-course", "feedback"),
                   ("pm-course", "report"), ("pm-course", "collect"), ("nbgrader", "release_feedback")]:
        assert needed in shown, needed
    assert ("nbgrader", "formgrader") not in {tuple(words) for words in inline_commands()} | shown


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_command_in_the_readme_exists(command):
    program = command[0]
    executable = shutil.which(program) or str(Path(sys.executable).with_name(program))
    if not Path(executable).exists():
        pytest.skip(f"{program} is not installed here")
    result = subprocess.run([executable, *command[1:]], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-500:]}{result.stderr[-1500:]}"
    if program == "nbgrader":
        # nbgrader answers '--help' after an unknown subcommand with its general help and status 0
        from nbgrader.apps.nbgraderapp import NbGraderApp

        assert command[1] in NbGraderApp.subcommands and command[1] != "formgrade", f"no nbgrader {command[1]}"
        assert not result.stdout.startswith("A system for assigning and grading notebooks"), result.stdout[:200]


@pytest.mark.parametrize("words", [words for words in block_commands() if words[0] == "pm-course"], ids=" ".join)
def test_every_pm_course_command_in_the_readme_parses(words):
    """Not only the subcommand: every option the README shows is one the command takes."""
    build_parser().parse_args(words[1:])
