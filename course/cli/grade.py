"""Grade a whole class for one assignment with nbgrader, in parallel, and export the grades.

Submissions are taken from --submissions (nbgrader's layout <student>/<assignment>/, or a
folder of per-student zips or notebooks as an LMS exports them) or, without it, from the
course's own submitted/ folder. Unknown students are added to the gradebook. Feedback is
generated for every graded student. Run it again after an interruption: students already
graded, whose submission has not changed, are not graded again.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..grading.course_folder import CourseFolder
from .class_results import add_output_arguments

HELP = "autograde a class in parallel, generate feedback, export grades"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="the assignment to grade, a folder name under solutions/ (e.g. a1-roles)")
    parser.add_argument("--submissions", type=Path, default=None,
                        help="an LMS download to import first, as a folder or its zip: Canvas's 'Download "
                             "Submissions', Moodle's 'Download all submissions' (in folders or not), per-student "
                             "zips or <student>_<file> files, or <student>/<assignment>/ folders")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="grading processes to run at once (default: the number of cores, %(default)s here)")
    parser.add_argument("--course", type=Path, default=Path("."),
                        help="the course folder, holding nbgrader_config.py (default: the current folder)")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="gradebook database URL, e.g. postgresql://user@host/course (default: "
                             "c.CourseDirectory.db_url in nbgrader_config.py, else the course's gradebook.db)")
    parser.add_argument("--regrade", action="store_true",
                        help="grade every student again, even those already graded with unchanged submissions")
    parser.add_argument("--feedback", choices=["final", "provisional", "none"], default="final",
                        help="final (default): feedback only for students whose grade is final; provisional: also "
                             "for those whose written answers are not graded yet, saying what is pending; none")
    parser.add_argument("--no-feedback", action="store_const", const="none", dest="feedback",
                        help="the same as --feedback=none (write it later with pm-course feedback)")
    add_output_arguments(parser)
    parser.add_argument("--no-isolation", action="store_true",
                        help="run student kernels without the bubblewrap sandbox (resource limits still apply); "
                             "only for submissions you trust")
    parser.add_argument("--cell-timeout", type=float, default=None, metavar="SECONDS",
                        help="stop any cell of a student's notebook after this long (default: the course's "
                             "nbgrader_config.py, 60 s)")
    parser.add_argument("--notebook-timeout", type=float, default=None, metavar="SECONDS",
                        help="stop a student's whole notebook after this long (default: 600 s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        from ..errors import CourseError
        raise CourseError("--workers must be 1 or more")
    course = CourseFolder.at(args.course, args.db, args.cell_timeout, args.notebook_timeout)
    course.require_assignment(args.assignment)
    course.require_gradebook()
    from ..grading.parallel import start_workers

    # the workers import nbgrader and preload their kernels while this process imports it and prepares the class
    workers = start_workers(course, args.workers, isolate=not args.no_isolation)
    try:
        return _grade(args, course, workers)
    finally:
        workers.shutdown(wait=False, cancel_futures=True)


def _grade(args: argparse.Namespace, course: CourseFolder, workers) -> int:
    # imported here, not at the top: nbgrader takes seconds to import, and `pm-course --help` or `start` need none of it
    from ..grading.sandbox import sandbox_available
    from .class_results import grade_and_report

    if not args.no_isolation and not sandbox_available():
        print("Note: bubblewrap (bwrap) is not available here, so student kernels run with resource limits only, "
              "not isolated from the course files. On Debian: apt-get install bubblewrap.")
    # importing an LMS download, grading, feedback for final grades, exports and the summary
    return grade_and_report(args, course, workers)
