"""Show where you stand in the course: per lesson, whether you opened and ran it, how many check questions you got
right at the first try, how your scenario ended, and how many missed questions are due for review.

Reads only what your own work left in the workspace's lessons folder (see course/learner/progress.py); changes nothing.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from course.cli.start import DEFAULT_WORKSPACE
from course.errors import CourseError

HELP = "show your progress through the lessons and the review questions due"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", default=DEFAULT_WORKSPACE, type=Path,
                        help=f"your workspace folder, as given to 'pm-course start' (default: ./{DEFAULT_WORKSPACE})")


def run(args: argparse.Namespace) -> int:
    lessons = args.dir.expanduser() / "lessons"
    if not lessons.is_dir():
        raise CourseError(f"No lessons in {args.dir}: run 'pm-course start' first, or name your workspace with --dir.")
    from course.learner.progress import (  # only this command pays for reading quizzes and scenarios
        lesson_progress,
        progress_text,
    )

    print(progress_text(lesson_progress(lessons)))
    return 0
