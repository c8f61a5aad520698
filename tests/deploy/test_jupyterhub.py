"""A class on JupyterHub, for real: the repository's deploy/jupyterhub config, nbgrader's exchange, loopback only.

The instructor releases a1-roles into the exchange; a student's server, started through the hub, fetches it; the
student answers and submits through the hub; the instructor collects, grades with ``pm-course grade`` and releases
feedback; the student fetches the feedback, again through the hub.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.cli import main
from course.environment import child_environment
from course.grading.nbgrader_runner import run_nbgrader
from course.grading.simulate import fill_solutions

from ..conftest import IN_CI, REPO, free_port

pytestmark = pytest.mark.slow
HUB_CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
ASSIGNMENT = "a1-roles"
STUDENT = "ada"


def _require(command: str, install: str) -> None:
    if shutil.which(command) is None:
        message = f"{command} is not installed ({install}); the JupyterHub test needs it"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


class Hub:
    def __init__(self, url: str, token: str):
        self.url, self.token = url, token

    def call(self, method: str, path: str, body: dict | None = None, token: str | None = None, form: bool = False):
        data = None
        headers = {"Authorization": f"token {token or self.token}"}
        if body is not None and form:
            data = urllib.parse.urlencode(body).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            text = response.read().decode()
        return json.loads(text) if text.strip() else None


def _wait_for(check, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            result = check()
        except (urllib.error.URLError, ConnectionError, OSError):
            result = None
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def hub(tmp_path, generated):
    _require("jupyterhub", "pip install 'pm-course[hub]'")
    _require("configurable-http-proxy", "npm install -g configurable-http-proxy")
    root = tmp_path / "hub"
    token = secrets.token_hex(16)
    port = free_port()
    env = dict(child_environment(), PM_COURSE_HUB_ROOT=str(root), PM_COURSE_HUB_PORT=str(port),
               PM_COURSE_HUB_INTERNAL_PORT=str(free_port()), PM_COURSE_PROXY_API_PORT=str(free_port()),
               PM_COURSE_STUDENTS=STUDENT, PM_COURSE_INSTRUCTORS="instructor", PM_COURSE_ADMIN_TOKEN=token,
               PM_COURSE_HUB_PASSWORD=secrets.token_hex(8))
    log = (tmp_path / "hub.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG)], cwd=root.parent,
                               env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    client = Hub(url, token)
    try:
        _wait_for(lambda: client.call("GET", "/hub/api/"), 60, "the hub")
        yield client, root, generated
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
        print((tmp_path / "hub.log").read_text()[-4000:])


def test_release_fetch_submit_collect_grade_feedback_through_the_hub(hub):
    client, root, course = hub
    exchange = root / "exchange"
    instructor_env = {"PM_COURSE_EXCHANGE": str(exchange)}
    os.environ.update(instructor_env)
    try:
        run_nbgrader(course, "release_assignment", ASSIGNMENT, "--force")

        # the student's server, started through the hub; a token the student would get by logging in
        client.call("POST", f"/hub/api/users/{STUDENT}/server")
        _wait_for(lambda: client.call("GET", f"/hub/api/users/{STUDENT}")["servers"].get("", {}).get("ready"), 120,
                  "the student's server")
        student_token = client.call("POST", f"/hub/api/users/{STUDENT}/tokens", {"note": "test"})["token"]
        server = f"/user/{STUDENT}"
        listed = client.call("GET", f"{server}/assignments?course_id=pm-course", token=student_token)
        assert listed["success"] and any(item["assignment_id"] == ASSIGNMENT for item in listed["value"])

        client.call("POST", f"{server}/assignments/fetch", {"course_id": "pm-course", "assignment_id": ASSIGNMENT},
                    token=student_token, form=True)
        fetched = client.call("GET", f"{server}/api/contents/{ASSIGNMENT}/roles.ipynb", token=student_token)
        assert fetched["type"] == "notebook"

        answered = fill_solutions(course / "exercises" / ASSIGNMENT / "roles.ipynb",
                                  course / "solutions" / ASSIGNMENT / "roles.ipynb")
        client.call("PUT", f"{server}/api/contents/{ASSIGNMENT}/roles.ipynb",
                    {"type": "notebook", "format": "json", "content": json.loads(nbformat.writes(answered))},
                    token=student_token)
        client.call("POST", f"{server}/assignments/submit", {"course_id": "pm-course", "assignment_id": ASSIGNMENT},
                    token=student_token, form=True)

        # the instructor collects, grades with pm-course, grades the written answer, writes and releases feedback
        assert main(["collect", ASSIGNMENT, "--course", str(course)]) == 0
        assert (course / "submitted" / STUDENT / ASSIGNMENT / "roles.ipynb").is_file(), \
            "the submission was not collected under the hub user's name"
        assert main(["grade", ASSIGNMENT, "--course", str(course), "--workers", "1", "--quiet"]) == 0
        summary = (course / "exports" / ASSIGNMENT / "summary.csv").read_text()
        assert f"{STUDENT},graded,10.0,13.0,provisional" in summary, "the written answer waits for hand grading"
        assert not (course / "feedback" / STUDENT).exists(), "no feedback before the grade is final"
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:  # as formgrader's grade API does
            grade = gradebook.find_grade("subset_debate_answer", "roles", ASSIGNMENT, STUDENT)
            grade.manual_score, grade.needs_manual_grade = 3, False
            gradebook.db.commit()
        assert main(["feedback", ASSIGNMENT, "--course", str(course)]) == 0
        run_nbgrader(course, "release_feedback", ASSIGNMENT)

        # the student fetches the feedback through the hub
        client.call("POST", f"{server}/assignments/fetch_feedback",
                    {"course_id": "pm-course", "assignment_id": ASSIGNMENT}, token=student_token, form=True)
        feedback = _wait_for(lambda: list((root / "home" / STUDENT / ASSIGNMENT / "feedback").rglob("roles.html")),
                             10, "the feedback in the student's folder")
        assert "Score: 13.0 / 13.0" in feedback[0].read_text()
    finally:
        for name in instructor_env:
            os.environ.pop(name, None)


def test_the_hub_config_is_the_one_the_guide_shows():
    """The README's JupyterHub guide names the files this test runs."""
    readme = (REPO / "README.md").read_text()
    for path in ("deploy/jupyterhub/jupyterhub_config.py", "deploy/jupyterhub/student/nbgrader_config.py"):
        assert path in readme and (REPO / path).is_file()
