"""A class graded once by plain ``nbgrader autograde``, shared by the tests that check nbgrader's own scores
(tests/grading/test_assignments.py and test_wrong_answers.py, kept on one xdist worker by their ``xdist_group``).

Each of those tests used to grade a few students of its own, one ``nbgrader autograde`` process (and its start-up)
per test; here every student of every kind is handed in first and graded by one process, which is what nbgrader
itself does for a class.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from course.grading.pipeline.nbgrader_runner import run_nbgrader
from tests.support.mistakes import apply_mistake, load_mistakes
from tests.support.simulate import fill_solutions

from ..conftest import ASSIGNMENTS, REPO

NBGRADER_CLASS = "nbgrader-class"  # the xdist group of the tests that share the class below
MISTAKES = load_mistakes(REPO)
A1 = "a1-roles"
CLICKER_WRONG = 1  # the role-sorter student answers the last of their four statements wrongly


def submit(course: Path, student: str, assignment: str, notebooks: dict[str, nbformat.NotebookNode]) -> Path:
    folder = course / "submitted" / student / assignment
    folder.mkdir(parents=True)
    for name, notebook in notebooks.items():
        nbformat.write(notebook, str(folder / name))
    return folder


def with_mistake(course: Path, name: str) -> nbformat.NotebookNode:
    """A perfect submission with one plausible mistake made in it."""
    mistake = MISTAKES[name]
    released = course / "exercises" / mistake.assignment / mistake.notebook
    instructor = course / "solutions" / mistake.assignment / mistake.notebook
    return apply_mistake(fill_solutions(released, instructor), mistake)


def _answer_with_the_role_sorter(course: Path, folder: Path) -> None:
    """Answer a1's role sorter by clicking, as the widget records it: all right but the last statement drawn."""
    from course.exercises.variants import pool_statements
    from course.widgets import RoleSorterWidget

    key = json.loads((course / "solutions" / A1 / "misconceptions.json").read_text())["a1-role-sorter"]
    sorter = RoleSorterWidget("a1-role-sorter", pool_statements("a1-role-sorter", folder), folder=folder)
    for number, statement in enumerate(sorter.statements):  # the four drawn for this student
        right = key[statement]["correct"]
        wrong = number >= len(sorter.statements) - CLICKER_WRONG
        sorter.choose(statement, next(iter(key[statement]["misconceptions"])) if wrong else right)


@pytest.fixture(scope="session")
def nbgrader_class(generated_template, tmp_path_factory) -> Path:
    """The course with, for every assignment, a ``perfect`` and an ``untouched`` student; for a1-roles a
    ``partial`` one (forgets program management), a ``writer`` (every solution cell, so the written answer waits)
    and a ``clicker`` (answers only with the role sorter); and one student per plausible mistake, named after it;
    all graded by one ``nbgrader autograde`` run."""
    root = tmp_path_factory.mktemp("nbgrader-class") / "course"
    shutil.copytree(generated_template, root)
    for assignment in ASSIGNMENTS:
        released = sorted((root / "exercises" / assignment).glob("*.ipynb"))
        submit(root, "perfect", assignment,
               {path.name: fill_solutions(path, root / "solutions" / assignment / path.name) for path in released})
        submit(root, "untouched", assignment, {path.name: nbformat.read(str(path), as_version=4) for path in released})
    released = root / "exercises" / A1 / "roles.ipynb"
    partial = fill_solutions(released, root / "solutions" / A1 / "roles.ipynb")
    for cell in partial.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "responsible_role":
            # forgets program management entirely: every delivery is a project manager's
            cell.source = cell.source.replace('return "program_manager"', 'return "project_manager"')
    submit(root, "partial", A1, {"roles.ipynb": partial})
    submit(root, "writer", A1, {"roles.ipynb": fill_solutions(released, root / "solutions" / A1 / "roles.ipynb")})
    clicker = submit(root, "clicker", A1, {"roles.ipynb": nbformat.read(str(released), as_version=4)})
    _answer_with_the_role_sorter(root, clicker)
    for name, mistake in MISTAKES.items():
        submit(root, name, mistake.assignment, {mistake.notebook: with_mistake(root, name)})
    # one nbgrader process for the whole class (its converters take a glob for the assignment, as for students)
    run_nbgrader(root, "autograde", "*", "--force")
    return root
