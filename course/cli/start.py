"""Copy the course into your workspace and open JupyterLab at the first lesson.

Files you have changed are never overwritten: when the course has a newer
version of a file you edited, yours is kept and listed. Anything after '--' is
passed to JupyterLab unchanged, e.g. 'pm-course start -- --ServerApp.token=secret'.

JupyterLab starts as a learner's, not an instructor's: nbgrader's instructor tools (Formgrader, Create
Assignment, the course list) are switched off, and so is the Assignments list unless the course has an exchange
(``$PM_COURSE_EXCHANGE``); the Validate button stays. The server logs only warnings and errors, so what you see
is the address to open and how to stop.

Lessons start warm: the workspace's Jupyter data folder (first on ``JUPYTER_PATH``) holds a ``python3`` kernel spec,
the one the lessons name, whose provisioner forks each kernel from a template that has already imported what lessons
import (:mod:`course.kernels.forked_kernels`, unsandboxed: the learner's own code, machine and environment).
Opened with a plain ``jupyter lab``, the same lessons get ipykernel's own ``python3``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import socket
import subprocess
import sys
from pathlib import Path

from course.content.sections import SERVER_ROOT_VARIABLE
from course.errors import CourseError
from course.kernels.kernel_spec import LESSON_PRELOADS, write_forking_kernel_spec
from course.kernels.warm_template import LESSON_KERNEL_NAME
from course.learner.workspace import sync_workspace
from course.paths import FIRST_LESSON
from course.processes.environment import child_environment

HELP = "copy the lessons and exercises into a workspace and open JupyterLab"
DEFAULT_WORKSPACE = "pm-course-workspace"
DEFAULT_PORT = 8888
LEARNER_CONFIG = Path(".pm-course") / "jupyter-config"
LEARNER_DATA = Path(".pm-course") / "jupyter-data"
EXCHANGE_VARIABLE = "PM_COURSE_EXCHANGE"

# nbgrader's JupyterLab plugins and server extensions a learner has no use for.
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list")
# Without an exchange the Assignments list can only say "Error fetching courses!": off as well.
EXCHANGE_PLUGINS = ("@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu")
EXCHANGE_SERVER_EXTENSIONS = ("nbgrader.server_extensions.assignment_list",)
# starts the lessons' kernel template with the server, so that the first lesson opened finds it warm
WARM_TEMPLATE_EXTENSION = "course.kernels.warm_template"
# Only errors reach the learner's terminal: no extension banners, no "not trusted" or websocket-ping warnings, and
# kernels get CurveZMQ keys where their kernelspec supports them (unencrypted TCP makes every kernel print a warning).
QUIET = ("--ServerApp.log_level=ERROR", "--LabApp.log_level=ERROR", "--KernelManager.transport_encryption=auto")
STOP_HINT = "To stop JupyterLab: press Ctrl+C in this terminal (your answers are saved as you give them)."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", default=DEFAULT_WORKSPACE, type=Path,
                        help=f"workspace folder to copy the course into and work in (default: ./{DEFAULT_WORKSPACE})")
    parser.add_argument("--port", type=int, default=None,
                        help=f"port for JupyterLab (default: {DEFAULT_PORT}, or the next free one)")
    parser.add_argument("--no-browser", action="store_true",
                        help="start the server without opening a browser; open the printed URL yourself")
    parser.add_argument("--copy-only", action="store_true",
                        help="copy the course into the workspace and stop, without starting JupyterLab")


def exchange_folder() -> Path | None:
    """The nbgrader exchange the learner's server should use, if the course has one on this machine."""
    folder = os.environ.get(EXCHANGE_VARIABLE)
    return Path(folder) if folder and Path(folder).is_dir() else None


