"""Write feedback again for every student whose grade changed since their last feedback (a written answer graded
in formgrader, a regrade, a comment), then the exports, so that the feedback and the grade files agree.

Feedback is written only for final grades (every hand-graded part scored) unless --provisional is given, in which
case it says which parts are still to be graded. Feedback that no longer matches a grade is withdrawn (moved to
.pm-course/grading/<assignment>/withdrawn-feedback/). Release it with 'nbgrader release_feedback ASSIGNMENT' on a
JupyterHub, or upload it to the LMS."""
from __future__ import annotations

import argparse
import os

from course.cli.options import add_course_arguments, add_output_arguments
from course.grading.pipeline.course_folder import CourseFolder

HELP = "write feedback again for every student whose grade changed (manual scores included), then the exports"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_course_arguments(parser, "the graded assignment, e.g. a1-roles")
    parser.add_argument("--provisional", action="store_true",
                        help="also write feedback for students whose written answers are not graded yet (it says "
                             "which parts are pending)")
    parser.add_argument("--force", action="store_true", help="write every student's feedback again")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for a large class (default: the number of cores, %(default)s here)")
    add_output_arguments(parser)


def run(args: argparse.Namespace) -> int:
    course = CourseFolder.at(args.course, args.db)
    course.require_assignment(args.assignment)
    course.require_gradebook()
    from course.cli.class_results import feedback_and_exports, require_results
    from course.grading.pipeline.grade import recorded_results

    results = recorded_results(course, args.assignment)
    require_results(results, course, args.assignment)
    return feedback_and_exports(args, course, args.assignment, results,
                                "provisional" if args.provisional else "final", max(1, args.workers),
                                force_feedback=args.force)
