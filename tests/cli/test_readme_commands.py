"""Does every command the README shows exist? Each program of a ```bash block is run with --help (exit status 0),
each pm-course and nbgrader subcommand is looked up in the program's own table of subcommands, its pm-course
arguments are parsed by the real parser, and every `pm-course ...` or `nbgrader ...` named inline in the text is a
real subcommand. (The README once told instructors to run a formgrader subcommand nbgrader lacks.)"""
from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course.cli import build_parser, main

from ..conftest import REPO

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


# one process per program is enough to know its command line starts (each nbgrader process takes seconds); the
# subcommands of the two with many are looked up in their own tables below
SUBCOMMANDS_LOOKED_UP = {"pm-course", "nbgrader"}
RUN = sorted({(command[0], "--help") if command[0] in SUBCOMMANDS_LOOKED_UP else command for command in COMMANDS})


@pytest.mark.slow
@pytest.mark.parametrize("command", RUN, ids=" ".join)
def test_every_program_in_the_readme_runs(command):
    program = command[0]
    executable = shutil.which(program) or str(Path(sys.executable).with_name(program))
    if not Path(executable).exists():
        pytest.skip(f"{program} is not installed here")
    result = subprocess.run([executable, *command[1:]], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"{' '.join(command)}:\n{result.stdout[-500:]}{result.stderr[-1500:]}"
    assert result.stdout.strip(), f"{' '.join(command)} printed no help"


@pytest.mark.parametrize("command", [command for command in COMMANDS if command[0] == "pm-course"], ids=" ".join)
def test_every_pm_course_subcommand_in_the_readme_exists(command, capsys):
    with pytest.raises(SystemExit) as ended:
        main([command[1], "--help"])
    assert ended.value.code == 0 and capsys.readouterr().out.startswith(f"usage: pm-course {command[1]} ")


@pytest.mark.slow  # imports nbgrader (seconds)
@pytest.mark.parametrize("command", [command for command in COMMANDS if command[0] == "nbgrader"], ids=" ".join)
def test_every_nbgrader_subcommand_in_the_readme_exists(command):
    """nbgrader answers '--help' after an unknown subcommand with its general help and status 0, so the subcommand
    is looked up in nbgrader's own table, and its application must import."""
    from nbgrader.apps.baseapp import NbGrader
    from nbgrader.apps.nbgraderapp import NbGraderApp
    from traitlets.utils.importstring import import_item

    assert command[1] in NbGraderApp.subcommands and command[1] != "formgrade", f"no nbgrader {command[1]}"
    application = NbGraderApp.subcommands[command[1]][0]
    application = import_item(application) if isinstance(application, str) else application
    assert issubclass(application, NbGrader) and application.description.strip(), command[1]


@pytest.mark.parametrize("words", [words for words in block_commands() if words[0] == "pm-course"], ids=" ".join)
def test_every_pm_course_command_in_the_readme_parses(words):
    """Not only the subcommand: every option the README shows is one the command takes."""
    build_parser().parse_args(words[1:])
