"""A class on JupyterHub, for real: the repository's deploy/jupyterhub config, nbgrader's exchange, loopback only.

The instructor releases a1-roles into the exchange; a student's server, started through the hub, fetches it; the
student answers and submits through the hub; the instructor collects, grades with ``pm-course grade`` and releases
feedback; the student fetches the feedback, again through the hub.
"""
from __future__ import annotations

import asyncio
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import nbformat
import pytest
import sqlalchemy
from nbgrader.api import Gradebook

from course.cli import main
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from course.processes.environment import child_environment
from tests.support.simulate import fill_solutions

from ..conftest import IN_CI, REPO, free_port
from ..grading.test_no_leaks import HIDDEN

pytestmark = pytest.mark.slow
HUB_CONFIG = REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"
ASSIGNMENT = "a1-roles"
STUDENT = "ada"
SECOND_STUDENT = "kwame"  # a name no lesson text contains, so the live view can be searched for it


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
               PM_COURSE_STUDENTS=f"{STUDENT},{SECOND_STUDENT}", PM_COURSE_INSTRUCTORS="instructor",
               PM_COURSE_ADMIN_TOKEN=token, PM_COURSE_HUB_PASSWORD=secrets.token_hex(8),
               PM_COURSE_DB_URL=f"sqlite:///{generated / 'gradebook.db'}", PM_COURSE_LIVE_PORT=str(free_port()))
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
        feedback = _wait_for(lambda: list((root / "home" / STUDENT / ASSIGNMENT / "feedback").rglob("*.html")),
                             10, "the feedback in the student's folder")
        assert [path.name for path in feedback] == ["roles.html"], "one feedback file, for the one notebook"
        text = feedback[0].read_text()
        assert "Score: 13.0 / 13.0" in text
        hidden = _hidden_test_lines(course / "solutions" / ASSIGNMENT / "roles.ipynb")
        assert hidden and "BEGIN HIDDEN TESTS" not in text and not [line for line in hidden if line in text]
    finally:
        for name in instructor_env:
            os.environ.pop(name, None)


def _hidden_test_lines(instructor_notebook) -> set[str]:
    """The substantial lines only the instructor's hidden tests hold (what no feedback may show)."""
    sources = ["".join(cell.source) for cell in nbformat.read(str(instructor_notebook), as_version=4).cells]
    visible = {line.strip() for source in sources for line in HIDDEN.sub("", source).splitlines()}
    return {line.strip() for source in sources for region in HIDDEN.findall(source) for line in region.splitlines()
            if len(line.strip()) >= 24} - visible


def test_the_hub_config_is_the_one_the_guide_shows():
    """The README's JupyterHub guide names the files this test runs."""
    readme = (REPO / "README.md").read_text()
    for path in ("deploy/jupyterhub/jupyterhub_config.py", "deploy/jupyterhub/student/nbgrader_config.py"):
        assert path in readme and (REPO / path).is_file()


# --- the live class view (issue 21) ----------------------------------------------------------------------------------

LIVE_LESSON = "03-the-third-pm"


