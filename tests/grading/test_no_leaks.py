"""Can a student read a solution or a hidden test anywhere they are given files, or where their code runs?"""
from __future__ import annotations

import json
import re

import nbformat
import pytest

from course.grading.nbgrader_plugins import preprocessors
from course.grading.nbgrader_plugins.outside_checks import load_checks

from ..conftest import REPO, SOLUTION_NOTEBOOKS

SOLUTION = re.compile(r"### BEGIN SOLUTION(.*?)### END SOLUTION", re.S)
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS(.*?)### END HIDDEN TESTS", re.S)


def secret_lines() -> set[str]:
    """Every substantial line that only a solution region, a hidden test or a solution-only markdown cell holds."""
    lines: set[str] = set()
    public: set[str] = set()
    for path in SOLUTION_NOTEBOOKS:
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            meta = cell.get("metadata", {}).get("nbgrader", {})
            regions = SOLUTION.findall(source) + HIDDEN.findall(source)
            if cell["cell_type"] == "markdown" and meta.get("solution"):
                regions.append(source)
            for region in regions:
                lines |= {line.strip() for line in region.splitlines() if len(line.strip()) >= 24}
            if not (cell["cell_type"] == "markdown" and meta.get("solution")):
                visible = HIDDEN.sub("", SOLUTION.sub("", source))
                public |= {line.strip() for line in visible.splitlines()}
    return lines - public


def shipped_texts(root):
    for path in sorted(root.rglob("*")):
        if path.is_file():
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_there_are_secrets_to_look_for():
    """Does the check have something to find (so it cannot pass vacuously)?"""
    assert len(secret_lines()) >= 10


def test_exercises_hold_no_solution_and_no_hidden_test():
    """Is every solution line and hidden-test line absent from the student versions?"""
    secrets = secret_lines()
    for path, text in shipped_texts(REPO / "exercises"):
        leaked = [line for line in secrets if line in text]
        assert not leaked, f"{path} contains {leaked[:3]}"


def test_answer_keys_and_mistakes_are_never_released():
    """Are the instructor's misconception keys and plausible mistakes kept out of the student versions?"""
    assert not list((REPO / "exercises").rglob("misconceptions.json"))
    assert not list((REPO / "exercises").rglob("plausible_mistakes.json"))


@pytest.mark.parametrize("path", SOLUTION_NOTEBOOKS, ids=lambda path: path.parent.name)
def test_what_the_kernel_runs_holds_no_hidden_test(path, monkeypatch):
    """Issue 17, class 1: the cells a student's kernel runs when graded (the test cells as nbgrader restores them,
    then withheld) hold no hidden-test line and no rubric, so no code of the student's can read one; and every
    hidden part worth points has an outside check to decide it (else grading stops)."""
    monkeypatch.setattr(preprocessors, "_checks_for", lambda *_: load_checks(path.parent, path.name))
    cells = ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"]]
    visible = {line.strip() for source in cells for line in HIDDEN.sub("", source).splitlines()}
    hidden = {line.strip() for source in cells for region in HIDDEN.findall(source)
              for line in region.splitlines() if line.strip()} - visible
    notebook = nbformat.read(str(path), as_version=4)
    before = "\n".join(cell.source for cell in notebook.cells if preprocessors.is_test_cell(cell))
    assert hidden and all(line in before for line in hidden), "without the fix, the kernel ran all of them"
    notebook, _ = preprocessors.WithholdHiddenTests().preprocess(notebook, {})
    run = "\n".join(cell.source for cell in notebook.cells if preprocessors.is_test_cell(cell))
    assert not [line for line in hidden if line in run]
