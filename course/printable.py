"""Names from students' files as they may be printed: control characters escaped, length bounded.

Used by the grading pipeline on the instructor's terminal and by the widget checks in feedback: a module of its own,
so that the checks a student's kernel imports pull in nothing from the grader.
"""
from __future__ import annotations


def printable(name: str, limit: int = 80) -> str:
    """A name as it may be printed on the instructor's terminal: control characters escaped, length bounded."""
    shown = "".join(character if character.isprintable() else repr(character)[1:-1] for character in str(name))
    return shown if len(shown) <= limit else shown[:limit - 1] + "…"
