"""Attacks found by a second, independent review of issue 17, at the level of the part each one hit; each test checks
the fix and, as its mutation check, shows the attack working against what the fix replaced.

The same attacks run end to end in the hostile class (tests/grading/hostile_submissions.py, test_isolation.py):
script in output metadata and in a Markdown link, HTML that takes bleach quadratic time, a flood of output, forged
verdict files, a seed chosen to draw a neighbour's items, formulas in the report's tables.
"""
from __future__ import annotations

import io
import json
import os
import re
import runpy
import time
import zipfile
from pathlib import Path

import nbformat
import pytest
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

import course.grading.pipeline.collect as collect
from course.exercises.variants import load_pool
from course.grading.nbgrader_plugins.widget_judging import judge_pool, load_key
from course.grading.pipeline.collect import collect_from_exchange, import_submissions
from course.grading.pipeline.course_folder import CourseFolder

from ..conftest import REPO
from .test_isolation import active_payloads

ASSIGNMENT = "a1-roles"
MARKDOWN_LINK = "[read more](javascript:window.PWNED_MDLINK=1) and <javascript:PWNED_AUTOLINK>"
IMAGE_METADATA = {"image/png": {"width": "1 onerror=window.PWNED_WIDTH=1", "height": "2 onload=PWNED_HEIGHT"},
                  "image/jpeg": {"width": "3 onerror=PWNED_JPEG"}}


def _course_config() -> Config:
    return PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()


def _page(notebook, template: str, config: Config) -> str:
    """A notebook rendered as formgrader (template ``formgrade``) or the feedback (``feedback``) render it."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    config.HTMLExporter.template_name = template
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    # the stylesheet the feedback template includes, where nbgrader's GenerateFeedback points the exporter
    config.HTMLExporter.extra_template_paths = [str(Path(handlers.__file__).parent / "static" / "node_modules" /
                                                    "bootstrap" / "dist" / "css")]
    resources = {"assignment_id": ASSIGNMENT, "notebook_id": "roles", "submission_id": "x", "index": 0, "total": 1,
                 "base_url": "", "student": "eve", "last_name": None, "first_name": None, "notebook_path": "x",
                 "nbgrader": {"notebook": "roles", "score": 0, "max_score": 0, "late_penalty": 0}}
    page, _ = HTMLExporter(config=config).from_notebook_node(notebook, resources=resources)
    return page


def _hostile_notebook():
    """A written answer with a Markdown link to javascript:, and an image output whose size metadata is a handler."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(MARKDOWN_LINK),
        nbformat.v4.new_code_cell("display(image)", outputs=[
            nbformat.v4.new_output("display_data", data={"image/png": "iVBORw0KGgo", "image/jpeg": "x"},
                                   metadata=IMAGE_METADATA)]),
    ]
    return notebook


@pytest.mark.parametrize("template", ["formgrade", "feedback"])
def test_markdown_links_and_output_metadata_are_inert_where_student_html_is_rendered(template):
    page = _page(_hostile_notebook(), template, _course_config())
    assert active_payloads(page) == [], re.findall(r".{40}PWNED.{40}", page)
    # the mutation check: nbconvert's own sanitizing (bleach, as the course had it) leaves both live
    before = _course_config()
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    before.HTMLExporter.preprocessors = [SanitizeHTML]
    before.HTMLExporter.filters = {}
    found = active_payloads(_page(_hostile_notebook(), template, before))
    assert any("javascript:window.PWNED_MDLINK" in part for part in found), found
    assert any("onerror" in part and "PWNED_WIDTH" in part for part in found), found


@pytest.mark.slow
def test_student_html_is_cleaned_in_time_linear_in_its_size():
    """bleach (nbconvert's sanitizer) takes time quadratic in the elements: 20,000 unclosed tags take it seconds, a
    million hours. The course's sanitizer cleans 300,000 in less time than bleach needs for 20,000."""
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    from course.grading.nbgrader_plugins.safe_html import SafeHTML, clean_html

    def seconds(clean, text: str) -> float:
        start = time.perf_counter()
        clean(text)
        return time.perf_counter() - start

    ours = max(seconds(clean_html, "<b>" * 300_000), seconds(SafeHTML().sanitize_html_tags, "<div>" * 300_000))
    bleach = seconds(SanitizeHTML().sanitize_html_tags, "<b>" * 20_000)
    assert ours < bleach, f"the course's sanitizer took {ours:.2f} s for 300,000 tags, bleach {bleach:.2f} s for 20,000"


