"""What a graded widget's test counts in the student's kernel: only that items were answered, never which are right.

A graded widget's items are drawn per student from a pool (:mod:`course.exercises.variants`), and its key never
enters the student's kernel. So the hidden part of its test cell, which runs in the kernel, counts answered items
(:func:`answered_points`) or whether a scenario was played (:func:`played_points`), with no key, and the grader marks
the answers in its own process (:mod:`course.grading.nbgrader_plugins.widget_judging`, called by the assignment's
``outside_checks.py``). The hidden tests import this module in the student's kernel, so it imports nothing of the
grader and changes nothing when imported.
"""
from __future__ import annotations

from typing import Any, Mapping


def answered_points(answers: Any, count: int, points: float) -> float:
    """The in-kernel part of a graded widget's test: ``points`` in proportion to how many items were answered
    (at most ``count``). It knows no key; the grader lowers it to the right answers outside the kernel."""
    if not isinstance(answers, Mapping) or count <= 0:
        return 0.0
    answered = sum(1 for value in answers.values() if value)
    return round(points * min(1.0, answered / count), 4)


def played_points(path: Any, points: float) -> float:
    """The in-kernel part of a graded scenario's test: ``points`` once a decision was taken, 0 before. It knows no
    key; the grader marks the path outside the kernel
    (:func:`course.grading.nbgrader_plugins.widget_judging.judge_scenario`)."""
    return float(points) if isinstance(path, list) and path else 0.0
