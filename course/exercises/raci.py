"""The RACI builder: for each activity, who is Responsible, Accountable, Consulted and Informed.

The rules checked for every activity: exactly one Accountable (never zero, never two), and
someone Responsible or Accountable to do the work. When the exercise has a key, each letter
is also compared with it. A row is judged when the learner presses Check, and a first miss says
what kind of mistake it is (the rule broken, or which columns are off) with the activity's reason,
never the row's letters; those come after a second miss or on request.

Fading: an activity may give some letters (``given``), which the learner sees filled and locked;
an activity whose given letters cover every role is a worked example, shown whole and not asked.
Exercises are JSON files under ``data/raci/`` (schema in ``data/README.md``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from course.content.json_data import read_json
from course.content.roles import ROLE_NAMES, role_name
from course.content.sections import SectionLink
from course.errors import DataFileError
from course.exercises.feedback import Feedback

LETTERS = {"R": "Responsible", "A": "Accountable", "C": "Consulted", "I": "Informed"}
SEE = SectionLink("05-who-decides-what", "Deciding what versus making it happen")


@dataclass(frozen=True)
class Activity:
    id: str
    text: str
    key: dict[str, str] = field(default_factory=dict)
    why: str = ""
    given: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RaciExercise:
    id: str
    title: str
    situation: str
    roles: tuple[str, ...]
    activities: tuple[Activity, ...]
    see: SectionLink = SEE

    def activity(self, activity_id: str) -> Activity:
        return next(activity for activity in self.activities if activity.id == activity_id)

    def is_worked_example(self, activity: Activity) -> bool:
        """True when the activity's given letters fill its whole row: it is shown worked, not asked."""
        return bool(self.roles) and set(activity.given) >= set(self.roles)

    @property
    def asked(self) -> tuple[Activity, ...]:
        """The activities the learner fills in (every one but the worked examples)."""
        return tuple(activity for activity in self.activities if not self.is_worked_example(activity))


def load_raci(name_or_path: str | Path) -> RaciExercise:
    """A RACI exercise by name (``data/raci/<name>.json``) or path; a malformed value raises a one-line error."""
    raw, path = read_json(name_or_path, "raci", "RACI exercise")
    try:
        roles = tuple(raw["roles"])
        activities = tuple(Activity(a["id"], a["text"], dict(a.get("key", {})), a.get("why", ""),
                                    dict(a.get("given", {})))
                           for a in raw["activities"])
        see = raw.get("see")
        link = SectionLink(see["lesson"], see["section"]) if see is not None else SEE
        exercise = RaciExercise(raw["id"], raw["title"], raw["situation"], roles, activities, link)
    except (KeyError, TypeError, ValueError) as error:
        raise DataFileError(f"{path}: not a valid RACI exercise ({type(error).__name__}: {error})") from None
    unknown = [role for role in roles if role not in ROLE_NAMES]
    if unknown:
        raise DataFileError(f"{path}: unknown role(s) {', '.join(unknown)}")
    for activity in activities:
        _check_activity_data(exercise, activity, path)
    return exercise


def _check_activity_data(exercise: RaciExercise, activity: Activity, path: Path) -> None:
    where = f"{path}, activity {activity.id}"
    roles = set(exercise.roles)
    if activity.key and (set(activity.key) != roles or not set(activity.key.values()) <= set(LETTERS)):
        raise DataFileError(f"{where}: the key needs one of R, A, C, I for every role")
    if activity.key and list(activity.key.values()).count("A") != 1:
        raise DataFileError(f"{where}: the key must have exactly one A")
    if not set(activity.given) <= roles or not set(activity.given.values()) <= set(LETTERS):
        raise DataFileError(f"{where}: 'given' must map roles of this exercise to R, A, C or I")
    clashes = [role for role, letter in activity.given.items() if activity.key and activity.key[role] != letter]
    if clashes:
        raise DataFileError(f"{where}: 'given' disagrees with the key for {', '.join(clashes)}")
    if exercise.is_worked_example(activity) and list(activity.given.values()).count("A") != 1:
        raise DataFileError(f"{where}: a worked example must have exactly one A")
    if exercise.is_worked_example(activity) and not activity.why:
        raise DataFileError(f"{where}: a worked example needs its 'why'")


