"""A learner's path in JupyterLab, in Chromium: first lesson, a widget, and an assignment graded as saved."""
from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest

from course.content.roles import ROLE_NAMES
from course.exercises.quiz import load_quiz
from course.exercises.variants import load_pool
from course.grading.pipeline.gradebook import default_db_url, item_scores
from course.grading.pipeline.nbgrader_runner import run_nbgrader

from ..conftest import REPO
from .conftest import learner_lab_serving, open_notebook, run_all_cells, screenshot, wait_for_idle_kernel

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def learner_server(tmp_path_factory):
    """'pm-course start --no-browser' on a free port, serving a workspace in a temp folder: one for this module's
    tests, which each work in a folder of their own (lessons/, exercises/a1-roles/, scenario-check/)."""
    with learner_lab_serving(tmp_path_factory.mktemp("learner")) as served:
        yield served


def test_first_lesson_quiz_teaches_before_it_tells_in_the_learners_order(learner_server, page):
    """Open lesson 00, run all cells, answer the first question wrong then right, finding options by their text:
    does Check give a first miss without the key, then confirm the right answer, in the order recorded as shown?"""
    base, workspace = learner_server
    question = load_quiz("00-start-here").questions[0]
    key = next(option for option in question.options if option.correct)
    wrong = next(option for option in question.options if not option.correct)
    open_notebook(page, base, "lessons/00-start-here.ipynb")
    screenshot(page, "learner-01-lesson-opened")
    run_all_cells(page)
    wait_for_idle_kernel(page)
    block = page.locator(".widget-vbox", has=page.locator(".widget-radio-box"), has_text=question.prompt[:60]).last
    block.wait_for(timeout=120_000)
    block.scroll_into_view_if_needed()
    block.get_by_text(wrong.text, exact=True).click()
    check = block.get_by_role("button", name="Check", exact=True)
    check.click()
    block.get_by_text("Not yet.").wait_for()
    block.get_by_text(wrong.explanation[:60]).wait_for()
    first_miss = block.inner_text()
    assert key.explanation[:60] not in first_miss, "a first miss never shows the key's reason"
    assert block.get_by_role("button", name="Show answer", exact=True).is_visible()
    screenshot(page, "learner-02-first-miss-explained")
    block.get_by_text(key.text, exact=True).click()
    for _ in range(len(question.options) + 1):  # Check is reached from the options with Tab, pressed with Enter
        page.keyboard.press("Tab")
        if check.evaluate("button => button === document.activeElement"):
            break
    assert check.evaluate("button => button === document.activeElement"), "Tab reaches the Check button"
    page.keyboard.press("Enter")
    block.get_by_text("Right.").wait_for()
    block.get_by_text(key.explanation[:60]).wait_for()
    screenshot(page, "learner-03-right-answer")
    displayed = [label.strip() for label in block.locator(".widget-radio-box label").all_inner_texts()]
    saved = json.loads((workspace / "lessons" / "pm-course-answers.json").read_text())
    assert saved["answers"]["00-start-here"][question.id] == key.key
    attempts = saved["attempts"]["00-start-here"][question.id]
    assert (attempts["first"], attempts["first_correct"], attempts["count"]) == (wrong.key, False, 2)
    recorded = saved["shown"]["00-start-here"]["options"][question.id]
    assert displayed == [question.option(option_key).text for option_key in recorded], "the order shown is recorded"


