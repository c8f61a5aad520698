"""The company-size explorer: who holds the PM roles as a company grows (``data/company_sizes.json``).

For each size the learner predicts how the four roles are held: all by one person, shared
among a few, or each by its own specialists. The right answer follows from the data:
the number of different holders of the roles that exist at that size.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from course.errors import DataFileError
from course.exercises.feedback import Feedback, SectionLink
from course.paths import data_dir
from course.content.roles import SORTABLE_ROLES

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
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        stages = [Stage(int(raw["size"]), dict(raw["holders"]), str(raw["why"])) for raw in content["stages"]]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataFileError(f"{path}: not a valid company-size file ({type(error).__name__}: {error})") from None
    for stage in stages:
        if set(stage.holders) != set(SORTABLE_ROLES):
            raise DataFileError(f"{path}, size {stage.size}: holders must name exactly {', '.join(SORTABLE_ROLES)}")
    return sorted(stages, key=lambda stage: stage.size)


def check_pattern(stage: Stage, answer: str | None) -> Feedback | None:
    if not answer:
        return None
    right = stage.pattern
    if answer == right:
        return Feedback(True, (stage.why,), SEE)
    return Feedback(False, (f"At {stage.size:,} people, {PATTERNS[right]}, not that {PATTERNS.get(answer, answer)}. "
                            f"{stage.why}",), SEE)
