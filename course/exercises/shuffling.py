"""Orders and picks that differ from learner to learner but never change for one learner.

A quiz shows its options, and a scenario its choices, in an order fixed by the learner's seed
(:meth:`course.learner.answers.AnswerStore.seed`) and the item's own name, so two learners side by side
see different orders, and the same learner sees the same order every time the notebook opens.
A graded widget picks the items a student sees from a larger pool the same way.

Everything here is a pure function of its arguments (a SHA-256 of the seed and the salts seeds
Python's ``random.Random``), so the grader can recompute what a student was shown.
"""
from __future__ import annotations

import hashlib
import random
from typing import Sequence, TypeVar

T = TypeVar("T")


def _generator(seed: str, salt: Sequence[str]) -> random.Random:
    digest = hashlib.sha256("\x1f".join([seed, *salt]).encode("utf-8")).digest()
    return random.Random(int.from_bytes(digest[:16], "big"))


def shuffled(items: Sequence[T], seed: str, *salt: str) -> list[T]:
    """``items`` in the order this seed gives them for this salt (e.g. the widget id and question id)."""
    order = list(items)
    _generator(seed, salt).shuffle(order)
    return order


def pick(pool: Sequence[T], count: int, seed: str, *salt: str) -> list[T]:
    """``count`` items of ``pool``, chosen by this seed and salt, in pool order (so a quiz keeps its sequence)."""
    if not 0 <= count <= len(pool):
        raise ValueError(f"cannot pick {count} of a pool of {len(pool)}")
    chosen = set(_generator(seed, salt).sample(range(len(pool)), count))
    return [item for index, item in enumerate(pool) if index in chosen]
