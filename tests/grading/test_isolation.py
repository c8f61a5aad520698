"""Can a hostile submission read the answers, harm the grader, or touch what it must not? (Kernels in bubblewrap.)"""
from __future__ import annotations

import hashlib
import shutil

import nbformat
import pandas as pd
import pytest

from course.cli import main
from course.grading.gradebook import default_db_url, item_scores
from course.grading.sandbox import sandbox_available
from course.grading.simulate import fill_solutions

from ..conftest import IN_CI

pytestmark = pytest.mark.slow
ASSIGNMENT = "a1-roles"

STEAL_THE_KEY = '''
def role_sorter_answers():
    """Reads the instructor's hidden key from the solution notebook on disk."""
    import ast, json, pathlib, re
    course = pathlib.Path.cwd().parents[2]
    notebook = json.loads((course / "solutions" / "a1-roles" / "roles.ipynb").read_text())
    for cell in notebook["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "role_sorter_roles":
            source = "".join(cell["source"])
            return ast.literal_eval(re.search(r"points_for_matches\\(sorted_roles, (\\{.*?\\}), points", source,
                                              re.S).group(1))
'''

VANDAL = '''
def role_sorter_answers():
    """Tries to wreck the gradebook, another student's work and the network, then the grader itself."""
    import os, pathlib, signal, socket
    course = pathlib.Path.cwd().parents[2]
    for target in (course / "gradebook.db", course / "submitted" / "honest" / "a1-roles" / "roles.ipynb"):
        try:
            target.write_text("vandalised")
        except OSError:
            pass
    try:
        socket.create_connection(("127.0.0.1", 22), timeout=1)
    except OSError:
        pass
    os.kill(os.getppid(), signal.SIGKILL)
    raise NotImplementedError()
'''


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def hostile_class(generated):
    if not sandbox_available():
        message = "bubblewrap is not installed: apt-get install -y bubblewrap (grading isolates kernels with bwrap)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    released = generated / "exercises" / ASSIGNMENT / "roles.ipynb"
    instructor = generated / "solutions" / ASSIGNMENT / "roles.ipynb"

    def submit(student, replacement=None):
        notebook = fill_solutions(released, instructor) if replacement is None else \
            nbformat.read(str(released), as_version=4)
        if replacement:
            for cell in notebook.cells:
                if cell.metadata.get("nbgrader", {}).get("grade_id") == "role_sorter_answers":
                    cell.source = replacement
        folder = generated / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / "roles.ipynb"))

    submit("honest")
    submit("thief", STEAL_THE_KEY)
    submit("vandal", VANDAL)
    return generated


def test_hostile_submissions_gain_nothing_and_harm_nothing(hostile_class):
    """A key thief and a vandal graded beside an honest student: no stolen points, nothing changed, all graded?"""
    course = hostile_class
    protected = [course / "solutions" / ASSIGNMENT / "roles.ipynb", course / "nbgrader_config.py",
                 course / "submitted" / "honest" / ASSIGNMENT / "roles.ipynb"]
    before = {path: digest(path) for path in protected}
    assert main(["grade", ASSIGNMENT, "--course", str(course), "--workers", "2", "--quiet"]) == 0
    assert {path: digest(path) for path in protected} == before
    db = default_db_url(course)
    assert item_scores(db, ASSIGNMENT, "honest")["role_sorter_roles"].auto_score == 4
    assert item_scores(db, ASSIGNMENT, "thief")["role_sorter_roles"].auto_score == 0, "the key must be unreadable"
    summary = pd.read_csv(course / "exports" / ASSIGNMENT / "summary.csv", keep_default_na=False).set_index("student")
    assert summary.at["honest", "status"] == "graded" and float(summary.at["honest", "score"]) == 10
    assert summary.at["vandal", "status"] in ("graded", "could not be graded")
    assert float(summary.at["vandal", "score"] or 0) == 0


def test_without_isolation_the_thief_would_succeed(hostile_class):
    """The same thief with --no-isolation steals the key: proof that the test above tests the sandbox."""
    shutil.rmtree(hostile_class / "submitted" / "vandal")  # unisolated, the vandal would wreck the gradebook
    assert main(["grade", ASSIGNMENT, "--course", str(hostile_class), "--workers", "1", "--quiet",
                 "--no-isolation", "--no-feedback"]) == 0
    assert item_scores(default_db_url(hostile_class), ASSIGNMENT, "thief")["role_sorter_roles"].auto_score == 4
