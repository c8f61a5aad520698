"""Fixtures shared by the whole suite: the repository, temporary course folders, notebook execution."""
from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "course" / "lessons").glob("*.ipynb"))
ASSIGNMENTS = sorted(path.name for path in (REPO / "solutions").iterdir() if path.is_dir())
SOLUTION_NOTEBOOKS = sorted((REPO / "solutions").glob("*/*.ipynb"))
IN_CI = os.environ.get("CI", "").lower() == "true"


def require_bubblewrap() -> None:
    """Skip (outside CI) or fail (under CI=true) a test that needs the bubblewrap sandbox where bwrap is missing."""
    from course.grading.sandbox import sandbox_available

    if not sandbox_available():
        message = "bubblewrap is not installed: apt-get install -y bubblewrap (grading isolates kernels with bwrap)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def execute_notebook(path: Path, workdir: Path, timeout: int = 120) -> nbformat.NotebookNode:
    """Execute a copy of ``path`` in ``workdir`` (so no output is written into the repository)."""
    notebook = nbformat.read(str(path), as_version=4)
    NotebookClient(notebook, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
                   ).execute()
    return notebook


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    """A fresh nbgrader course folder: the repository's config and solutions, nothing generated yet."""
    return _copy_course(tmp_path / "course")


def _copy_course(target: Path) -> Path:
    target.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", target)
    shutil.copytree(REPO / "solutions", target / "solutions",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "pm-course-answers.json"))
    return target


@pytest.fixture(scope="session")
def generated_template(tmp_path_factory) -> Path:
    """A course folder where nbgrader has generated every assignment once (its gradebook knows them all)."""
    from course.grading.nbgrader_runner import run_nbgrader

    root = _copy_course(tmp_path_factory.mktemp("template") / "course")
    for assignment in ASSIGNMENTS:
        run_nbgrader(root, "generate_assignment", assignment, "--force")
    return root


@pytest.fixture
def generated(generated_template: Path, tmp_path: Path) -> Path:
    """A private copy of the generated course folder, for a test to submit to and grade in."""
    root = tmp_path / "generated"
    shutil.copytree(generated_template, root)
    return root


def jupyter_environment(tmp_path: Path, token: str) -> dict[str, str]:
    """Private Jupyter config, data, runtime, settings and workspace folders; a known token; no news toasts."""
    env = dict(os.environ, JUPYTER_TOKEN=token)
    for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "JUPYTERLAB_SETTINGS_DIR",
                 "JUPYTERLAB_WORKSPACES_DIR"):
        folder = tmp_path / "jupyter" / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[name] = str(folder)
    settings = Path(env["JUPYTERLAB_SETTINGS_DIR"]) / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
