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


@pytest.mark.parametrize("command", ["grade", "status", "feedback", "report"])
def test_a_file_name_for_db_is_one_line_saying_what_to_write(command, capsys):
    """--db gradebook.db used to end in 50 lines of traceback."""
    assert main([command, "a1-roles", "--course", str(REPO), "--db", "gradebook.db"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--db takes a database URL such as sqlite:///" in err[0]
    assert f"sqlite:///{REPO / 'gradebook.db'}" in err[0] and "Traceback" not in err[0]


@pytest.mark.parametrize("command", ["grade", "status", "feedback"])
def test_an_unreachable_database_server_is_one_line(command, capsys):
    """A PostgreSQL URL nobody answers on used to end in 132 lines of traceback; the password is never shown."""
    from ..conftest import free_port

    url = f"postgresql+psycopg://grader:s3cret@127.0.0.1:{free_port()}/course"
    assert main([command, "a1-roles", "--course", str(REPO), "--db", url]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("pm-course: cannot open the gradebook postgresql+psycopg://grader:***@")
    assert "s3cret" not in err[0]


def test_a_broken_db_url_in_the_course_config_is_one_line(tmp_path, capsys):
    """c.CourseDirectory.db_url in nbgrader_config.py is honoured, so a wrong one is reported in its words."""
    (tmp_path / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text()
                                                 + '\nc.CourseDirectory.db_url = "gradebook.db"\n')
    (tmp_path / "solutions" / "a1-roles").mkdir(parents=True)
    assert main(["status", "a1-roles", "--course", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "c.CourseDirectory.db_url in nbgrader_config.py takes a database URL" in err[0]


@pytest.mark.parametrize("command", ["grade", "status", "feedback", "report", "collect"])
def test_the_course_options_read_and_mean_the_same_in_every_command(command, capsys):
    """Does every instructor command take the assignment and --course alike, and every one that reads grades --db,
    with the same help (one declaration, course/cli/options.py)?"""
    from course.cli import build_parser
    from course.cli.options import DB_HELP

    argv = [command, "a1-roles", "--course", "elsewhere"] + ([] if command == "collect" else ["--db", "sqlite:///g"])
    args = build_parser().parse_args(argv)
    assert (args.assignment, str(args.course)) == ("a1-roles", "elsewhere")
    assert getattr(args, "db", None) == (None if command == "collect" else "sqlite:///g")
    with pytest.raises(SystemExit):
        main([command, "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "the course folder, holding nbgrader_config.py (default: the current folder)" in shown
    assert (" ".join(DB_HELP.split()) in shown) == (command != "collect")
