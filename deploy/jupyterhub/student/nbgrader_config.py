"""nbgrader settings of every student's Jupyter server under the course's JupyterHub (deploy/jupyterhub).

The hub's jupyterhub_config.py puts this folder on JUPYTER_CONFIG_PATH. Fetch, submit and fetch feedback then go
through the exchange the hub names, for the course pm-course, as the hub user: with a spawner that runs everyone
as one system user, nbgrader would otherwise take that system user's name for every student.

For students only, the hub puts ``learner/`` before this folder, which makes the server a learner's:
``learner/labconfig/page_config.json`` hides nbgrader's instructor plugins (Formgrader, Create Assignment, the course
list) and ``learner/jupyter_server_config.json`` switches off their server extensions; the Assignments list (fetch,
submit, feedback) and Validate stay. An instructor's server keeps Formgrader for the written answers.
"""
import os

c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)

c.CourseDirectory.course_id = "pm-course"
if os.environ.get("PM_COURSE_EXCHANGE"):
    c.Exchange.root = os.environ["PM_COURSE_EXCHANGE"]
if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
