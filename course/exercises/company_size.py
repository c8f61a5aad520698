"""The company-size explorer: who holds the PM roles as a company grows (``data/company_sizes.json``).

For each size the learner predicts how the four roles are held: all by one person, shared
among a few, or each by its own specialists. The right answer follows from the data:
the number of different holders of the roles that exist at that size.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.content.json_data import read_json_file
from course.content.roles import SORTABLE_ROLES
from course.content.sections import SectionLink
from course.errors import DataFileError
from course.exercises.feedback import Feedback
from course.paths import data_dir

SEE = SectionLink("05-who-decides-what", "Company size changes the roles")
PATTERNS = {
    "one": "one person holds every role there is",
    "shared": "a few people share the roles",
    "specialists": "each role has its own specialists",
}


@dataclass(frozen=True)
class Stage:
    size: int
    holders: dict[str, str | None]
    why: str

    @property
    def pattern(self) -> str:
        people = {holder for holder in self.holders.values() if holder}
        existing = [role for role, holder in self.holders.items() if holder]
        if len(people) == 1:
            return "one"
        return "specialists" if len(people) == len(existing) == len(SORTABLE_ROLES) else "shared"


def load_stages(path: str | Path | None = None) -> list[Stage]:
    path = Path(path) if path is not None else data_dir() / "company_sizes.json"
    content = read_json_file(path, "company-size file")
    try:
        stages = [Stage(int(raw["size"]), dict(raw["holders"]), str(raw["why"])) for raw in content["stages"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataFileError(f"{path}: not a valid company-size file ({type(error).__name__}: {error})") from None
    for stage in stages:
        if set(stage.holders) != set(SORTABLE_ROLES):
            raise DataFileError(f"{path}, size {stage.size}: holders must name exactly {', '.join(SORTABLE_ROLES)}")
    return sorted(stages, key=lambda stage: stage.size)


# Why a prediction is wrong, said without naming the right pattern (a first miss teaches, it does not tell).
_WHY_NOT = {
    "one": "One person holds every role only while there is nobody to share the work with; at {size:,} people the "
           "roles are not all in the same hands.",
    "shared": "A few people sharing the roles means some hold more than one; at {size:,} people that is not how "
              "the roles are held.",
    "specialists": "Specialists mean every role exists and each has its own people; at {size:,} people that is "
                   "not so yet.",
}
HINT = "Count the different people who hold the roles at this size, and check whether every role exists yet."


def is_right_pattern(stage: Stage, answer: str) -> bool:
    return answer == stage.pattern


def check_pattern(stage: Stage, answer: str | None, reveal: bool = False) -> Feedback | None:
    """Feedback on a prediction; None when nothing is chosen.

    A wrong prediction is explained by what the chosen pattern would need, with a hint and the section to review;
    the right pattern and why come only with ``reveal`` (after a second miss, or on request).
    """
    if not answer:
        return None
    if is_right_pattern(stage, answer):
        return Feedback(True, (stage.why,), SEE)
    why_not = _WHY_NOT.get(answer, f"'{answer}' is not one of the patterns to choose from.").format(size=stage.size)
    if reveal:
        return Feedback(False, (why_not,), SEE, answer=the_pattern(stage))
    return Feedback(False, (why_not,), SEE, hint=HINT)


def answer_only(stage: Stage) -> Feedback:
    """The right pattern and why, shown on request before any prediction was checked."""
    return Feedback(None, (), SEE, answer=the_pattern(stage))


def the_pattern(stage: Stage) -> tuple[str, str]:
    return f"At {stage.size:,} people, {PATTERNS[stage.pattern]}.", stage.why
