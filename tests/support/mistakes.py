"""Plausible student mistakes, each a small edit to one solution cell of the instructor version.

The mistakes quote solution code, so they live with the instructor's material, in
``solutions/plausible_mistakes.json`` (never released, never in the wheel). The tests check
that each one loses exactly its points; the benchmark's synthetic class uses them to give
students answers of mixed quality.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from course.errors import DataFileError

MISTAKES_FILE = Path("solutions") / "plausible_mistakes.json"


@dataclass(frozen=True)
class Mistake:
    name: str
    assignment: str
    notebook: str
    cell: str
    replace: str
    with_: str
    expected_scores: dict[str, float]


def load_mistakes(course_root: str | Path) -> dict[str, Mistake]:
    path = Path(course_root) / MISTAKES_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: Mistake(name, spec["assignment"], spec["notebook"], spec["cell"], spec["replace"], spec["with"],
                              dict(spec["expected_scores"])) for name, spec in raw.items()}
    except FileNotFoundError:
        return {}
    except (ValueError, KeyError, TypeError) as error:
        raise DataFileError(f"{path}: not a valid list of mistakes ({type(error).__name__}: {error})") from None


def apply_mistake(notebook, mistake: Mistake):
    """Edit ``notebook`` (a filled-in student notebook) in place to make ``mistake``; returns it."""
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == mistake.cell)
    if mistake.replace not in cell.source:
        raise ValueError(f"mistake {mistake.name}: its text is not in cell {mistake.cell}; update {MISTAKES_FILE}")
    cell.source = cell.source.replace(mistake.replace, mistake.with_)
    return notebook
