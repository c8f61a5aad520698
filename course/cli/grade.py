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

from course.cli.options import add_course_arguments, add_output_arguments
from course.errors import CourseError
from course.grading.pipeline.course_folder import CourseFolder

HELP = "autograde a class in parallel, generate feedback, export grades"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_course_arguments(parser, "the assignment to grade, a folder name under solutions/ (e.g. a1-roles)")
    parser.add_argument("--submissions", type=Path, default=None,
                        help="an LMS download to import first, as a folder or its zip: Canvas's 'Download "
                             "Submissions', Moodle's 'Download all submissions' (in folders or not), per-student "
                             "zips or <student>_<file> files, or <student>/<assignment>/ folders")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="grading processes to run at once (default: the number of cores, %(default)s here)")
    parser.add_argument("--regrade", action="store_true",
                        help="grade every student again, even those already graded with unchanged submissions")
    parser.add_argument("--feedback", choices=["final", "provisional", "none"], default="final",
                        help="final (default): feedback only for students whose grade is final; provisional: also "
                             "for those whose written answers are not graded yet, saying what is pending; none")
    parser.add_argument("--no-feedback", action="store_const", const="none", dest="feedback",
                        help="the same as --feedback=none (write it later with pm-course feedback)")
    add_output_arguments(parser)
    parser.add_argument("--no-isolation", action="store_true",
                        help="run student kernels without the bubblewrap sandbox, with your rights (per-process "
                             "limits still apply); only for submissions you trust. Without it, the command refuses "
                             "to run student code where bubblewrap is missing")
    parser.add_argument("--cell-timeout", type=float, default=None, metavar="SECONDS",
                        help="stop any cell of a student's notebook after this long (default: the course's "
                             "nbgrader_config.py, 60 s)")
    parser.add_argument("--notebook-timeout", type=float, default=None, metavar="SECONDS",
                        help="stop a student's whole notebook after this long (default: 600 s)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    # student ids, file names and messages come from submissions: whatever is printed while grading, and the error
    # that stops it, has its control characters (escape sequences) escaped (course/grading/pipeline/terminal.py)
    from course.grading.pipeline.terminal import escape_controls, terminal_safe_output

    with terminal_safe_output():
        try:
            return _run(args)
        except CourseError as error:
            raise CourseError(escape_controls(str(error)).replace("\n", "\\n").replace("\r", "\\r")) from None


def _run(args: argparse.Namespace) -> int:
    if args.workers < 1:
        raise CourseError("--workers must be 1 or more")
    course = CourseFolder.at(args.course, args.db, args.cell_timeout, args.notebook_timeout)
    course.require_assignment(args.assignment)
    course.require_gradebook()
    from course.grading.kernels.sandbox import BUBBLEWRAP_HINT, sandbox_available, sandbox_problem
    from course.grading.pipeline.parallel import clear_logs, start_workers

    isolate = not args.no_isolation
    if isolate and not sandbox_available():  # fails closed: student code never runs unsandboxed unless told to
        raise CourseError(f"bubblewrap (bwrap) is not installed, so student code would run with your rights: "
                          f"{BUBBLEWRAP_HINT}")
    clear_logs(course)
    # the workers import nbgrader and preload their kernels while this process imports it and prepares the class
    workers = start_workers(course, args.workers, isolate=isolate)
    try:
        problem = sandbox_problem() if isolate else None  # (while the workers start)
        if problem:
            raise CourseError(f"{problem}: {BUBBLEWRAP_HINT}")
        return _grade(args, course, workers)
    finally:
        workers.shutdown(wait=False, cancel_futures=True)


def _grade(args: argparse.Namespace, course: CourseFolder, workers) -> int:
    # imported here, not at the top: nbgrader takes seconds to import, and `pm-course --help` or `start` need none of it
    from course.cli.class_results import grade_and_report
    from course.grading.kernels.sandbox import missing_protections

    for missing in missing_protections(isolate=not args.no_isolation):
        print(f"Note: this host lacks {missing}.")
    # importing an LMS download, grading, feedback for final grades, exports and the summary
    return grade_and_report(args, course, workers)
