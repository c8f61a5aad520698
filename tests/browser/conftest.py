"""Real-browser fixtures: Debian's Chromium driven by Playwright, and JupyterLab servers on loopback.

Outside CI a machine without Chromium skips these tests, saying how to install it; under CI=true a missing
browser is a failure. Screenshots of every step go to the folder in $PM_COURSE_SCREENSHOTS
(default: artifacts/screenshots), which CI prints in its log.
"""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

from ..conftest import IN_CI, REPO, jupyter_environment

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(os.environ.get("PM_COURSE_SCREENSHOTS", REPO / "artifacts" / "screenshots"))
TOKEN = "pm-course-browser-test"


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        message = "Chromium is not installed: apt-get install -y chromium (the browser tests drive /usr/bin/chromium)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    print(f"screenshot: {path}")
    return path


@contextmanager
def serving(command: list[str], port: int, tmp_path: Path, ready_path: str, cwd: Path | None = None):
    """Start a Jupyter server on ``port`` with private settings; yield its base URL once ``ready_path`` answers."""
    from ..cli.test_start import wait_for_http

    process = subprocess.Popen(command, cwd=cwd, env=jupyter_environment(tmp_path, TOKEN), stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}{ready_path}?token={TOKEN}", process)
        yield base
    finally:
        stop(process)


@contextmanager
def learner_lab_serving(tmp_path: Path, *jupyter_arguments: str):
    """``pm-course start --no-browser`` on a free port, serving a fresh workspace in ``tmp_path``, as a learner runs
    it (``jupyter_arguments`` go to JupyterLab after '--'); yields the base URL and the workspace folder."""
    from ..conftest import free_port

    port = free_port()
    workspace = tmp_path / "workspace"
    command = [str(Path(sys.executable).with_name("pm-course")), "start", "--no-browser", "--port", str(port),
               "--dir", str(workspace)]
    if jupyter_arguments:
        command += ["--", *jupyter_arguments]
    with serving(command, port, tmp_path, "/lab") as base:
        yield base, workspace


def open_notebook(page, base: str, path: str) -> None:
    """Open ``path`` in a JupyterLab workspace of its own, so no tab another test left open is restored beside it,
    and wait until its kernel is idle."""
    workspace = re.sub(r"[^a-z0-9]+", "-", path.lower())
    page.goto(f"{base}/lab/workspaces/{workspace}/tree/{path}?token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    wait_for_idle_kernel(page)


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wait_for_idle_kernel(page) -> None:
    """Wait until the status bar's kernel text ends in '| Idle' (the toolbar indicator says idle too early)."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('.jp-StatusBar-TextItem, .jp-StatusBar-GroupItem')]
                 .some(e => /\\|\\s*Idle\\s*$/.test(e.textContent.trim()))""", timeout=120_000)


def run_all_cells(page) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