def test_assignment_answered_in_browser_is_graded_as_saved(learner_server, page, generated_template, tmp_path):
    """Answer one code question and one widget question in JupyterLab, save, autograde that file: exact points?"""
    base, workspace = learner_server
    open_notebook(page, base, "exercises/a1-roles/roles.ipynb")
    stub = page.locator(".jp-CodeCell", has_text="def responsible_role").first
    stub.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.type('def responsible_role(duration, reach, focus): return "project_manager"')
    page.keyboard.press("Shift+Enter")
    screenshot(page, "assignment-01-code-answered")
    # Run the widget question's two cells, as a learner would (Run All would also reach them: test cells are
    # tagged raises-exception, tests/browser/test_learner_lab.py).
    page.locator(".jp-CodeCell", has_text="def role_sorter_answers").first.locator(".cm-content").click()
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Shift+Enter")
    wait_for_idle_kernel(page)
    # the learner's four statements are drawn from a pool (course/exercises/variants.py): answer the first one shown,
    # right
    statements = {item.text: item.id for item in load_pool("a1-role-sorter").items}
    key = json.loads((REPO / "solutions" / "a1-roles" / "misconceptions.json").read_text())["a1-role-sorter"]
    row = page.locator(".widget-hbox", has=page.locator("select")).filter(
        has_text=re.compile("|".join(re.escape(text) for text in statements))).first
    row.wait_for(timeout=120_000)
    row.scroll_into_view_if_needed()
    shown = row.inner_text()
    statement = next(statement for text, statement in statements.items() if text in shown)
    row.locator("select").select_option(label=ROLE_NAMES[key[statement]["correct"]])
    page.locator(".widget-html", has_text="This one is marked when").first.wait_for()
    screenshot(page, "assignment-02-widget-answered")
    page.keyboard.press("Control+S")
    notebook = workspace / "exercises" / "a1-roles" / "roles.ipynb"
    deadline = time.monotonic() + 30
    while 'return \\"project_manager\\"' not in notebook.read_text() and time.monotonic() < deadline:
        time.sleep(0.5)
    course = tmp_path / "course"
    shutil.copytree(generated_template, course)
    shutil.copytree(notebook.parent, course / "submitted" / "browser-learner" / "a1-roles",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    run_nbgrader(course, "autograde", "a1-roles", "--force")
    scores = {name: item.auto_score for name, item in
              item_scores(default_db_url(course), "a1-roles", "browser-learner").items() if item.autograded}
    assert scores["responsible_role_form"] == 1, "the one-line answer passes the form test"
    assert scores["role_sorter_roles"] == 1, "one statement sorted right in the widget"
    assert sum(scores.values()) == 2, scores


SCENARIO_FIXTURE = Path(__file__).resolve().parents[1] / "files" / "scenarios" / "handover.json"
BEST_PATH_LABELS = ["Agree the release's goals with the product manager", "Ask for a ranking and plan the top eight",
                    "Close the project and hand the editor over", "Suggest the product manager scope a new project"]


def test_a_scenario_is_played_to_its_ending(learner_server, page):
    """Play a scenario in JupyterLab by its labelled buttons: consequences after each, then outcome, debrief, plot?"""
    import nbformat

    base, workspace = learner_server
    folder = workspace / "scenario-check"
    folder.mkdir()
    shutil.copy(SCENARIO_FIXTURE, folder / "handover.json")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell('from course.widgets import ScenarioPlayer\n'
                                                'ScenarioPlayer("handover.json")')]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, str(folder / "play.ipynb"))
    open_notebook(page, base, "scenario-check/play.ipynb")
    run_all_cells(page)
    player = page.locator(".pm-scenario")
    player.wait_for(timeout=120_000)
    player.get_by_text("Your role.").wait_for()
    assert player.locator("table.pm-scenario-state caption").inner_text().startswith("Where things stand")
    screenshot(page, "scenario-01-first-decision")
    for number, label in enumerate(BEST_PATH_LABELS, start=1):
        player.get_by_role("button", name=label, exact=True).click()
        player.locator(".pm-scenario-consequence", has_text=label).wait_for()
        if number == 1:
            assert "Team trust 5 → 6 of 10 (better)" in player.locator(".pm-scenario-consequence").inner_text()
            screenshot(page, "scenario-02-consequence")
    ending = player.locator(".pm-scenario-ending")
    ending.wait_for()
    assert "Outcome: Success" in ending.inner_text() and "Your path earned 12 of 12 points" in ending.inner_text()
    figure = player.locator("img[alt^='Line charts, one per state variable']")
    figure.wait_for()
    figure.scroll_into_view_if_needed()
    screenshot(page, "scenario-03-ending-and-plot")
    assert player.get_by_role("button", name="Play again").is_visible()
    answers = (folder / "pm-course-answers.json").read_text()
    assert '"ending": "success-end"' in answers and '"hand-over"' in answers
