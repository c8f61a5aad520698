"""Reading JSON files: the course's data files (quizzes, scenarios, RACI exercises, pools) by name or by path, an
instructor's file that must be there, the course's own records, which may be missing or damaged, and the cells of a
notebook.

The students' files are not read here: what a student hands in is hostile until checked
(:func:`course.grading.pipeline.submission_files.read_json`, bounded in size and depth, never through a link).
"""
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
    return read_json_file(path, what), path


def read_json_file(path: Path, what: str) -> Any:
    """The parsed content of ``path``; a missing file or a syntax error raises DataFileError naming the path and
    saying what it was meant to be (``what``: "quiz file", "answer key")."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"{path}: no such {what}") from None
    except ValueError as error:
        raise DataFileError(f"{path}: not valid JSON ({error})") from None


def read_record(path: Path) -> dict[str, Any]:
    """A JSON object the course wrote for itself (the feedback record, LMS identities, import notes, outside-check
    verdicts): empty when the file is missing, unreadable, damaged or not an object, since each is rebuilt or
    only informs, never required."""
    try:
        content = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


def notebook_cells(path: Path) -> list[dict[str, Any]]:
    """The cells of a notebook file, each with its ``source`` as one string; [] when the file is missing,
    unreadable or not a notebook.

    Plain JSON, not nbformat: the learner's progress and review deck read only sources and execution counts, and
    importing nbformat (it brings jsonschema) would add most of a second to a lesson's kernel and to
    ``pm-course progress``.
    """
    cells = read_record(path).get("cells")
    if not isinstance(cells, list):
        return []
    return [{**cell, "source": _joined(cell.get("source", ""))} for cell in cells if isinstance(cell, dict)]


def _joined(source: Any) -> str:
    """A cell's source as one string (nbformat stores it as one string or as a list of lines)."""
    return "".join(str(line) for line in source) if isinstance(source, list) else str(source)
