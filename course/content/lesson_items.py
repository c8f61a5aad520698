"""What a lesson asks its learners: every quiz question, role-sorter statement and scenario its notebook shows.

Three instructor tools need the same list and must agree on it: the facilitator guides (which misconceptions a
lesson's items target), the slides (a quiz's questions on slides of their own) and the live class view (which
answers a session accepts, and what each option stands for). The list is read from the lesson notebook itself, from
the widget calls in its code cells (``QuizWidget("03-the-third-pm")``, ``RoleSorterWidget()``,
``ScenarioPlayer("program-forms")``), so a widget added to a lesson is picked up without a second list to keep.
Nothing is stored in the notebooks.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat

from course.content.roles import SORTABLE_ROLES, role_name
from course.errors import CourseError
from course.exercises.quiz import Option  # an item's option: a quiz's as it is, a role sorter's role built as one
from course.paths import LESSONS_DIR

QUIZ, ROLE_SORTER, SCENARIO = "quiz", "role_sorter", "scenario"
_CALLS = {"QuizWidget": QUIZ, "RoleSorterWidget": ROLE_SORTER, "ScenarioPlayer": SCENARIO}
_DEFAULT_ARGUMENT = {ROLE_SORTER: "role-sorter", SCENARIO: "sales-promise"}
PURPOSE_NAMES = {"warm-up": "Warm-up", "diagnostic": "Diagnostic", "check": "Check", "final": "Final check"}


@dataclass(frozen=True)
class WidgetUse:
    """One answering widget a lesson shows: its kind, what it shows (quiz or scenario name) and its widget id."""

    kind: str
    name: str
    widget_id: str
    section: str  # the H2 section the widget sits under


@dataclass(frozen=True)
class LessonItem:
    """One thing a learner answers: a quiz question, a role-sorter statement, or a whole scenario (its path)."""

    kind: str
    widget_id: str
    item_id: str
    label: str  # how an instructor names it: "Check Q3", "Role sorter s04", "Scenario program-forms"
    prompt: str
    options: tuple[Option, ...] = ()
    multiple: bool = False
    purpose: str | None = None  # for quiz items: warm-up, diagnostic, check, final
    section: str = ""

    def option(self, key: str) -> Option | None:
        return next((option for option in self.options if option.key == key), None)

    @property
    def misconceptions(self) -> tuple[str, ...]:
        return tuple(option.misconception for option in self.options if option.misconception)


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


def lesson_items(lesson: str) -> list[LessonItem]:
    """Every item the lesson's widgets ask, in notebook order (quiz questions in their stored order)."""
    return list(_lesson_items(resolve_lesson(lesson)))


@lru_cache(maxsize=None)
def _lesson_items(lesson: str) -> tuple[LessonItem, ...]:
    items: list[LessonItem] = []
    for use in _widget_uses(lesson):
        if use.kind == QUIZ:
            items.extend(_quiz_items(use))
        elif use.kind == ROLE_SORTER:
            items.extend(_statement_items(use))
        else:
            items.append(_scenario_item(use))
    return tuple(items)


def _quiz_items(use: WidgetUse) -> list[LessonItem]:
    from course.exercises.quiz import MULTIPLE, load_quiz

    quiz = load_quiz(use.name)
    prefix = PURPOSE_NAMES.get(quiz.purpose or "", "Quiz")
    return [LessonItem(QUIZ, use.widget_id, question.id, f"{prefix} Q{number}", question.prompt,
                       question.options,
                       question.kind == MULTIPLE, quiz.purpose, use.section)
            for number, question in enumerate(quiz.questions, start=1)]


def _statement_items(use: WidgetUse) -> list[LessonItem]:
    from course.exercises.role_sorter import SWAPS, load_statements

    items = []
    for statement in load_statements():
        right = statement.role
        options = tuple(Option(role, role_name(role), None if right is None else role == right,
                               misconception=None if role == right else SWAPS.get((role, right or "")))
                        for role in SORTABLE_ROLES)
        items.append(LessonItem(ROLE_SORTER, use.widget_id, statement.id, f"Role sorter {statement.id}",
                                statement.text, options, False, None, use.section))
    return items


def _scenario_item(use: WidgetUse) -> LessonItem:
    from course.exercises.scenario import load_scenario

    scenario = load_scenario(use.name)
    return LessonItem(SCENARIO, use.widget_id, scenario.id, f"Scenario {scenario.id}", scenario.title,
                      section=use.section)


def scenario_misconceptions(lesson: str) -> dict[str, list[str]]:
    """Per scenario the lesson plays: misconception id to the labels of the below-best choices that carry it."""
    from course.exercises.scenario import load_scenario

    found: dict[str, list[str]] = {}
    for use in widget_uses(lesson):
        if use.kind != SCENARIO:
            continue
        scenario = load_scenario(use.name)
        for node in scenario.decision_nodes():
            top = node.top_points
            for choice in node.choices:
                if choice.misconception and top is not None and (choice.points or 0) < top:
                    found.setdefault(choice.misconception, []).append(f"{scenario.id}: {choice.label}")
    return found


def widget_lessons() -> dict[str, str]:
    """Widget id to the lesson that shows it (the first lesson, when two show the same widget)."""
    mapping: dict[str, str] = {}
    for lesson in lesson_ids():
        for use in _widget_uses(lesson):
            mapping.setdefault(use.widget_id, lesson)
    return mapping
