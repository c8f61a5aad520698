"""Write a class report for one graded assignment: item difficulty and discrimination, flagged items,
the wrong answers chosen most often named by the misconception they stand for, and the grade distribution,
as an HTML page with PNG plots plus the same tables as CSV files."""
from __future__ import annotations

import argparse
from pathlib import Path

from course.cli.options import add_course_arguments
from course.grading.pipeline.course_folder import CourseFolder

HELP = "report what the class misunderstood in a graded assignment (HTML, PNG and CSV)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_course_arguments(parser, "the graded assignment, e.g. a1-roles")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the report (default: <course>/reports/<assignment>)")


def run(args: argparse.Namespace) -> int:
    from course.grading.reports.report import (
        build_report,  # pandas, matplotlib and nbgrader: only when a report is asked for
    )

    course = CourseFolder.at(args.course, args.db)
    paths = build_report(course, args.assignment, args.out or course.root / "reports" / args.assignment)
    print(f"Report: {paths['html']}")
    print("Tables: " + ", ".join(str(paths[name]) for name in ("items", "options", "scores")))
    return 0
