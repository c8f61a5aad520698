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

HELP = "autograde a class in parallel, generate feedback, export grades"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assignment", help="the assignment to grade, a folder name under solutions/ (e.g. a1-roles)")
    parser.add_argument("--submissions", type=Path, default=None,
                        help="folder of submissions to import first: <student>/<assignment>/ folders, or "
                             "per-student zips or notebooks named <student>_<file>")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="grading processes to run at once (default: the number of cores, %(default)s here)")
    parser.add_argument("--course", type=Path, default=Path("."),
                        help="the course folder, holding nbgrader_config.py (default: the current folder)")
    parser.add_argument("--db", default=None, metavar="URL",
                        help="gradebook database URL, e.g. postgresql://user@host/course (default: the course's "
                             "sqlite gradebook.db)")
    parser.add_argument("--regrade", action="store_true",
                        help="grade every student again, even those already graded with unchanged submissions")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the exported CSV files (default: <course>/exports/<assignment>)")
    parser.add_argument("--no-feedback", action="store_true",
                        help="grade only; generate the students' feedback later with nbgrader generate_feedback")
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
    from ..grading.parallel import start_workers

    # the workers import nbgrader and preload their kernels while this process imports it and prepares the class
    workers = start_workers(course, args.workers, isolate=not args.no_isolation)
    try:
        return _grade(args, course, workers)
    finally:
        workers.shutdown(wait=False, cancel_futures=True)


def _grade(args: argparse.Namespace, course: CourseFolder, workers) -> int:
    # imported here, not at the top: nbgrader takes seconds to import, and `pm-course --help` or `start` need none of it
    from ..grading.collect import import_submissions
    from ..grading.exports import export_grades
    from ..grading.pipeline import grade_class, summary_table

    if args.submissions:
        found = import_submissions(course, args.assignment, args.submissions)
        print(f"Imported submissions of {len(found)} student(s) from {args.submissions}")
    from ..grading.sandbox import sandbox_available

    if not args.no_isolation and not sandbox_available():
        print("Note: bubblewrap (bwrap) is not available here, so student kernels run with resource limits only, "
              "not isolated from the course files. On Debian: apt-get install bubblewrap.")
    run_result = grade_class(course, args.assignment, args.workers, regrade=args.regrade, progress=not args.quiet,
                             feedback=not args.no_feedback, isolate=not args.no_isolation, pool=workers)
    summary = summary_table(course, args.assignment, run_result.results)
    out = args.out or course.root / "exports" / args.assignment
    paths = export_grades(course, args.assignment, summary, out)
    print(f"\nGraded now: {len(run_result.graded_now)}; already graded and unchanged: {len(run_result.skipped)}")
    counts = summary["status"].value_counts().to_dict()
    print("Status: " + ", ".join(f"{status}: {count}" for status, count in sorted(counts.items())))
    print(summary.astype(object).where(summary.notna(), "").to_string(index=False))
    print("\nExports: " + ", ".join(str(path) for path in paths.values()))
    return 0
