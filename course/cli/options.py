"""Options several ``pm-course`` commands share, declared once so that they read and mean the same in every command
(a helper of the subcommands, not one itself)."""
from __future__ import annotations

import argparse
from pathlib import Path

DB_HELP = ("gradebook database URL, e.g. postgresql://user@host/course (default: c.CourseDirectory.db_url in "
           "nbgrader_config.py, else the course's gradebook.db)")


def add_course_arguments(parser: argparse.ArgumentParser, assignment_help: str, gradebook: bool = True) -> None:
    """The assignment, ``--course`` and, for the commands that read or write grades, ``--db``."""
    parser.add_argument("assignment", help=assignment_help)
    parser.add_argument("--course", type=Path, default=Path("."),
                        help="the course folder, holding nbgrader_config.py (default: the current folder)")
    if gradebook:
        parser.add_argument("--db", default=None, metavar="URL", help=DB_HELP)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the commands that write feedback and exports."""
    parser.add_argument("--roster", type=Path, default=None, metavar="CSV",
                        help="the LMS's class list, for the identifiers it matches grades on: Canvas's gradebook "
                             "export (ID, SIS User ID, SIS Login ID, Section, assignment headers) or Moodle's grading "
                             "worksheet or grade export; remembered for the assignment")
    parser.add_argument("--lms-assignment", default=None, metavar="HEADER",
                        help="the grade column's header as the LMS names the assignment, e.g. 'Assignment 1 (4567)' "
                             "as in a Canvas gradebook export (default: the assignment's name, or the matching "
                             "column of the roster)")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the exported CSV files (default: <course>/exports/<assignment>)")
