"""The learner's JupyterLab, in Chromium: a learner's tools only, and review links that stay in the same tab."""
from __future__ import annotations

import time

import pytest

from course.exercises.quiz import load_quiz

from .conftest import learner_lab_serving, open_notebook, run_all_cells, screenshot, wait_for_idle_kernel

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def learner_lab(tmp_path_factory):
    """'pm-course start --no-browser' on a free port, serving a fresh workspace (no exchange: a learner alone)."""
    with learner_lab_serving(tmp_path_factory.mktemp("learner-lab")) as served:
        yield served


def test_the_learners_jupyterlab_has_no_instructor_tools(learner_lab, page):
    """In an assignment: no Nbgrader menu, no Formgrader or Create Assignment anywhere (menus, sidebars, command
    palette), no 'Error fetching courses!'; and Validate is there and answers."""
    base, _ = learner_lab
    open_notebook(page, base, "exercises/a1-roles/roles.ipynb")
    menus = [label.strip() for label in page.locator(".lm-MenuBar-itemLabel").all_inner_texts()]
    assert "Nbgrader" not in menus and "Run" in menus, menus
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette")
    palette.wait_for()
    for tool in ("Formgrader", "Create Assignment", "Course List", "Assignment List"):
        page.locator(".lm-CommandPalette-input").fill(tool)
        assert not palette.locator(".lm-CommandPalette-item", has_text=tool).count(), f"{tool} is an instructor tool"
    page.keyboard.press("Escape")
    body = page.locator("body").inner_text()
    assert "Error fetching courses" not in body and "Formgrader" not in body and "Create Assignment" not in body
    screenshot(page, "learner-lab-01-assignment-without-instructor-tools")
    page.get_by_role("button", name="Validate", exact=True).first.click()
    dialog = page.locator(".jp-Dialog")
    dialog.wait_for(timeout=120_000)
    dialog.get_by_text("Validation Results").or_(dialog.get_by_text("failed", exact=False)).first.wait_for(
        timeout=120_000)
    screenshot(page, "learner-lab-02-validate")
    assert "Traceback" not in dialog.inner_text() or "NotImplementedError" in dialog.inner_text()
    page.keyboard.press("Escape")


def test_a_review_link_opens_its_lesson_at_the_section_in_the_same_tab(learner_lab, page):
    """Answer a warm-up item of lesson 03 wrong, click 'Review lesson 01 ...': does lesson 01 open in this JupyterLab
    (no new browser tab, no reload), scrolled to that section?"""
    base, _ = learner_lab
    question = load_quiz("03-the-third-pm-warmup").questions[0]
    assert question.see.lesson != "03-the-third-pm", "the item reviews an earlier lesson"
    wrong = next(option for option in question.options if not option.correct)
    open_notebook(page, base, "lessons/03-the-third-pm.ipynb")
    run_all_cells(page)
    block = page.locator(".widget-vbox", has=page.locator(".widget-radio-box"), has_text=question.prompt[:60]).last
    block.wait_for(timeout=120_000)
    block.scroll_into_view_if_needed()
    block.get_by_text(wrong.text, exact=True).click()
    block.get_by_role("button", name="Check", exact=True).click()
    link = block.get_by_role("link", name=f"lesson {question.see.lesson}, section “{question.see.section}”")
    link.wait_for()
    page.evaluate("window.pmCourseSameDocument = true")  # gone if the link loads a new page
    pages_before = len(page.context.pages)
    link.click()
    heading = page.locator(f"h2[data-jupyter-id='{question.see.anchor}']")
    heading.wait_for(timeout=60_000)
    try:
        page.wait_for_function(
            """(id) => { const h = document.querySelector(`h2[data-jupyter-id="${CSS.escape(id)}"]`);
                         const panel = h && h.closest('.jp-NotebookPanel');
                         if (!panel || panel.classList.contains('lm-mod-hidden')) return false;
                         const r = h.getBoundingClientRect(), p = panel.getBoundingClientRect();
                         return r.top >= p.top && r.bottom <= p.bottom; }""", arg=question.see.anchor)
    finally:
        screenshot(page, "learner-lab-03-review-link-landed")
    assert len(page.context.pages) == pages_before, "no new browser tab"
    assert page.evaluate("window.pmCourseSameDocument === true"), "no reload: the same JupyterLab"
    active_tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current").first.inner_text()
    assert f"{question.see.lesson}.ipynb" in active_tab


