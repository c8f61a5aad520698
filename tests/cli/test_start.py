"""Does 'pm-course start' give a learner a running JupyterLab on their own copy of the course?"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from course.cli import main
from course.paths import FIRST_LESSON

from ..conftest import free_port, jupyter_environment


def test_help_lists_the_start_command_and_its_options(capsys):
    """Does --help say what the command does and name every option?"""
    with pytest.raises(SystemExit):
        main(["start", "--help"])
    out = capsys.readouterr().out
    for option in ("--dir", "--port", "--no-browser", "--copy-only"):
        assert option in out


def test_a_bad_port_is_a_message_not_a_traceback(tmp_path, capsys):
    """Is an impossible port refused with a one-line message?"""
    assert main(["start", "--dir", str(tmp_path / "ws"), "--port", "70000"]) == 1
    assert "--port must be between 1 and 65535" in capsys.readouterr().err


def wait_for_http(url: str, process: subprocess.Popen, seconds: float = 90) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    raise AssertionError(f"no answer from {url} within {seconds} s")


def start_server(executable: str, workspace: Path, port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([executable, "start", "--no-browser", "--dir", str(workspace), "--port", str(port)],
                            cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def stop_server(process: subprocess.Popen) -> str:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    return output.decode(errors="replace")


def assert_start_serves_the_first_lesson(executable: str, tmp_path: Path) -> None:
    workspace, port, token = tmp_path / "ws", free_port(), "pm-course-test"
    process = start_server(executable, workspace, port, jupyter_environment(tmp_path, token), cwd=tmp_path)
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for_http(f"{base}/lab?token={token}", process) == 200
        lesson_url = f"{base}/api/contents/lessons/{FIRST_LESSON}?content=0&token={token}"
        assert wait_for_http(lesson_url, process) == 200
    finally:
        log = stop_server(process)
    assert f"lessons/{FIRST_LESSON}" in log
    assert (workspace / "lessons" / FIRST_LESSON).is_file()
    assert list((workspace / "exercises").glob("*/*.ipynb"))


@pytest.mark.slow
def test_start_serves_jupyterlab_and_keeps_an_edited_notebook(tmp_path):
    """Does start serve JupyterLab (HTTP 200) on the copied course, and leave an edited lesson alone next time?"""
    executable = str(Path(sys.executable).with_name("pm-course"))
    assert_start_serves_the_first_lesson(executable, tmp_path)
    lesson = tmp_path / "ws" / "lessons" / FIRST_LESSON
    lesson.write_text(lesson.read_text().replace("Start here", "Start here (my notes)"))
    edited = lesson.read_bytes()
    result = subprocess.run([executable, "start", "--copy-only", "--dir", str(tmp_path / "ws")],
                            capture_output=True, text=True, check=True)
    assert lesson.read_bytes() == edited
    assert f"lessons/{FIRST_LESSON}" in result.stdout
