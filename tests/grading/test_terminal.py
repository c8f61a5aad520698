"""What pm-course grade prints reaches the instructor's terminal with every control character escaped."""
from __future__ import annotations

import sys

from course.grading.pipeline.terminal import escape_controls, terminal_safe_output

NAME = "eve\x1b]2;pwned\x07\x1b[2J\u202egnp.exe\x9b1m"


def test_controls_are_shown_escaped_and_text_is_left_alone():
    assert escape_controls(NAME) == "eve\\x1b]2;pwned\\x07\\x1b[2J\\u202egnp.exe\\x9b1m"
    assert escape_controls("Zoë Ødegård\t3 of 4\n\rnext") == "Zoë Ødegård\t3 of 4\n\rnext"


def test_everything_printed_while_grading_is_escaped(capsys):
    with terminal_safe_output():
        print(f"Not a student, not graded: {NAME}")
        print(NAME, file=sys.stderr)
    captured = capsys.readouterr()
    assert "\x1b" not in captured.out + captured.err and "\u202e" not in captured.out + captured.err
    assert "Not a student, not graded: eve\\x1b]2;pwned" in captured.out


def test_without_it_the_name_reaches_the_terminal_as_it_is(capsys):
    """The mutation check: printed as it is, the name carries its escape sequences to the terminal."""
    print(f"Not a student, not graded: {NAME}")
    assert "\x1b]2;pwned\x07" in capsys.readouterr().out
