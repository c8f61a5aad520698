"""What a lesson asks its learners: every quiz question, role-sorter statement and scenario its notebook shows.

Three instructor tools need the same list and must agree on it: the facilitator guides (which misconceptions a
lesson's items target), the slides (a quiz's questions on slides of their own) and the live class view (which
answers a session accepts, and what each option stands for). Which widgets a lesson shows is read from its notebook
(:func:`course.content.lesson_notebooks.widget_uses`); what each asks, from the quiz, statements and scenario files
through their exercise modules.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from course.content.lesson_notebooks import QUIZ, ROLE_SORTER, SCENARIO, WidgetUse, resolve_lesson, widget_uses
from course.content.roles import SORTABLE_ROLES, role_name
from course.exercises.quiz import MULTIPLE, Option, load_quiz
from course.exercises.role_sorter import SWAPS, load_statements
from course.exercises.scenario import load_scenario

PURPOSE_NAMES = {"warm-up": "Warm-up", "diagnostic": "Diagnostic", "check": "Check", "final": "Final check"}


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


def lesson_items(lesson: str) -> list[LessonItem]:
    """Every item the lesson's widgets ask, in notebook order (quiz questions in their stored order)."""
    return list(_lesson_items(resolve_lesson(lesson)))


@lru_cache(maxsize=None)
def _lesson_items(lesson: str) -> tuple[LessonItem, ...]:
    items: list[LessonItem] = []
    for use in widget_uses(lesson):
        if use.kind == QUIZ:
            items.extend(_quiz_items(use))
        elif use.kind == ROLE_SORTER:
            items.extend(_statement_items(use))
        else:
            items.append(_scenario_item(use))
    return tuple(items)


def _quiz_items(use: WidgetUse) -> list[LessonItem]:
    quiz = load_quiz(use.name)
    prefix = PURPOSE_NAMES.get(quiz.purpose or "", "Quiz")
    return [LessonItem(QUIZ, use.widget_id, question.id, f"{prefix} Q{number}", question.prompt,
                       question.options,
                       question.kind == MULTIPLE, quiz.purpose, use.section)
            for number, question in enumerate(quiz.questions, start=1)]


def _statement_items(use: WidgetUse) -> list[LessonItem]:
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
    scenario = load_scenario(use.name)
    return LessonItem(SCENARIO, use.widget_id, scenario.id, f"Scenario {scenario.id}", scenario.title,
                      section=use.section)
