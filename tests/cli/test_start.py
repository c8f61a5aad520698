"""Does 'pm-course start' give a learner a running JupyterLab on their own copy of the course?"""
from __future__ import annotations

import json
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
from course.cli.start import STOP_HINT
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


class Exec:
    """Stands in for os.execve: records the command and environment JupyterLab would be started with."""

    def __call__(self, executable, command, env):
        self.command, self.env = command, env


def started(monkeypatch, capsys, *arguments: str) -> tuple[Exec, list[str]]:
    fake = Exec()
    monkeypatch.setattr("course.cli.start.os.execve", fake)
    monkeypatch.chdir(os.getcwd())  # start changes into the workspace; come back afterwards
    assert main(["start", *arguments]) == 0
    return fake, capsys.readouterr().out.splitlines()


def learner_config(env: dict[str, str]) -> Path:
    return Path(env["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0])


def test_start_prints_the_url_and_how_to_stop(tmp_path, monkeypatch, capsys):
    """Does start print the workspace, the copy report, the address with its token, one line on how to stop, and
    nothing else; and does JupyterLab get that port and token, quiet logs and the served folder for review links?"""
    monkeypatch.delenv("JUPYTER_TOKEN", raising=False)
    fake, lines = started(monkeypatch, capsys, "--no-browser", "--dir", str(tmp_path / "ws"), "--port", "18765")
    assert lines[0] == f"Workspace: {tmp_path / 'ws'}"
    url_line = next(line for line in lines if "http://" in line)
    token = fake.env["JUPYTER_TOKEN"]
    assert url_line.endswith(f"http://127.0.0.1:18765/lab/tree/lessons/{FIRST_LESSON}?token={token}")
    assert len(token) >= 32
    assert lines[-1] == STOP_HINT and lines[-2] == url_line and len(lines) == 4
    assert "--port=18765" in fake.command and "--ServerApp.port_retries=0" in fake.command
    assert "--ServerApp.log_level=ERROR" in fake.command and "--no-browser" in fake.command
    assert fake.env["PM_COURSE_SERVER_ROOT"] == str(tmp_path / "ws")


def test_the_learners_jupyterlab_has_no_instructor_tools(tmp_path, monkeypatch, capsys):
    """Without an exchange: are Formgrader, Create Assignment, the course list and the Assignments list switched off
    (plugins and server extensions), Validate kept, and nbgrader given a config so it never warns?"""
    monkeypatch.delenv("PM_COURSE_EXCHANGE", raising=False)
    fake, _ = started(monkeypatch, capsys, "--no-browser", "--dir", str(tmp_path / "ws"), "--port", "18766")
    config = learner_config(fake.env)
    disabled = json.loads((config / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment", "@jupyter/nbgrader:course-list",
            "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu"} <= {k for k, v in disabled.items() if v}
    assert "@jupyter/nbgrader:validate-assignment" not in disabled
    extensions = json.loads((config / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    assert extensions["nbgrader.server_extensions.assignment_list"] is False
    assert extensions["nbgrader.server_extensions.validate_assignment"] is True
    assert 'course_id = "pm-course"' in (config / "nbgrader_config.py").read_text()


def test_with_an_exchange_the_assignments_list_stays(tmp_path, monkeypatch, capsys):
    """Where the course has an exchange, can the learner still fetch and submit from the Assignments list?"""
    exchange = tmp_path / "exchange"
    exchange.mkdir()
    monkeypatch.setenv("PM_COURSE_EXCHANGE", str(exchange))
    fake, _ = started(monkeypatch, capsys, "--no-browser", "--dir", str(tmp_path / "ws"), "--port", "18767")
    config = learner_config(fake.env)
    disabled = json.loads((config / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert "@jupyter/nbgrader:assignment-list" not in disabled and "@jupyter/nbgrader:formgrader" in disabled
    assert repr(str(exchange)) in (config / "nbgrader_config.py").read_text()


def test_a_token_given_to_jupyterlab_is_the_one_printed(tmp_path, monkeypatch, capsys):
    """With '-- --IdentityProvider.token=mine', does the printed address carry that token?"""
    _, lines = started(monkeypatch, capsys, "--no-browser", "--dir", str(tmp_path / "ws"), "--port", "18768", "--",
                       "--IdentityProvider.token=mine")
    assert any(line.endswith("?token=mine") for line in lines)


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


def validate(base: str, token: str, notebook: Path) -> dict:
    """What the notebook toolbar's Validate button asks the server for."""
    request = urllib.request.Request(f"{base}/assignments/validate", method="POST",
                                     data=json.dumps({"path": notebook.as_posix()}).encode(),
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def stop_server(process: subprocess.Popen) -> str:
    """End the server and return what it printed (also when it had ended by itself: a server that failed to start)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass  # ended already: what it printed says why
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
        validated = validate(base, token, next((workspace / "exercises").glob("*/*.ipynb")).relative_to(workspace))
        assert validated["success"] is True, "Validate works on an assignment"
    finally:
        log = stop_server(process)
        print(f"pm-course start printed:\n{log[-4000:]}")  # shown by pytest when the test fails
    assert f"lessons/{FIRST_LESSON}?token={token}" in log
    assert STOP_HINT in log
    noise = [line for line in log.splitlines() if line.startswith(("[I ", "[W ", "[NbGrader"))
             or "nbgrader_config.py" in line or "without encryption" in line]
    assert not noise, f"the learner's terminal shows only errors, not: {noise[:3]}"
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