class _Kernel:
    """A kernel in a user's server, driven through the hub's proxy as JupyterLab drives it (REST and websocket)."""

    def __init__(self, client: Hub, user: str, token: str):
        self.client, self.user, self.token = client, user, token
        self.id = client.call("POST", f"/user/{user}/api/kernels", {"name": "python3"}, token=token)["id"]

    def run(self, code: str, timeout: float = 90) -> str:
        """Execute ``code`` and return what it printed; a traceback fails the test."""
        # on a thread of its own: a test run before this one on the same worker may leave an event loop running on
        # this thread (Playwright's sync API does, for the whole session), where asyncio.run refuses to start
        with ThreadPoolExecutor(max_workers=1) as thread:
            return thread.submit(asyncio.run, self._run(code, timeout)).result()

    async def _run(self, code: str, timeout: float) -> str:
        from jupyter_client.session import Session
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.client.url.replace("http", "ws", 1) + f"/user/{self.user}/api/kernels/{self.id}/channels"
        connection = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}))
        message = Session().msg("execute_request", {"code": code, "silent": False, "store_history": False,
                                                    "user_expressions": {}, "allow_stdin": False,
                                                    "stop_on_error": True})
        message["channel"] = "shell"
        await connection.write_message(json.dumps(message, default=str))
        printed, failure = [], None
        try:
            while True:
                reply = json.loads(await asyncio.wait_for(connection.read_message(), timeout))
                if reply.get("parent_header", {}).get("msg_id") != message["header"]["msg_id"]:
                    continue
                if reply["msg_type"] == "stream":
                    printed.append(reply["content"]["text"])
                elif reply["msg_type"] == "error":
                    failure = "\n".join(reply["content"]["traceback"])
                elif reply["msg_type"] == "status" and reply["content"]["execution_state"] == "idle":
                    break
        finally:
            connection.close()
        assert failure is None, f"{self.user}'s kernel failed:\n{failure}"
        return "".join(printed)

    def json(self, code: str):
        """Run ``code``, whose last printed line is JSON, and return that value."""
        return json.loads(self.run(code).strip().splitlines()[-1])


STUDENT_SETUP = f"""
import json
from course.live import client as live
from course.widgets import QuizWidget, ScenarioPlayer
quiz = QuizWidget("{LIVE_LESSON}")
def answer(question, key):
    quiz.answer(question, key)
    live.flush(20)
    return live.sent()[-1] if live.sent() else None
print(json.dumps(bool(quiz.live)))
"""


def _start_server(client: Hub, user: str) -> str:
    client.call("POST", f"/hub/api/users/{user}/server")
    _wait_for(lambda: client.call("GET", f"/hub/api/users/{user}")["servers"].get("", {}).get("ready"), 120,
              f"{user}'s server")
    return client.call("POST", f"/hub/api/users/{user}/tokens", {"note": "the test drives JupyterLab"})["token"]


