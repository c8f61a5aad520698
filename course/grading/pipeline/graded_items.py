"""What each graded part of an assignment checks, in words a student can act on: ``data/graded_items.csv``.

One row per graded cell (autograded tests, graded widgets, written answers): the assignment, the cell's grade id,
the *concept* it checks, and the lesson and H2 section to review. Feedback names them when a hidden test fails
(never the test itself, :mod:`.feedback_filters`), and the class report lists the sections to revisit for the parts
most of the class missed. The file is public: it says what is checked, not how.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache

from course.errors import DataFileError
from course.paths import data_dir

COLUMNS = ["assignment", "grade_id", "concept", "lesson", "section"]


@dataclass(frozen=True)
class GradedItem:
    assignment: str
    grade_id: str
    concept: str
    lesson: str
    section: str

    def review(self) -> str:
        return f"lesson {self.lesson}, section “{self.section}”"


@lru_cache(maxsize=1)
def load_graded_items() -> dict[tuple[str, str], GradedItem]:
    path = data_dir() / "graded_items.csv"
    with open(path, newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        if reader.fieldnames != COLUMNS:
            raise DataFileError(f"{path.name}: the columns must be {', '.join(COLUMNS)}, not "
                                f"{', '.join(reader.fieldnames or [])}")
        items = {}
        for number, row in enumerate(reader, start=2):
            missing = [column for column in COLUMNS if not (row.get(column) or "").strip()]
            if missing:
                raise DataFileError(f"{path.name}, row {number}: {', '.join(missing)} is empty")
            key = (row["assignment"], row["grade_id"])
            if key in items:
                raise DataFileError(f"{path.name}, row {number}: {key[0]} {key[1]} appears twice")
            items[key] = GradedItem(*(row[column].strip() for column in COLUMNS))
    return items


def graded_item(assignment: str, grade_id: str) -> GradedItem | None:
    return load_graded_items().get((assignment, grade_id))
