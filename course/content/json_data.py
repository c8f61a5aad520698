"""Reading the course's JSON data files (quizzes, scenarios, RACI exercises) by name or by path."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from course.errors import DataFileError
from course.paths import data_dir


def read_json(name_or_path: str | Path, folder: str, what: str) -> tuple[Any, Path]:
    """The parsed content and path of ``data/<folder>/<name>.json``, or of a ``.json`` path given directly.

    A missing file or a syntax error raises DataFileError naming the path and saying what it was meant to be.
    """
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = data_dir() / folder / f"{name_or_path}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8")), path
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such {what}") from None
    except ValueError as error:
        raise DataFileError(f"{path}: not valid JSON ({error})") from None
