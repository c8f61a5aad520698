"""Collect an assignment from nbgrader's exchange into submitted/<student>/<assignment>/, as 'nbgrader collect'
does (the latest submission of each student), but checking every file first: links, pipes, devices and oversized
files are left out and reported, and a folder whose name is not a valid student id is never collected (nbgrader
copies the target of a link a student placed in the exchange, and an id such as '*' would match every student)."""
from __future__ import annotations

import argparse

from course.cli.options import add_course_arguments
from course.grading.pipeline.course_folder import CourseFolder

HELP = "collect submissions from nbgrader's exchange, checking every file (use instead of nbgrader collect)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_course_arguments(parser, "the assignment to collect, e.g. a1-roles", gradebook=False)


def run(args: argparse.Namespace) -> int:
    course = CourseFolder.at(args.course)
    from course.grading.pipeline.collect import collect_from_exchange

    report = collect_from_exchange(course, args.assignment)
    for line in report.report_lines():
        print(line)
    return 0
