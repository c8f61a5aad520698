"""JupyterHub for a pm-course class: one Jupyter server per student, nbgrader's exchange to hand work in and out.

Run it from this folder (``jupyterhub -f jupyterhub_config.py``); every setting that differs between a class and
a test comes from the environment:

PM_COURSE_HUB_ROOT      folder for the hub's database, the users' home folders and the exchange
                        (default /srv/pm-course)
PM_COURSE_HUB_IP / _PORT     where students connect (default 127.0.0.1:8000; put HTTPS in front for a real class)
PM_COURSE_INSTRUCTORS   comma-separated user names with admin rights (default: instructor)
PM_COURSE_STUDENTS      comma-separated user names allowed to log in (default: none besides the instructors)
PM_COURSE_HUB_PASSWORD  the shared password of the test authenticator (only for a trial or a test: see below)
PM_COURSE_ADMIN_TOKEN   optional API token of a "course-admin" service (scripts that start servers and make tokens)
PM_COURSE_DB_URL        the course's gradebook database, as nbgrader's CourseDirectory.db_url or pm-course grade --db
                        (default sqlite:///ROOT/course/gradebook.db); the live class view keeps its tables there
PM_COURSE_LIVE_PORT     loopback port of the live class view service (default 8002)

The live class view (course.live) is a JupyterHub-managed service, "pm-course-live". While an instructor's session
for a lesson is open, the students' quiz, role-sorter and scenario widgets of that lesson also send each answer to it
with the server's own hub token. Who may do what is set below with roles and custom scopes: the group
pm-course-students may send answers, the group pm-course-instructors may open and close sessions and read the
answers; anyone else gets 403. Every server learns where the service is, and in which folder the service marks open
sessions, from PM_COURSE_LIVE_URL and PM_COURSE_LIVE_SIGNAL (a spawner that runs servers elsewhere must reach
LIVE_URL and mount that folder read-only, as it mounts the exchange).

This file uses JupyterHub's DummyAuthenticator and SimpleLocalProcessSpawner, which are meant for trials and tests:
every server runs as the same system user, in its own home folder. For a real class, replace them with your
site's authenticator (PAM, OAuth, LTI) and a spawner that runs each student as their own user (LocalProcessSpawner,
DockerSpawner, KubeSpawner); the nbgrader part below stays the same.
"""
import os
import sys
from pathlib import Path

from course.live.protocol import ACCESS_SCOPE, ANSWER_SCOPE, MANAGE_SCOPE, READ_SCOPE, SERVICE_NAME

c = get_config()  # noqa: F821 (provided by JupyterHub when it loads this file)

HERE = Path(__file__).resolve().parent
ROOT = Path(os.environ.get("PM_COURSE_HUB_ROOT", "/srv/pm-course"))
EXCHANGE = ROOT / "exchange"
for folder in (ROOT / "home", EXCHANGE):
    folder.mkdir(parents=True, exist_ok=True)
EXCHANGE.chmod(0o777)  # nbgrader's exchange must be writable by every student's server


def names(variable: str, default: str = "") -> set[str]:
    return {name.strip() for name in os.environ.get(variable, default).split(",") if name.strip()}


instructors = names("PM_COURSE_INSTRUCTORS", "instructor")
students = names("PM_COURSE_STUDENTS")

c.JupyterHub.ip = os.environ.get("PM_COURSE_HUB_IP", "127.0.0.1")
c.JupyterHub.port = int(os.environ.get("PM_COURSE_HUB_PORT", "8000"))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("PM_COURSE_HUB_INTERNAL_PORT", "8081"))
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('PM_COURSE_PROXY_API_PORT', '8001')}"
c.JupyterHub.db_url = f"sqlite:///{ROOT / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(ROOT / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(ROOT / "jupyterhub-proxy.pid")

# --- who may log in (a trial or a test; see the docstring for a real class) ---
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = os.environ.get("PM_COURSE_HUB_PASSWORD", "")
c.Authenticator.allowed_users = students | instructors
c.Authenticator.admin_users = instructors

# --- one server per user, in its own home folder ---
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(ROOT / "home" / "{username}")
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []
c.Spawner.http_timeout = 60
c.Spawner.start_timeout = 120


