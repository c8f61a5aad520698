"""Run nbgrader's own commands for a course folder, independent of the caller's PATH."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from course.errors import CourseError
from course.processes.environment import child_environment


def run_nbgrader(course_root: str | Path, *arguments: str, timeout: float | None = None) -> subprocess.CompletedProcess:
    """Run ``nbgrader ARGUMENTS`` in ``course_root``; a failure raises CourseError with nbgrader's own words."""
    command = [sys.executable, "-m", "course.processes.run_module", "nbgrader", *arguments]
    result = subprocess.run(command, cwd=course_root, env=child_environment(), capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode != 0:
        errors = [line for line in result.stderr.splitlines() if "ERROR" in line or "Error" in line]
        detail = "\n".join(errors[-10:]) or result.stderr[-2000:]
        raise CourseError(f"nbgrader {' '.join(arguments)} failed:\n{detail}")
    return result
