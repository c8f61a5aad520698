"""The whole hostile set (tests/grading/hostile_submissions.py) graded in one run beside honest students.

The run must finish; every hostile submission scores no point it did not earn and gets feedback naming what went
wrong; honest students get their exact scores; nothing of the course, the key or the other submissions changes; and
nothing a notebook started is left running.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess

import nbformat
import pandas as pd
import pytest

from course.cli import main
from course.grading.gradebook import default_db_url, item_scores
from course.grading.simulate import fill_solutions
from course.variants import load_pool

from ..conftest import require_bubblewrap
from .hostile_submissions import FULL, HOSTILE, SLEEP_MARK, STATEMENT_KEY

pytestmark = pytest.mark.slow
ASSIGNMENT = "a1-roles"
HONEST = {"honest": FULL, "honest_partly_wrong": FULL - 2}


def digests(root):
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, generated_template):
    require_bubblewrap()
    course = tmp_path_factory.mktemp("hostile") / "course"
    shutil.copytree(generated_template, course)
    released = course / "exercises" / ASSIGNMENT / "roles.ipynb"
    instructor = course / "solutions" / ASSIGNMENT / "roles.ipynb"

    def submit(student, notebook, answers_file=None):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / "roles.ipynb"))
        if answers_file is not None:
            (folder / "pm-course-answers.json").write_text(answers_file)

    submit("honest", fill_solutions(released, instructor))
    partly = fill_solutions(released, instructor)
    for cell in partly.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "role_sorter_answers":
            cell.source = ("def role_sorter_answers():\n    return " +
                           repr(dict(STATEMENT_KEY, **{statement: "sales" for statement in  # two of its own four wrong
                                                     load_pool("a1-role-sorter").draw("user:honest_partly_wrong")[:2]})))
    submit("honest_partly_wrong", partly)
    for student, hostile in HOSTILE.items():
        notebook = fill_solutions(released, instructor) if hostile.start == "perfect" else \
            nbformat.read(str(released), as_version=4)
        hostile.change(notebook)
        submit(student, notebook, hostile.answers_file)
    (course / "submitted" / "not_a_notebook" / ASSIGNMENT / "roles.ipynb").write_text("this is not JSON {")

    protected = {name: digests(course / name) for name in ("solutions", "exercises", "submitted")}
    protected["config"] = digests(course)["nbgrader_config.py"]
    code = main(["grade", ASSIGNMENT, "--course", str(course), "--workers", "2", "--quiet",
                 "--cell-timeout", "10", "--notebook-timeout", "18"])
    return course, code, protected


def test_the_run_finishes_and_changes_nothing_it_must_not(graded_class):
    course, code, protected = graded_class
    assert code == 0
    after = {name: digests(course / name) for name in ("solutions", "exercises", "submitted")}
    after["config"] = digests(course)["nbgrader_config.py"]
    assert after == protected, "the course files, the key or a submission changed"
    assert not list((course / "autograded").rglob("outside_checks.py")), "the outside checks reached a student"
    left = subprocess.run(["pgrep", "-f", f"sleep {SLEEP_MARK}"], capture_output=True, text=True).stdout.split()
    assert not left, f"a process started by a notebook is still running: {left}"


def test_honest_students_get_their_exact_scores(graded_class):
    course = graded_class[0]
    summary = _summary(course)
    for student, score in HONEST.items():
        assert summary.at[student, "status"] == "graded"
        assert float(summary.at[student, "score"]) == score, student


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_submission_earns_nothing_unearned_and_is_told_why(graded_class, student):
    course = graded_class[0]
    hostile = HOSTILE[student]
    row = _summary(course).loc[student]
    if hostile.earned is None:
        assert row["status"] == "could not be graded" and row["notes"], "the reason must be listed"
        return
    assert row["status"] == "graded", row["notes"]
    assert float(row["score"]) == hostile.earned
    if hostile.feedback:
        feedback = (course / "feedback" / student / ASSIGNMENT / "roles.html").read_text()
        assert hostile.feedback in feedback
    if hostile.fools_nbgrader:
        verdicts = json.loads((course / "autograded" / student / ASSIGNMENT / "roles.outside-checks.json").read_text())
        fooled = [cell for cell, verdict in verdicts.items() if verdict["inside"] > verdict["outside"]]
        assert fooled, "this attack passes tests inside the kernel: the outside checks must be what stopped it"


def test_the_gradebook_holds_only_real_results(graded_class):
    course = graded_class[0]
    scores = item_scores(default_db_url(course), ASSIGNMENT, "honest")
    assert scores["role_sorter_roles"].auto_score == 4 and scores["classify_roles"].auto_score == 1
    assert item_scores(default_db_url(course), ASSIGNMENT, "thief")["role_sorter_roles"].auto_score == 0


def test_without_isolation_the_thief_would_succeed(generated):
    """The thief with --no-isolation finds the key: proof that the test above tests the sandbox."""
    released = generated / "exercises" / ASSIGNMENT / "roles.ipynb"
    notebook = fill_solutions(released, generated / "solutions" / ASSIGNMENT / "roles.ipynb")
    HOSTILE["thief"].change(notebook)
    folder = generated / "submitted" / "thief" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / "roles.ipynb"))
    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--workers", "1", "--quiet",
                 "--no-isolation", "--no-feedback"]) == 0
    assert item_scores(default_db_url(generated), ASSIGNMENT, "thief")["role_sorter_roles"].auto_score == 4


def _summary(course):
    return pd.read_csv(course / "exports" / ASSIGNMENT / "summary.csv", keep_default_na=False).set_index("student")