def jupyter_config_path(spawner) -> str:
    """student/ for every server (nbgrader_config.py: the course id, the exchange, the student id from the hub user
    name); before it, for students only, student/learner/, which switches off nbgrader's instructor tools
    (Formgrader, Create Assignment, the course list). An instructor's server keeps them, to grade in formgrader."""
    folders = [HERE / "student"]
    if spawner.user.name not in instructors:
        folders.insert(0, HERE / "student" / "learner")
    return os.pathsep.join(str(folder) for folder in folders)


c.Spawner.environment = {
    "JUPYTER_CONFIG_PATH": jupyter_config_path,  # the hub calls it with each user's spawner
    "PM_COURSE_EXCHANGE": str(EXCHANGE),
    # every student's graded items are drawn from their hub user name: the course's nbgrader_config.py then marks
    # each student on that draw, whatever seed their answer file records (set it wherever the instructor grades)
    "PM_COURSE_DRAW_FROM_STUDENT_ID": "1",
}

# --- the live class view: a managed service, roles and scopes for the course's students and instructors ---
LIVE_URL = f"http://127.0.0.1:{os.environ.get('PM_COURSE_LIVE_PORT', '8002')}"
LIVE_SESSIONS = ROOT / "live-sessions"  # the service writes <lesson>.json here while a session is open
LIVE_SESSIONS.mkdir(parents=True, exist_ok=True)
LIVE_SESSIONS.chmod(0o755)  # servers read it; only the service writes
GRADEBOOK = os.environ.get("PM_COURSE_DB_URL", f"sqlite:///{ROOT / 'course' / 'gradebook.db'}")
c.JupyterHub.load_groups = {"pm-course-students": {"users": sorted(students)},
                            "pm-course-instructors": {"users": sorted(instructors)}}
c.JupyterHub.custom_scopes = {
    ANSWER_SCOPE: {"description": "Send your own answers to a live class session of pm-course."},
    READ_SCOPE: {"description": "See the answers given in pm-course's live class sessions."},
    MANAGE_SCOPE: {"description": "Open and close pm-course's live class sessions."},
}
services = [{
    "name": SERVICE_NAME, "url": LIVE_URL, "command": [sys.executable, "-m", "course.live.service"],
    "environment": {"PM_COURSE_DB_URL": GRADEBOOK, "PM_COURSE_LIVE_SIGNAL": str(LIVE_SESSIONS),
                    "PM_COURSE_ID": "pm-course"},
    "display": False, "oauth_no_confirm": True, "oauth_client_allowed_scopes": [READ_SCOPE, MANAGE_SCOPE],
}]
roles = [
    {"name": "pm-course-live-student", "groups": ["pm-course-students"], "scopes": [ACCESS_SCOPE, ANSWER_SCOPE]},
    {"name": "pm-course-live-instructor", "groups": ["pm-course-instructors"],
     "scopes": [ACCESS_SCOPE, READ_SCOPE, MANAGE_SCOPE]},
]
# Each server's own token (JUPYTERHUB_API_TOKEN, which its kernels inherit) gets the live scopes its user holds:
# a student's token may answer, an instructor's may read and manage; the hub drops those a user does not hold.
c.Spawner.server_token_scopes = ["users:activity!user", "access:servers!server", ACCESS_SCOPE, ANSWER_SCOPE,
                                 READ_SCOPE, MANAGE_SCOPE]
c.Spawner.environment.update({"PM_COURSE_LIVE_URL": f"{LIVE_URL}/services/{SERVICE_NAME}/",
                              "PM_COURSE_LIVE_SIGNAL": str(LIVE_SESSIONS)})

# --- an API token for course scripts (starting servers, making tokens), only if one is given ---
if os.environ.get("PM_COURSE_ADMIN_TOKEN"):
    services.append({"name": "course-admin", "api_token": os.environ["PM_COURSE_ADMIN_TOKEN"]})
    roles.append({
        "name": "course-admin", "services": ["course-admin"],
        "scopes": ["admin:users", "admin:servers", "tokens", "access:servers", "list:users", "read:users"],
    })
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