def test_a_students_cell_cannot_pass_for_the_probe():
    """The grader removes its probe cell, found by its mark, once the notebook has run; a student's cell carrying the
    mark (an AST transformer, say) was removed with it: unseen in formgrader and the feedback, never named."""
    from course.grading.nbgrader_plugins.preprocessors import PROBE_METADATA, AddProbeCell, JudgeOutsideKernel

    def graded(strip: bool) -> list[str]:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import ast  # tampering"),
                                                   nbformat.v4.new_code_cell("answer = 42")])
        notebook.cells[0].metadata[PROBE_METADATA] = True
        if strip:
            AddProbeCell().preprocess(notebook, {})
        JudgeOutsideKernel().preprocess(notebook, {})
        return [cell.source for cell in notebook.cells]

    assert graded(strip=True) == ["import ast  # tampering", "answer = 42"]
    assert graded(strip=False) == ["answer = 42"], "the mutation check: the mark kept, the cell is gone"


# ---- the draw of graded widgets: a seed the student chose ---------------------------------------------------------

def _chosen_seed(pool_id: str, neighbour: str) -> str:
    """A seed whose draw is the neighbour's items: what a student finds by trying seeds (a few hundred tries)."""
    pool = load_pool(pool_id)
    wanted = pool.draw(f"user:{neighbour}")
    return next(seed for seed in (f"random:{number:x}" for number in range(100_000)) if pool.draw(seed) == wanted)


def test_a_chosen_seed_picks_no_items_where_draws_come_from_student_ids():
    pool_id = "a1-role-sorter"
    key = load_key(REPO / "solutions" / ASSIGNMENT, pool_id)
    seed = _chosen_seed(pool_id, "neighbour")
    copied = {item: key[item]["correct"] for item in load_pool(pool_id).draw("user:neighbour")}
    handed_in = {"format": 1, "seed": seed, "answers": {pool_id: copied},
                 "pools": {pool_id: {"seed": seed, "items": load_pool(pool_id).draw(seed)}}}
    own = load_pool(pool_id).draw("user:copier")
    marked = judge_pool(pool_id, copied, key, "copier", handed_in, own_draw_only=True)
    assert marked.share == len(set(own) & set(copied)) / len(own) < 1
    assert "not the ones drawn for you" in marked.note
    # the mutation check: where the recorded seed is trusted, the neighbour's answers earn full marks
    assert judge_pool(pool_id, copied, key, "copier", handed_in).share == 1.0


def test_the_draw_setting_is_on_in_the_hub_and_off_elsewhere(tmp_path, monkeypatch):
    monkeypatch.delenv("PM_COURSE_DRAW_FROM_STUDENT_ID", raising=False)
    assert _course_config().JudgeOutsideKernel.draw_from_student_id is False
    monkeypatch.setenv("PM_COURSE_DRAW_FROM_STUDENT_ID", "1")
    assert _course_config().JudgeOutsideKernel.draw_from_student_id is True
    hub = Config()
    monkeypatch.setenv("PM_COURSE_HUB_ROOT", str(tmp_path / "hub"))
    runpy.run_path(str(REPO / "deploy" / "jupyterhub" / "jupyterhub_config.py"), {"get_config": lambda: hub})
    assert hub.Spawner.environment["PM_COURSE_DRAW_FROM_STUDENT_ID"] == "1", "every server, the instructor's too"
    for checks in sorted((REPO / "solutions").glob("*/outside_checks.py")):
        text = checks.read_text()
        assert text.count("judge_pool(") == text.count("own_draw_only=r.own_draw_only"), checks


# ---- LMS downloads and the exchange: handing in for another student -----------------------------------------------

