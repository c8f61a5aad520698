"""Where each student of one assignment stands: handed in, autograded, hand-graded parts still pending, whether the
grade is final, whether their feedback is written (and still matches the grade) and released.

Read from the course folder, the grading journal, the gradebook and nbgrader's exchange; nothing is changed."""
from __future__ import annotations

import argparse

from course.cli.options import add_course_arguments
from course.grading.pipeline.course_folder import CourseFolder

HELP = "show per student: submitted, autograded, pending hand grading, final, feedback written and released"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_course_arguments(parser, "the assignment, a folder name under solutions/ (e.g. a1-roles)")


def run(args: argparse.Namespace) -> int:
    course = CourseFolder.at(args.course, args.db)
    course.require_assignment(args.assignment)
    course.require_gradebook()
    from course.grading.pipeline.status import class_status

    table = class_status(course, args.assignment)
    if table.empty:
        print(f"{args.assignment}: no students yet (nothing in submitted/ and none in the gradebook)")
        return 0
    print(table.to_string(index=False))
    final = int((table["final"] == "yes").sum())
    pending = int((table["pending"] != "").sum())
    feedback = int(table["feedback"].str.startswith("current").sum())
    released = int((table["released"] == "yes").sum())
    print(f"\n{len(table)} students: {int((table['submitted'] != 'no').sum())} submitted, "
          f"{int((table['autograded'] == 'yes').sum())} autograded, {pending} with parts to hand-grade, "
          f"{final} final, {feedback} with current feedback, {released} with feedback released")
    return 0
