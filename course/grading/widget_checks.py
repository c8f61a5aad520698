"""Checks that hidden tests run on answers given through widgets.

A grade cell ends with the value of one of these functions; nbgrader takes a number
as the cell's partial credit, so points follow each right answer, not all-or-nothing.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..quiz import chosen_keys


def points_for_matches(answers: Mapping[str, Any], key: Mapping[str, Any], points: float) -> float:
    """``points`` shared equally among the items of ``key``, earned for each answer equal to the key's."""
    if not key:
        return 0.0
    right = sum(1 for item, expected in key.items() if _same(answers.get(item), expected))
    return round(points * right / len(key), 4)


def _same(given: Any, expected: Any) -> bool:
    if isinstance(expected, (list, tuple, set, frozenset)):
        return chosen_keys(given) == chosen_keys(expected)
    return type(given) is type(expected) and given == expected
