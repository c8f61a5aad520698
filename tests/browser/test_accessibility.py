"""Accessibility in Chromium: an axe-core audit of every lesson after Run All, and the widgets used by keyboard alone.

axe-core comes from npm (``npm install -g axe-core@4``, as .ci/run does) and is injected into JupyterLab's page by
Playwright. The audit covers what the course puts on the page: every rendered Markdown cell and every cell output
(widgets, tables, plots). JupyterLab's own interface (its code editors, toolbars and cell list) is outside the course's
reach; its findings are printed, not asserted. The notebook is drawn whole (JupyterLab's windowing off), so cells
below the fold are audited too.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from ..conftest import IN_CI, LESSONS
from .conftest import TOKEN, learner_lab_serving, run_all_cells, screenshot, wait_for_idle_kernel

pytestmark = [pytest.mark.slow, pytest.mark.browser]
BLOCKING = ("serious", "critical")
ALL_RUN = """() => { const prompts = [...document.querySelectorAll(
                 '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea-prompt')];
             return prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent)); }"""
AUDIT = """async (scope) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const course = [...panel.querySelectorAll('.jp-Cell-outputArea, .jp-MarkdownOutput')];
    const result = await axe.run(scope === 'course' ? {include: course} : {include: [panel], exclude: course},
                                 {resultTypes: ['violations']});
    return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.map(n => n.html.slice(0, 200))}));
}"""


def axe_core() -> Path:
    """axe.min.js from $AXE_CORE, the global npm folder, or node_modules here; a skip (a failure under CI) if none."""
    candidates = [os.environ.get("AXE_CORE", "")]
    if shutil.which("npm"):
        root = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True).stdout.strip()
        candidates.append(os.path.join(root, "axe-core", "axe.min.js"))
    candidates.append(str(Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"))
    found = next((Path(path) for path in candidates if path and Path(path).is_file()), None)
    if found is None:
        message = "axe-core is not installed: npm install -g axe-core@4 (the accessibility audit injects it)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """'pm-course start' on a fresh workspace, with JupyterLab drawing whole notebooks (no windowing) and its
    application object on window (``jupyterapp``), so that one page opens every lesson through JupyterLab's own
    commands instead of loading the whole application again for each."""
    tmp_path = tmp_path_factory.mktemp("accessibility")
    settings = tmp_path / "jupyter" / "jupyterlab_settings_dir" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    with learner_lab_serving(tmp_path, "--LabApp.expose_app_in_browser=True") as (base, _):
        yield base


def open_and_run(page, base: str, lesson: str) -> None:
    page.goto(f"{base}/lab/workspaces/a11y-{lesson}/tree/lessons/{lesson}.ipynb?token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    wait_for_idle_kernel(page)
    run_all_cells(page)
    page.wait_for_function(ALL_RUN, timeout=180_000)
    wait_for_idle_kernel(page)
    page.wait_for_timeout(1500)  # widgets finish drawing after the kernel is idle


FAILED_CELL = (".jp-NotebookPanel:not(.lm-mod-hidden) "
               ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
OPEN = """async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }"""
CLOSE = """async () => { const panel = window.jupyterapp.shell.currentWidget;
                      await panel.sessionContext.shutdown(); panel.dispose(); }"""


@pytest.fixture(scope="module")
def audited_page(lab, browser):
    """One JupyterLab page for every lesson's audit, with axe-core injected once."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{lab}/lab/workspaces/a11y-lessons/tree/lessons/00-start-here.ipynb?token={TOKEN}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=120_000)
    page.wait_for_function("() => window.jupyterapp !== undefined")
    page.evaluate(CLOSE)
    page.add_script_tag(path=str(axe_core()))
    yield page
    context.close()


