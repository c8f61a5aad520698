"""Grading untrusted work fails closed: without a working bubblewrap sandbox, ``pm-course grade`` runs no student code
unless the instructor says ``--no-isolation``, and says in one line how to install bubblewrap."""
from __future__ import annotations

import nbformat
import pytest

from course.cli import main
from course.grading.kernels import sandbox
from tests.support.simulate import fill_solutions

pytestmark = pytest.mark.slow
ASSIGNMENT = "a1-roles"
# a submission that writes into the course folder, with the grader's rights when it runs unsandboxed
WRITES_OUTSIDE = "import pathlib\n(pathlib.Path.cwd().parents[2] / 'ran-with-your-rights').write_text('yes')"


def _submit(course):
    released = course / "exercises" / ASSIGNMENT / "roles.ipynb"
    notebook = fill_solutions(released, course / "solutions" / ASSIGNMENT / "roles.ipynb")
    notebook.cells.insert(1, nbformat.v4.new_code_cell(WRITES_OUTSIDE))
    folder = course / "submitted" / "mallory" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / "roles.ipynb"))


@pytest.mark.parametrize("host", ["no bwrap", "bwrap that cannot start"])
def test_without_a_sandbox_no_student_code_runs(generated, monkeypatch, capsys, host):
    _submit(generated)
    if host == "no bwrap":
        monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    else:
        monkeypatch.setattr(sandbox, "sandbox_problem", lambda: "the bubblewrap sandbox could not start: "
                                                                 "bwrap: setting up uid map: Permission denied")
    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--workers", "1", "--quiet"]) == 1
    message = capsys.readouterr().err.strip()
    assert len(message.splitlines()) == 1, message
    assert "apt-get install bubblewrap" in message and "--no-isolation" in message
    assert not (generated / "ran-with-your-rights").exists()
    assert not (generated / "autograded").exists(), "no student was graded"


def test_with_no_isolation_the_instructor_takes_the_risk(generated, monkeypatch):
    """The mutation check: told --no-isolation, the same submission runs, with the grader's rights."""
    _submit(generated)
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--workers", "1", "--quiet", "--no-isolation",
                 "--no-feedback"]) == 0
    assert (generated / "ran-with-your-rights").read_text() == "yes"
