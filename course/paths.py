"""Where the course's files are, in a source checkout and in an installed wheel.

In a wheel the student exercises and the data ship inside the package under
``course/_shipped/``; in a checkout (or an editable install) they are the
repository's own ``exercises/`` and ``data/`` folders.
"""
from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
LESSONS_DIR = PACKAGE_DIR / "lessons"
FIRST_LESSON = "00-start-here.ipynb"

_SHIPPED_DIR = PACKAGE_DIR / "_shipped"
_REPO_DIR = PACKAGE_DIR.parent


def _located(name: str) -> Path:
    shipped = _SHIPPED_DIR / name
    if shipped.is_dir():
        return shipped
    return _REPO_DIR / name


def data_dir() -> Path:
    """The folder holding the case library and the data sets."""
    return _located("data")


def exercises_dir() -> Path:
    """The folder holding the student versions of the assignments."""
    return _located("exercises")
