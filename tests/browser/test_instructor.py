"""The instructor's formgrader in Chromium: the assignments are listed and a written answer can be scored."""
from __future__ import annotations

import shutil
import sys
import time

import nbformat
import pytest
from nbgrader.api import Gradebook

from course.grading.pipeline.gradebook import default_db_url
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from tests.support.simulate import fill_solutions

from ..conftest import ASSIGNMENTS, free_port
from .conftest import TOKEN, screenshot, serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def formgrader(generated_template, tmp_path):
    course = tmp_path / "course"
    shutil.copytree(generated_template, course)
    released = course / "exercises" / "a1-roles" / "roles.ipynb"
    folder = course / "submitted" / "writer" / "a1-roles"
    folder.mkdir(parents=True)
    nbformat.write(fill_solutions(released, course / "solutions" / "a1-roles" / "roles.ipynb"),
                   str(folder / "roles.ipynb"))
    run_nbgrader(course, "autograde", "a1-roles", "--force")
    port = free_port()
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--allow-root",
               f"--ServerApp.root_dir={course}"]
    with serving(command, port, tmp_path, "/formgrader", cwd=course) as base:
        yield base, course


def test_formgrader_lists_assignments_and_scores_a_written_answer(formgrader, page):
    """Does formgrader list every assignment, show the rubric, and save a score typed for the written answer?"""
    base, course = formgrader
    page.goto(f"{base}/formgrader?token={TOKEN}")
    for assignment in ASSIGNMENTS:
        page.get_by_text(assignment, exact=True).first.wait_for()
    screenshot(page, "instructor-01-formgrader-assignments")
    with Gradebook(default_db_url(course)) as gradebook:
        submission = gradebook.find_submission_notebook("roles", "a1-roles", "writer")
        submission_id = submission.id
    page.goto(f"{base}/formgrader/submissions/{submission_id}/?token={TOKEN}")
    page.get_by_text("Rubric (3 points)").first.wait_for()  # the grader sees the rubric beside the answer
    # the score box of the written answer is the one out of 3 points (the rubric's own cell is out of 0)
    index = page.evaluate("""() => [...document.querySelectorAll('input.score')]
        .findIndex(box => box.parentElement.textContent.includes('/ 3.0'))""")
    assert index >= 0, "no score box for the 3-point written answer"
    score = page.locator("input.score").nth(index)
    score.wait_for()
    score.fill("2")
    score.press("Tab")
    screenshot(page, "instructor-02-written-answer-scored")
    # formgrader saves the score with a request of its own after the box loses focus: wait for it (a loaded
    # machine can take seconds: a run beside another browser session, at a load average of 12, missed 30 s)
    deadline = time.monotonic() + 90
    while True:
        with Gradebook(default_db_url(course)) as gradebook:
            saved = gradebook.find_grade("subset_debate_answer", "roles", "a1-roles", "writer").manual_score
        if saved is not None or time.monotonic() > deadline:
            break
        page.wait_for_timeout(250)
    assert saved == 2
