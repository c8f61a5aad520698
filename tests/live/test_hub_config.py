"""The hub's config registers the live class service with roles and scopes that keep it to the course.

Read without starting a hub (the full run is tests/deploy/test_jupyterhub.py, which needs the proxy): the service is
managed by the hub, students may only answer and instructors may only read and manage, every server's token asks for
the live scopes (the hub keeps those its user holds), and every server learns where the service and the session
folder are.
"""
from __future__ import annotations

import runpy

from traitlets.config import Config

from course.live.protocol import ACCESS_SCOPE, ANSWER_SCOPE, MANAGE_SCOPE, READ_SCOPE, SERVICE_NAME

from ..conftest import REPO


def _load(tmp_path, monkeypatch) -> Config:
    config = Config()
    monkeypatch.setenv("PM_COURSE_HUB_ROOT", str(tmp_path / "hub"))
    monkeypatch.setenv("PM_COURSE_STUDENTS", "ada,kwame")
    monkeypatch.setenv("PM_COURSE_INSTRUCTORS", "lin")
    monkeypatch.setenv("PM_COURSE_DB_URL", "postgresql+psycopg://course@db/pm")
    runpy.run_path(str(REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"), {"get_config": lambda: config})
    return config


def test_the_live_service_and_its_roles(tmp_path, monkeypatch):
    hub = _load(tmp_path, monkeypatch).JupyterHub
    (service,) = [s for s in hub.services if s["name"] == SERVICE_NAME]
    assert service["command"][1:] == ["-m", "course.live.service"]
    assert service["environment"]["PM_COURSE_DB_URL"] == "postgresql+psycopg://course@db/pm"
    assert set(hub.custom_scopes) == {ANSWER_SCOPE, READ_SCOPE, MANAGE_SCOPE}
    assert hub.load_groups == {"pm-course-students": {"users": ["ada", "kwame"]},
                               "pm-course-instructors": {"users": ["lin"]}}
    roles = {role["name"]: role for role in hub.load_roles}
    assert roles["pm-course-live-student"]["groups"] == ["pm-course-students"]
    assert set(roles["pm-course-live-student"]["scopes"]) == {ACCESS_SCOPE, ANSWER_SCOPE}
    assert set(roles["pm-course-live-instructor"]["scopes"]) == {ACCESS_SCOPE, READ_SCOPE, MANAGE_SCOPE}
    assert "course-admin" not in roles, "the admin service appears without its token"


def test_every_server_can_find_the_service_and_ask_for_the_live_scopes(tmp_path, monkeypatch):
    config = _load(tmp_path, monkeypatch)
    environment = config.Spawner.environment
    assert environment["PM_COURSE_LIVE_URL"].endswith(f"/services/{SERVICE_NAME}/")
    assert environment["PM_COURSE_LIVE_SIGNAL"] == str(tmp_path / "hub" / "live-sessions")
    assert (tmp_path / "hub" / "live-sessions").stat().st_mode & 0o777 == 0o755
    assert {ACCESS_SCOPE, ANSWER_SCOPE, READ_SCOPE, MANAGE_SCOPE, "users:activity!user"} <= \
        set(config.Spawner.server_token_scopes)


def test_students_get_the_learner_lab_and_instructors_keep_formgrader(tmp_path, monkeypatch):
    """Does a student's server hide nbgrader's instructor tools while an instructor's keeps them for grading?"""
    import json
    import os
    from types import SimpleNamespace

    environment = _load(tmp_path, monkeypatch).Spawner.environment
    path_for = environment["JUPYTER_CONFIG_PATH"]

    def folders(user: str) -> list[str]:
        return path_for(SimpleNamespace(user=SimpleNamespace(name=user))).split(os.pathsep)

    learner = REPO / "deploy" / "jupyterhub" / "student" / "learner"
    assert folders("ada")[0] == str(learner) and folders("ada")[1:] == folders("lin")
    assert str(learner) not in folders("lin")
    extensions = json.loads((learner / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert extensions["nbgrader.server_extensions.formgrader"] is False
    disabled = json.loads((learner / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert "@jupyter/nbgrader:formgrader" in disabled