def write_learner_config(workspace: Path, exchange: Path | None) -> Path:
    """Write the learner's Jupyter configuration folder (put on ``JUPYTER_CONFIG_PATH``) and return it.

    ``labconfig/page_config.json`` disables nbgrader's instructor plugins in JupyterLab, ``jupyter_server_config.json``
    their server extensions, and ``nbgrader_config.py`` gives nbgrader a course id (and the exchange, if any) so it
    never warns that no config file was found.
    """
    folder = workspace / LEARNER_CONFIG
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    plugins = INSTRUCTOR_PLUGINS + (() if exchange else EXCHANGE_PLUGINS)
    extensions = INSTRUCTOR_SERVER_EXTENSIONS + (() if exchange else EXCHANGE_SERVER_EXTENSIONS)
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {plugin: True for plugin in plugins}}, indent=1), encoding="utf-8")
    enabled = ("nbgrader.server_extensions.validate_assignment", WARM_TEMPLATE_EXTENSION) + \
        (EXCHANGE_SERVER_EXTENSIONS if exchange else ())
    # named, not left to nbgrader's own enabling: a virtual environment may not see the file where nbgrader does that
    server = {"jpserver_extensions": {**{name: False for name in extensions}, **{name: True for name in enabled}},
              # jupyter_server's 90 s default ping timeout makes tornado warn on every websocket
              "tornado_settings": {"ws_ping_timeout": 30_000}}
    (folder / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": server}, indent=1), encoding="utf-8")
    lines = ['"""nbgrader settings of a learner\'s JupyterLab, written by pm-course start on every start."""',
             "c = get_config()  # noqa: F821", 'c.CourseDirectory.course_id = "pm-course"',
             "# Validate runs the notebook in a kernel of its own: encrypted too, so it prints no warning",
             'c.KernelManager.transport_encryption = "auto"']
    if exchange:
        lines.append(f"c.Exchange.root = {str(exchange)!r}")
    (folder / "nbgrader_config.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def write_lesson_kernel_spec(workspace: Path) -> Path:
    """Write the warm ``python3`` kernel spec into the learner's Jupyter data folder (put first on ``JUPYTER_PATH``)
    and return that folder. It is ipykernel's own spec with the forking provisioner, configured for a learner."""
    folder = workspace / LEARNER_DATA
    write_forking_kernel_spec(folder / "kernels" / LESSON_KERNEL_NAME,
                              {"isolate": False, "limits": {}, "keep_environment": True, "capture_output": False,
                               "exclusive": False, "fall_back": True, "preload": list(LESSON_PRELOADS)})
    return folder


def free_port(first: int = DEFAULT_PORT, tries: int = 50) -> int:
    """The first port from ``first`` on that nothing listens on (as JupyterLab itself would choose)."""
    for port in range(first, first + tries):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise CourseError(f"No free port between {first} and {first + tries - 1}: choose one with --port.")


def passed_token(extra: list[str]) -> str | None:
    """A token given after '--' (e.g. --ServerApp.token=secret or --IdentityProvider.token secret)."""
    for index, argument in enumerate(extra):
        match = re.fullmatch(r"--(?:ServerApp|IdentityProvider|NotebookApp)\.token(?:=(.*))?", argument)
        if match:
            return match.group(1) if match.group(1) is not None else (extra[index + 1] if index + 1 < len(extra)
                                                                      else None)
    return None


def learner_url(port: int, token: str) -> str:
    return f"http://127.0.0.1:{port}/lab/tree/lessons/{FIRST_LESSON}" + (f"?token={token}" if token else "")


def jupyterlab_command(workspace: Path, port: int, no_browser: bool, extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "course.processes.run_module", "jupyterlab", f"--ServerApp.root_dir={workspace}",
               f"--LabApp.default_url=/lab/tree/lessons/{FIRST_LESSON}", f"--port={port}",
               "--ServerApp.port_retries=0", "--ServerApp.answer_yes=True", *QUIET]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    return command + extra


def learner_environment(workspace: Path, config: Path, token: str, data: Path | None = None) -> dict[str, str]:
    """The server's environment: the learner config first on the config path (and the learner's data folder, with
    the warm kernel spec, first on the data path), the token, the served folder."""
    env = child_environment()
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        part for part in (str(config), env.get("JUPYTER_CONFIG_PATH", "")) if part)
    if data is not None:
        env["JUPYTER_PATH"] = os.pathsep.join(part for part in (str(data), env.get("JUPYTER_PATH", "")) if part)
    env[SERVER_ROOT_VARIABLE] = str(workspace)  # kernels inherit it: review links open lessons in this JupyterLab
    if token:
        env["JUPYTER_TOKEN"] = token
    return env


def run(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 < args.port < 65536:
        raise CourseError(f"--port must be between 1 and 65535, not {args.port}")
    workspace = args.dir.expanduser().resolve()
    report = sync_workspace(workspace)
    print(f"Workspace: {workspace}")
    print(report.summary())
    if args.copy_only:
        return 0
    port = args.port if args.port is not None else free_port()
    token = passed_token(args.passthrough)
    if token is None:
        token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    config = write_learner_config(workspace, exchange_folder())
    data = write_lesson_kernel_spec(workspace)
    command = jupyterlab_command(workspace, port, args.no_browser, args.passthrough)
    env = learner_environment(workspace, config, token, data)
    print(f"JupyterLab opens lessons/{FIRST_LESSON} at: {learner_url(port, token)}")
    print(STOP_HINT, flush=True)
    os.chdir(workspace)
    if os.name != "posix":
        return subprocess.call(command, env=env)
    # Become JupyterLab: signals (Ctrl+C, a terminal closing, kill) reach the server directly.
    os.execve(command[0], command, env)
    return 0  # only reached where execve is replaced (the tests)
