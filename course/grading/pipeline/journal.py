"""The record of a grading run, written student by student, so that an interrupted run can resume.

One JSON line per finished student, appended and flushed to disk before the next one starts.
A student whose submission has not changed since its line was written is not graded again;
everyone else is graded (again) with nbgrader's ``--force``, which replaces any half-written
result, so nothing is lost or counted twice.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from course.grading.pipeline.course_folder import CourseFolder

JOURNAL_FILE = "journal.jsonl"


@dataclass(frozen=True)
class StudentResult:
    student: str
    status: str
    fingerprint: str
    notes: tuple[str, ...] = ()  # for the instructor (the summary)
    student_notes: tuple[str, ...] = ()  # written for the student: the feedback and the LMS's feedback column


class GradingJournal:
    def __init__(self, path: Path):
        self.path = path

    def finished(self) -> dict[str, StudentResult]:
        results: dict[str, StudentResult] = {}
        try:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return results
        for line in lines:
            try:
                raw = json.loads(line)
                results[raw["student"]] = StudentResult(raw["student"], raw["status"], raw["fingerprint"],
                                                        tuple(raw.get("notes", ())),
                                                        tuple(raw.get("student_notes", ())))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a power cut: that student is simply graded again
        return results

    def record(self, result: StudentResult) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(asdict(result)) + "\n")
            stream.flush()
            os.fsync(stream.fileno())

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def journal_for(course: "CourseFolder", assignment: str) -> GradingJournal:
    """The grading journal of one assignment, in ``.pm-course/grading/<assignment>/`` of the course folder."""
    return GradingJournal(course.pipeline_dir(assignment) / JOURNAL_FILE)