def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_students_own_zip_hands_in_for_nobody_else(course_dir, tmp_path, monkeypatch):
    """A per-student zip whose members are named as Canvas and Moodle name theirs is that student's zip: it was
    taken for a whole download, and handed in for bob, for a Moodle participant and, as ``carl-3``, beside carl."""
    notebook = (REPO / "exercises" / ASSIGNMENT / "roles.ipynb").read_text()
    download = tmp_path / "download"
    download.mkdir()
    (download / "alice.zip").write_bytes(_zip({"roles.ipynb": notebook}))
    (download / "carl.zip").write_bytes(_zip({"roles.ipynb": notebook}))
    (download / "mallory.zip").write_bytes(_zip({
        "roles.ipynb": notebook, "bob_1_2_roles.ipynb": notebook.replace("Assignment 1", "MALLORY"),
        "carl_3_4_roles.ipynb": notebook.replace("Assignment 1", "MALLORY"),
        "Dora Diaz_7_assignsubmission_file_/roles.ipynb": notebook.replace("Assignment 1", "MALLORY")}))

    def imported(target: Path) -> list[str]:
        course = CourseFolder.at(target)
        return sorted(import_submissions(course, ASSIGNMENT, download).students)

    assert imported(course_dir) == ["alice", "carl", "mallory"]
    assert "MALLORY" not in (course_dir / "submitted" / "carl" / ASSIGNMENT / "roles.ipynb").read_text()
    # the mutation check: any zip at the top of the download taken for a whole download, as before
    monkeypatch.setattr(collect, "_may_hold_a_download", lambda entries, depth: depth == 0)
    other = tmp_path / "other"
    other.mkdir()
    (other / "nbgrader_config.py").write_bytes((course_dir / "nbgrader_config.py").read_bytes())
    os.symlink(course_dir / "solutions", other / "solutions")
    assert {"bob", "carl-3", "dora-diaz"} <= set(imported(other))


def test_an_exchange_folder_owned_by_another_student_is_not_used(course_dir, tmp_path, monkeypatch):
    """With a spawner that runs each student as their own user, mallory's account writes a later folder named for
    alice: alice is graded on her own work, and the folder is reported."""
    notebook = (REPO / "exercises" / ASSIGNMENT / "roles.ipynb").read_text()
    exchange = tmp_path / "exchange"
    monkeypatch.setenv("PM_COURSE_EXCHANGE", str(exchange))
    owners = {}
    for name, owner, text in (("alice+a1-roles+2024-03-02 09:00:00.000000 UTC+r1", "alice", notebook),
                              ("mallory+a1-roles+2024-03-02 09:00:00.000000 UTC+r2", "mallory", notebook),
                              ("alice+a1-roles+2024-03-02 09:05:00.000000 UTC+r3", "mallory", "{}")):
        folder = exchange / "pm-course" / "inbound" / name
        folder.mkdir(parents=True)
        (folder / "roles.ipynb").write_text(text)
        owners[name] = owner
    monkeypatch.setattr(collect, "_owner_of", lambda entry: owners.get(entry.name, ""))
    course = CourseFolder.at(course_dir)
    report = collect_from_exchange(course, ASSIGNMENT)
    assert (course.submitted("alice", ASSIGNMENT) / "roles.ipynb").read_text() == notebook
    assert any("belongs to mallory, another student" in stray for stray in report.strays)
    # the mutation check: ownership only noted, as before: the later folder, mallory's, counts for alice
    monkeypatch.setattr(collect, "_impersonates", lambda owner, student, students: False)
    collect_from_exchange(course, ASSIGNMENT)
    assert (course.submitted("alice", ASSIGNMENT) / "roles.ipynb").read_text() == "{}"


def test_the_graders_verdicts_never_travel_with_a_students_files(tmp_path):
    """nbgrader copies every file of autograded/ but the ignored ones into feedback/, and every file of submitted/
    into autograded/: the verdicts are ignored both ways."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.utils import find_all_files

    folder = tmp_path / "student"
    folder.mkdir()
    for name in ("roles.html", "roles.outside-checks.json", "zz.outside-checks.json", "pm-course-answers.json"):
        (folder / name).write_text(json.dumps({}))
    ignore = CourseDirectory(config=_course_config()).ignore
    copied = sorted(Path(path).name for path in find_all_files(str(folder), ignore + ["*.ipynb"]))
    assert copied == ["pm-course-answers.json", "roles.html"]
