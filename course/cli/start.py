"""Copy the course into your workspace and open JupyterLab at the first lesson.

Files you have changed are never overwritten: when the course has a newer
version of a file you edited, yours is kept and listed. Anything after '--' is
passed to JupyterLab unchanged, e.g. 'pm-course start -- --ServerApp.token=secret'.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from ..environment import child_environment
from ..errors import CourseError
from ..paths import FIRST_LESSON
from ..workspace import sync_workspace

HELP = "copy the lessons and exercises into a workspace and open JupyterLab"
DEFAULT_WORKSPACE = "pm-course-workspace"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", default=DEFAULT_WORKSPACE, type=Path,
                        help=f"workspace folder to copy the course into and work in (default: ./{DEFAULT_WORKSPACE})")
    parser.add_argument("--port", type=int, default=None,
                        help="port for JupyterLab (default: JupyterLab's own, 8888, or the next free one)")
    parser.add_argument("--no-browser", action="store_true",
                        help="start the server without opening a browser; open the printed URL yourself")
    parser.add_argument("--copy-only", action="store_true",
                        help="copy the course into the workspace and stop, without starting JupyterLab")


def jupyterlab_command(workspace: Path, port: int | None, no_browser: bool, extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "course.run_module", "jupyterlab", f"--ServerApp.root_dir={workspace}",
               f"--LabApp.default_url=/lab/tree/lessons/{FIRST_LESSON}"]
    if port is not None:
        command.append(f"--port={port}")
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + extra


def run(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 < args.port < 65536:
        raise CourseError(f"--port must be between 1 and 65535, not {args.port}")
    workspace = args.dir.expanduser().resolve()
    report = sync_workspace(workspace)
    print(f"Workspace: {workspace}")
    print(report.summary())
    if args.copy_only:
        return 0
    print(f"Starting JupyterLab at lessons/{FIRST_LESSON} (press Ctrl+C twice to stop)...", flush=True)
    command = jupyterlab_command(workspace, args.port, args.no_browser, args.passthrough)
    os.chdir(workspace)
    if os.name == "posix":
        # Become JupyterLab: signals (Ctrl+C, a terminal closing, kill) reach the server directly.
        os.execve(command[0], command, child_environment())
    return subprocess.call(command, env=child_environment())