def test_a_live_session_shows_the_class_answers_to_the_instructor_only(hub, tmp_path, monkeypatch, capsys):
    """Two students answer lesson 03 in their own servers' kernels (the widgets' own code path, each kernel with its
    server's own hub token); the instructor opens the session, sees the counts with no names, exports the answers,
    closes it; nothing is sent before the session opens or after it closes; a student reading and an instructor
    posting get 403."""
    from course.live.client import LiveClient, LiveError
    from course.live.protocol import ACCESS_SCOPE, MANAGE_SCOPE, READ_SCOPE
    from course.live.view import LiveClassView

    client, root, course = hub
    kernels = {user: _Kernel(client, user, _start_server(client, user)) for user in (STUDENT, SECOND_STUDENT)}
    ada, kwame = kernels[STUDENT], kernels[SECOND_STUDENT]
    assert ada.json(STUDENT_SETUP) is True and kwame.json(STUDENT_SETUP) is True, "the quiz is not linked to lesson 03"

    # before any session: the widget shows no notice and sends nothing
    assert ada.json('print(json.dumps([answer("pgmp", "old"), quiz.live.notice.value]))') == [None, ""]

    # the instructor opens the session, with a token holding what the instructor's server token holds
    instructor_token = client.call("POST", "/hub/api/users/instructor/tokens",
                                   {"scopes": [ACCESS_SCOPE, READ_SCOPE, MANAGE_SCOPE], "note": "live"})["token"]
    service = f"{client.url}/services/pm-course-live/"
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", instructor_token)
    monkeypatch.setenv("PM_COURSE_LIVE_URL", service)
    assert main(["live", "start", "03"]) == 0
    assert "Opened live session" in capsys.readouterr().out
    assert (root / "live-sessions" / f"{LIVE_LESSON}.json").is_file()

    # the students answer; the first answer of each is kept beside the latest
    notice = _wait_for(lambda: ada.json("print(json.dumps(quiz.live.notice.value))"), 15, "the session notice")
    assert "Live session open" in notice and "never names" in notice
    assert ada.json('print(json.dumps(answer("define", "chain")["status"]))') == 200
    assert ada.json('print(json.dumps(answer("define", "together")["status"]))') == 200
    assert ada.json('print(json.dumps(answer("arises", "program")["status"]))') == 200
    assert kwame.json('print(json.dumps(answer("define", "size")["status"]))') == 200
    ada.run('player = ScenarioPlayer("program-forms")\nplayer.choose("map")\nplayer.choose("joint")\nlive.flush(20)')

    # the instructor's notebook view: counts per item and option, misconceptions, the funnel, and no names
    view = LiveClassView("03", client=LiveClient(service, instructor_token))
    items = {item["item"]: item for item in view.summary["items"]}
    define = {option["key"]: option for option in items["define"]["options"]}
    assert items["define"]["answered"] == 2 and items["arises"]["answered"] == 1
    assert (define["together"]["latest"], define["size"]["latest"], define["chain"]["latest"]) == (1, 1, 0)
    assert (define["chain"]["first"], define["size"]["first"], define["together"]["first"]) == (1, 1, 0)
    assert define["size"]["misconception"] == "any-big-work-is-a-program"
    assert items["pgmp"]["answered"] == 0, "an answer given before the session was sent"
    funnel = items["program-forms"]["funnel"]
    assert funnel[0]["reached"] == 1 and {c["choice"]: c["took"] for c in funnel[0]["choices"]}["map"] == 1
    assert "Check Q1</b>: 2 answered" in view.html and "any-big-work-is-a-program" in view.html
    assert not re.search(rf"\b({STUDENT}|{SECOND_STUDENT})\b", view.html + view.status_html), "a name is on screen"
    assert view.summary["students"] == 2

    # the export names the students (the instructor's record), through the spreadsheet-safe writer
    exported = tmp_path / "live.csv"
    assert main(["live", "export", "03", "--output", str(exported)]) == 0
    rows = exported.read_text().splitlines()
    assert rows[0].startswith("session,lesson,student,widget,item,label,answer,first_answer,right,misconception")
    assert any(row.startswith(f"1,{LIVE_LESSON},{STUDENT},{LIVE_LESSON},define,Check Q1,together,chain,yes,")
               for row in rows), rows

    # only instructors read, only students post
    status = ada.json("""
try:
    live.LiveClient.from_environment().summary(1)
    print(json.dumps(200))
except live.LiveError as error:
    print(json.dumps(error.status))
""")
    assert status == 403, "a student read the instructor's view"
    with pytest.raises(LiveError) as refused:
        LiveClient(service, instructor_token).post_answer(1, LIVE_LESSON, "define", "chain")
    assert refused.value.status == 403, "an instructor posted an answer as a student"
    with pytest.raises(LiveError) as refused:
        LiveClient(service, "not-a-token").sessions()
    assert refused.value.status == 403

    # the instructor closes the session: the notice goes and nothing more is sent
    assert main(["live", "stop", "03"]) == 0
    assert not (root / "live-sessions" / f"{LIVE_LESSON}.json").exists()
    sent_before = kwame.json("print(json.dumps(len(live.sent())))")
    assert kwame.json('answer("pgmp", "announced")\nprint(json.dumps([len(live.sent()), quiz.live.notice.value]))') \
        == [sent_before, ""], "an answer was sent after the session closed"
    view.refresh()
    assert {item["item"]: item for item in view.summary["items"]}["pgmp"]["answered"] == 0
    assert "closed" in view.status_html

    # the answers live in the course's gradebook, beside nbgrader's own tables
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        tables = set(sqlalchemy.inspect(gradebook.db.get_bind()).get_table_names())
    assert {"pm_course_live_sessions", "pm_course_live_answers", "assignment", "student"} <= tables
