"""The RACI builder: for each activity, who is Responsible, Accountable, Consulted and Informed.

The rules checked for every activity: exactly one Accountable (never zero, never two), and
someone Responsible or Accountable to do the work. When the exercise has a key, each letter
is also compared with it and the difference explained. Exercises are JSON files under
``data/raci/`` (schema in ``data/README.md``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from .errors import DataFileError
from .feedback import Feedback, SectionLink
from .json_data import read_json
from .roles import ROLE_NAMES, role_name

LETTERS = {"R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"}
SEE = SectionLink("05-who-decides-what", "Deciding what versus making it happen")


@dataclass(frozen=True)
class Activity:
    id: str
    text: str
    key: dict[str, str] = field(default_factory=dict)
    why: str = ""


@dataclass(frozen=True)
class RaciExercise:
    id: str
    title: str
    situation: str
    roles: tuple[str, ...]
    activities: tuple[Activity, ...]


def load_raci(name_or_path: str | Path) -> RaciExercise:
    raw, path = read_json(name_or_path, "raci", "RACI exercise")
    try:
        roles = tuple(raw["roles"])
        activities = tuple(Activity(a["id"], a["text"], dict(a.get("key", {})), a.get("why", ""))
                           for a in raw["activities"])
        exercise = RaciExercise(raw["id"], raw["title"], raw["situation"], roles, activities)
    except (KeyError, TypeError) as error:
        raise DataFileError(f"{path}: not a valid RACI exercise ({type(error).__name__}: {error})") from None
    unknown = [role for role in roles if role not in ROLE_NAMES]
    if unknown:
        raise DataFileError(f"{path}: unknown role(s) {', '.join(unknown)}")
    for activity in activities:
        if activity.key and (set(activity.key) != set(roles) or not set(activity.key.values()) <= set(LETTERS)):
            raise DataFileError(f"{path}, activity {activity.id}: the key needs one of R, A, C, I for every role")
        if activity.key and list(activity.key.values()).count("A") != 1:
            raise DataFileError(f"{path}, activity {activity.id}: the key must have exactly one A")
    return exercise


def check_activity(exercise: RaciExercise, activity: Activity, letters: Mapping[str, str | None]) -> Feedback | None:
    """Feedback on one activity's row of letters; None while the row is empty."""
    filled = {role: letter for role, letter in letters.items() if letter}
    if not filled:
        return None
    problems = []
    accountable = [role for role, letter in filled.items() if letter == "A"]
    if not accountable:
        problems.append("Nobody is Accountable: every activity needs exactly one person who answers for it.")
    elif len(accountable) > 1:
        problems.append(f"{' and '.join(role_name(r) for r in accountable)} are both Accountable: exactly one "
                        "person answers for an activity, or nobody really does.")
    if not any(letter in "RA" for letter in filled.values()):
        problems.append("Nobody is Responsible or Accountable: who does the work?")
    if activity.key and not problems:
        for role in exercise.roles:
            given, right = filled.get(role), activity.key[role]
            if given != right:
                problems.append(f"{role_name(role)}: {LETTERS[right]} rather than "
                                f"{LETTERS.get(given, 'left blank') if given else 'left blank'}.")
        if problems:
            problems.append(activity.why)
    if problems:
        return Feedback(False, tuple(problems), SEE)
    return Feedback(True, (activity.why or "Exactly one Accountable, and someone to do the work.",), SEE)