def test_run_all_in_an_untouched_assignment_reaches_the_end_showing_every_failure(learner_lab, page):
    """Run All on a1-roles as released, nothing answered: does every cell run (the role sorter, after four failing
    tests, appears), does each failing visible test show its error, and does no cell print a docstring or a grader's
    rubric?"""
    base, _ = learner_lab
    open_notebook(page, base, "exercises/a1-roles/roles.ipynb")
    run_all_cells(page)
    page.wait_for_function(
        """() => { const prompts = [...document.querySelectorAll(
                       '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
                   return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }""",
        timeout=180_000)
    wait_for_idle_kernel(page)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    sorter = panel.locator(".widget-dropdown select").first  # the role sorter, the part after the failing tests
    sorter.wait_for(timeout=60_000)
    sorter.scroll_into_view_if_needed()
    screenshot(page, "learner-lab-04-assignment-run-all")
    errors = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    # unanswered code is called by two try-it cells and four visible tests (responsible_role's form, 'what and
    # market' and bad input; classify's form): six errors, each shown, and Run All went on past every one
    assert errors.count() == 6, "each failing visible test shows its error, and Run All went on past them"
    assert "NotImplementedError" in errors.first.text_content()
    outputs = " ".join(panel.locator(".jp-OutputArea").all_text_contents())
    assert "'Check" not in outputs and '"Check' not in outputs, "no test prints its docstring"
    shown = panel.text_content()
    assert "rubric =" not in shown and "Rubric (" not in shown, "nothing meant for graders is visible"


WIDGET_CELLS = ['from course.widgets import *\nTradeoffSimulator()', 'QuizWidget("00-start-here")',
                'RoleSorterWidget()', 'ProgramMapper()', 'CompanySizeExplorer()', 'RaciBuilder("sales-promise")',
                'ScenarioPlayer("sales-promise")']


def test_every_widget_kind_shows_the_result_of_an_interaction(learner_lab, page):
    """One notebook with every kind of widget: does each show the result of one interaction (a key on a slider, a
    Check, a choice in a dropdown, a decision) within a few seconds?"""
    import nbformat

    base, workspace = learner_lab
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in WIDGET_CELLS]
    (workspace / "widget-check").mkdir()
    nbformat.write(notebook, str(workspace / "widget-check" / "widgets.ipynb"))
    open_notebook(page, base, "widget-check/widgets.ipynb")
    run_all_cells(page)
    outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-Cell-outputArea")
    outputs.nth(len(WIDGET_CELLS) - 1).locator(".pm-scenario").wait_for(timeout=120_000)
    wait_for_idle_kernel(page)
    shown = 10_000  # ms: generous for a loaded CI machine; benchmarks/learner_speed.py measures the real figures

    simulator = outputs.nth(0)
    simulator.get_by_role("slider", name="Features in scope").focus()
    page.keyboard.press("ArrowRight")
    simulator.locator("svg text", has_text="yours: 11").wait_for(timeout=shown)
    answers = workspace / "widget-check" / "pm-course-answers.json"
    deadline = time.monotonic() + 10
    while '"features": 11' not in (answers.read_text() if answers.is_file() else "") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert '"features": 11' in answers.read_text(), "the simulator keeps its settings once the move pauses"

    check = outputs.nth(1).locator("button[title='Check your answer to question 1']")
    block = check.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    block.locator("input").first.check()
    check.click()
    block.get_by_text("Right.").or_(block.get_by_text("Not yet.")).first.wait_for(timeout=shown)

    sorter = outputs.nth(2)
    sorter.locator("select").first.select_option(label="Product manager")
    sorter.get_by_role("button", name="Check", exact=True).first.click()
    sorter.get_by_text("Right.").or_(sorter.get_by_text("Not yet.")).first.wait_for(timeout=shown)

    grid = outputs.nth(5)
    cells = grid.locator("select:not([disabled])")
    for number in range(cells.count()):  # a row is judged once every role has a letter
        cells.nth(number).select_option(label="C")
    grid.get_by_role("button", name="Check", exact=True).first.click()
    grid.get_by_text("Right.").or_(grid.get_by_text("Not yet.")).first.wait_for(timeout=shown)

    mapper = outputs.nth(3)
    picture = mapper.locator("img").first.get_attribute("src")
    mapper.locator("select").first.select_option(label="Program A")
    page.wait_for_function("([cell, before]) => { const img = document.querySelectorAll("
                           "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-Cell-outputArea')[cell]"
                           ".querySelector('img'); return img && img.src !== before; }", arg=[3, picture],
                           timeout=shown)

    explorer = outputs.nth(4)
    explorer.locator("select").first.select_option(label="one person holds every role there is")
    explorer.get_by_role("button", name="Check", exact=True).first.click()  # judged on Check, like every widget
    explorer.get_by_text("Right.").or_(explorer.get_by_text("Not yet.")).first.wait_for(timeout=shown)

    player = outputs.nth(6).locator(".pm-scenario")
    first_choice = player.locator("button.pm-scenario-choice").first
    label = first_choice.inner_text().strip()
    first_choice.click()
    player.locator(".pm-scenario-consequence", has_text=label).wait_for(timeout=shown)
    screenshot(page, "learner-lab-05-every-widget-kind")