def run_in_the_same_page(page, lesson: str) -> None:
    """Open the lesson with JupyterLab's command, Run All, and wait until every cell ran and the kernel is idle."""
    page.evaluate(OPEN, f"lessons/{lesson}.ipynb")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=120_000)
    wait_for_idle_kernel(page)
    page.evaluate("async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    # a cell that fails stops Run All: say so at once rather than wait for prompts that never come
    page.wait_for_function(f"() => ({ALL_RUN})() || document.querySelector({FAILED_CELL!r}) !== null",
                           timeout=180_000)
    failed = page.locator(FAILED_CELL)
    assert failed.count() == 0, f"a cell of {lesson} failed: {failed.first.inner_text()[:500]}"
    wait_for_idle_kernel(page)
    page.wait_for_timeout(800)  # widgets finish drawing after the kernel is idle


@pytest.mark.parametrize("lesson", [path.stem for path in LESSONS])
def test_axe_finds_no_serious_or_critical_violation_after_run_all(audited_page, lesson):
    """After Run All, does axe-core find no serious or critical violation in what the lesson shows?"""
    page = audited_page
    try:
        run_in_the_same_page(page, lesson)
        found = page.evaluate(AUDIT, "course")
        if lesson == LESSONS[0].stem:  # JupyterLab's own interface is the same in every lesson: looked at once
            outside = page.evaluate(AUDIT, "jupyterlab")
            print("JupyterLab's own interface, not asserted: "
                  + (", ".join(f"{v['id']} ({v['impact']})" for v in outside) or "nothing"))
        blocking = [v for v in found if v["impact"] in BLOCKING]
        if blocking:
            screenshot(page, f"a11y-{lesson}")
    finally:
        page.evaluate(CLOSE)  # the next lesson opens in a page with no other notebook and no other kernel
    assert not blocking, "\n".join(f"{v['impact']} {v['id']}: {v['help']}; e.g. {v['nodes'][:2]}" for v in blocking)


def test_the_widgets_work_by_keyboard_alone_and_name_their_controls(lab, page):
    """In lesson 02: is the features slider found by its name and moved with the arrow keys (the curve's mark
    follows), its number box typed into; and is a quiz answered with Space on an option and on Check?"""
    open_and_run(page, lab, "02-features-vs-scope")
    simulator = page.locator(".pm-tradeoff")
    slider = simulator.get_by_role("slider", name="Features in scope")
    slider.focus()
    before = int(slider.get_attribute("aria-valuenow").split(".")[0])
    page.keyboard.press("ArrowRight")
    simulator.locator("svg text", has_text=f"yours: {before + 1}").wait_for(timeout=30_000)
    box = simulator.get_by_role("spinbutton", name="Deadline (weeks), typed")
    box.fill("24")
    box.press("Enter")
    simulator.get_by_text("for a deadline of 24 weeks", exact=False).first.wait_for(timeout=30_000)
    screenshot(page, "a11y-keyboard-simulator")
    check = page.locator("button[title='Check your answer to question 1']").first  # the warm-up's first question
    block = check.locator("xpath=ancestor::div[contains(@class, 'widget-vbox')][1]")
    block.scroll_into_view_if_needed()
    choice = block.locator("input[type=radio], input[type=checkbox]").first
    choice.focus()
    # Space chooses the focused radio option or ticks the focused checkbox (the arrow keys may be taken by
    # JupyterLab's own cell shortcuts, so the README promises Space)
    page.keyboard.press("Space")
    page.wait_for_function("(block) => block.querySelectorAll('input:checked').length === 1",
                           arg=block.element_handle())
    check.focus()
    page.keyboard.press("Space")
    block.get_by_text("Right.").or_(block.get_by_text("Not yet.")).first.wait_for(timeout=30_000)
    screenshot(page, "a11y-keyboard-quiz")
    # the options are a radio group (or a group of checkboxes) whose accessible name is the question's prompt, so a
    # screen reader says the question with its options
    prompt = block.locator(".pm-group-label").inner_text()
    assert prompt.startswith("1. ")
    role = "radiogroup" if choice.get_attribute("type") == "radio" else "group"
    block.get_by_role(role, name=prompt, exact=True).wait_for(timeout=30_000)