def missing_letters(exercise: RaciExercise, letters: Mapping[str, str | None]) -> list[str]:
    """The roles of a row still without a letter (a row is judged only when it is full)."""
    return [role for role in exercise.roles if letters.get(role) not in LETTERS]


def rule_problems(letters: Mapping[str, str | None]) -> list[str]:
    """What a row breaks of the rules every RACI row keeps, whatever the key: one A, someone to do the work."""
    filled = {role: letter for role, letter in letters.items() if letter}
    problems = []
    accountable = [role for role, letter in filled.items() if letter == "A"]
    if not accountable:
        problems.append("Nobody is Accountable: every activity needs exactly one person who answers for it.")
    elif len(accountable) > 1:
        problems.append(f"{' and '.join(role_name(r) for r in accountable)} are both Accountable: exactly one "
                        "person answers for an activity, or nobody really does.")
    if not any(letter in "RA" for letter in filled.values()):
        problems.append("Nobody is Responsible or Accountable: who does the work?")
    return problems


def off_columns(exercise: RaciExercise, activity: Activity, letters: Mapping[str, str | None]) -> list[str]:
    """The roles whose letter differs from the key (none when there is no key)."""
    if not activity.key:
        return []
    return [role for role in exercise.roles if letters.get(role) != activity.key[role]]


def is_row_right(exercise: RaciExercise, activity: Activity, letters: Mapping[str, str | None]) -> bool | None:
    """Whether a full row is right; None when the exercise has no key here (graded work)."""
    if not activity.key:
        return None
    return not rule_problems(letters) and not off_columns(exercise, activity, letters)


def the_row(exercise: RaciExercise, activity: Activity) -> str:
    """The key's row as one line, e.g. ``Product manager: A (Accountable); ...``."""
    return "; ".join(f"{role_name(role)}: {activity.key[role]} ({LETTERS[activity.key[role]]})"
                     for role in exercise.roles)


def check_activity(exercise: RaciExercise, activity: Activity, letters: Mapping[str, str | None],
                   reveal: bool = False) -> Feedback | None:
    """Feedback on one full row of letters; None while letters are missing.

    A first miss names the kind of mistake (a rule broken, or which columns are off) and gives the
    activity's reason; the letters of the key and what each off column should be come only with ``reveal``.
    Without a key, only the rules are judged, and a row that keeps them gets no verdict (None).
    """
    if missing_letters(exercise, letters):
        return None
    problems = rule_problems(letters)
    off = [] if problems else off_columns(exercise, activity, letters)
    if not activity.key:
        return Feedback(False, tuple(problems), exercise.see) if problems else None
    if not problems and not off:
        return Feedback(True, (activity.why or "Exactly one Accountable, and someone to do the work.",),
                        exercise.see)
    if off and reveal:
        problems += [f"{role_name(role)}: {LETTERS[activity.key[role]]} rather than {LETTERS[letters[role]]}."
                     for role in off]
    elif off:
        names = " and ".join(role_name(role) for role in off)
        problems.append(f"The row keeps the rules, but {'the column' if len(off) == 1 else 'the columns'} "
                        f"{names} {'is' if len(off) == 1 else 'are'} off.")
    if activity.why:
        problems.append(activity.why)
    answer = (the_row(exercise, activity),) if reveal else ()
    return Feedback(False, tuple(problems), exercise.see, answer=answer)


def answer_only(exercise: RaciExercise, activity: Activity) -> Feedback | None:
    """The key's row and reason, shown on request while no checked row stands; None without a key."""
    if not activity.key:
        return None
    return Feedback(None, (), exercise.see, answer=(the_row(exercise, activity), activity.why))


def row_letters(exercise: RaciExercise, activity: Activity, saved: Any) -> dict[str, str | None]:
    """A row as saved (hand-edited values dropped), with the given letters always in place."""
    row = saved if isinstance(saved, dict) else {}
    letters = {role: row.get(role) if row.get(role) in LETTERS else None for role in exercise.roles}
    return {**letters, **activity.given}
