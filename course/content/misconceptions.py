"""The misconception catalogue: every mistaken belief a wrong option or a poor choice stands for.

One file for the whole course, ``data/misconceptions.csv``: quiz options, scenario choices and the
assignments' instructor-side keys name a belief by its id, so the feedback a learner reads can say
which belief a choice reveals, and ``pm-course report`` can count how often the class holds it.
Each row also names the lesson and H2 section that corrects the belief.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from course.content.sections import SectionLink
from course.content.tables import any_text, matches, read_checked_csv
from course.paths import data_dir

SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
SCHEMA = {
    "misconception_id": matches(SLUG, "a lower-case slug such as 'product-is-a-project'"),
    "belief": any_text,
    "lesson": matches(r"\d\d-[a-z0-9-]+", "a lesson id such as '02-features-vs-scope'"),
    "section": any_text,
}


@dataclass(frozen=True)
class Misconception:
    """A mistaken belief, in a learner's words, and where the course corrects it."""

    id: str
    belief: str
    lesson: str
    section: str

    @property
    def see(self) -> SectionLink:
        return SectionLink(self.lesson, self.section)


def misconceptions_path() -> Path:
    return data_dir() / "misconceptions.csv"


def load_misconceptions(path: str | Path | None = None) -> dict[str, Misconception]:
    """The catalogue by id, every row checked; a bad row raises DataFileError naming file, row and column."""
    frame = read_checked_csv(path if path is not None else misconceptions_path(), SCHEMA,
                             unique=["misconception_id"])
    return {row.misconception_id: Misconception(row.misconception_id, row.belief, row.lesson, row.section)
            for row in frame.itertuples(index=False)}
