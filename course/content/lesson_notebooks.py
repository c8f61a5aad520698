"""The lessons and the answering widgets each one shows, read from the lesson notebooks themselves.

A lesson's widgets are found in its code cells (``QuizWidget("03-the-third-pm")``, ``RoleSorterWidget()``,
``ScenarioPlayer("program-forms")``), so a widget added to a lesson is picked up without a second list to keep.
What those widgets ask (their questions, statements and scenarios) is exercise content:
:mod:`course.exercises.lesson_items` builds it from :func:`widget_uses`. Nothing is stored in the notebooks.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from course.errors import CourseError
from course.paths import LESSONS_DIR

QUIZ, ROLE_SORTER, SCENARIO = "quiz", "role_sorter", "scenario"
_CALLS = {"QuizWidget": QUIZ, "RoleSorterWidget": ROLE_SORTER, "ScenarioPlayer": SCENARIO}
_DEFAULT_ARGUMENT = {ROLE_SORTER: "role-sorter", SCENARIO: "sales-promise"}


@dataclass(frozen=True)
class WidgetUse:
    """One answering widget a lesson shows: its kind, what it shows (quiz or scenario name) and its widget id."""

    kind: str
    name: str
    widget_id: str
    section: str  # the H2 section the widget sits under


def lesson_ids() -> list[str]:
    """Every lesson's id (its notebook name without ``.ipynb``), in course order."""
    return sorted(path.stem for path in LESSONS_DIR.glob("*.ipynb"))


def resolve_lesson(name: str) -> str:
    """A lesson id from what an instructor types: the full id, or its number (``03``, ``00b``)."""
    known = lesson_ids()
    name = name.strip().removesuffix(".ipynb")
    if name in known:
        return name
    matching = [lesson for lesson in known if lesson.startswith(f"{name}-")]
    if len(matching) == 1:
        return matching[0]
    raise CourseError(f"no lesson '{name}'; the lessons are: {', '.join(known)}")


def lesson_path(lesson: str) -> Path:
    return LESSONS_DIR / f"{resolve_lesson(lesson)}.ipynb"


def widget_uses(lesson: str) -> list[WidgetUse]:
    """The answering widgets a lesson's code cells create, in notebook order."""
    return list(_widget_uses(resolve_lesson(lesson)))


@lru_cache(maxsize=None)
def _widget_uses(lesson: str) -> tuple[WidgetUse, ...]:
    notebook = nbformat.read(str(LESSONS_DIR / f"{lesson}.ipynb"), as_version=4)
    uses: list[WidgetUse] = []
    section = ""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("## "):
                    section = line[3:].strip()
            continue
        if cell.cell_type == "code":
            uses.extend(widget_calls_in(cell.source, section))
    return tuple(uses)


def widget_calls_in(source: str, section: str = "") -> list[WidgetUse]:
    """The answering widgets one code cell creates (quiz, role sorter, scenario), in source order."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[tuple[tuple[int, int], WidgetUse]] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS):
            continue
        kind = _CALLS[node.func.id]
        name = _constant(node.args[0]) if node.args else _keyword(node, {QUIZ: "quiz", SCENARIO: "scenario",
                                                                          ROLE_SORTER: "widget_id"}[kind])
        name = name or _DEFAULT_ARGUMENT.get(kind)
        if name is None:
            continue
        explicit_id = _keyword(node, "widget_id")
        if kind == QUIZ:
            widget_id = explicit_id or name
        elif kind == SCENARIO:
            widget_id = explicit_id or f"scenario-{name}"
        else:
            widget_id = name
        found.append(((node.lineno, node.col_offset), WidgetUse(kind, name, widget_id, section)))
    return [use for _, use in sorted(found, key=lambda pair: pair[0])]


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _keyword(call: ast.Call, name: str) -> str | None:
    return next((_constant(keyword.value) for keyword in call.keywords if keyword.arg == name), None)


def widget_lessons() -> dict[str, str]:
    """Widget id to the lesson that shows it (the first lesson, when two show the same widget)."""
    mapping: dict[str, str] = {}
    for lesson in lesson_ids():
        for use in _widget_uses(lesson):
            mapping.setdefault(use.widget_id, lesson)
    return mapping
