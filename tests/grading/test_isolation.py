"""The whole hostile set (tests/grading/hostile_submissions.py) graded in one run beside honest students.

The run must finish; every hostile submission scores no point it did not earn and gets feedback naming what went
wrong; honest students get their exact scores; nothing of the course, the key or the other submissions changes;
nothing a notebook started is left running; and the attacks of issue 17 all fail: no expected value reaches the
kernel (class 1), nothing the probe saw reaches what students get back (class 2), the sandbox shows nothing it need
not (class 3), disk, IPC and processes end with each student (class 4), and no student HTML or escape sequence
reaches the instructor (class 6). The attacks of the second review run in the same class: no script in output
metadata or a Markdown link, formgrader's page and the feedback made in bounded time whatever the HTML, the output a
notebook returns capped, no forged or copied verdict file, too many cells refused, a chosen seed drawing nothing,
no formula in the report's tables.

The mutation check grades the same attacks with the grader as it was before issue 17 (its pipeline, its outside
checks, no sandbox; and without the second review's settings), where each of them works: proof that the run above
tests the fixes.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from course.cli import main
from course.exercises.variants import load_pool
from course.grading.kernels.sandbox import SLOT_BYTES
from course.grading.pipeline.gradebook import default_db_url, item_scores
from tests.support.simulate import fill_solutions

from ..conftest import REPO, require_bubblewrap
from .hostile_submissions import (
    FLOOD_MEGABYTES,
    FORGED_NOTE,
    FULL,
    HOSTILE,
    LEAK_MARK,
    REPORT_FORMULA,
    SECRET_VARIABLE,
    SLEEP_MARK,
    STATEMENT_KEY,
    TERMINAL_MARK,
    ZOMBIE_NAME,
    PlantedSecrets,
    aimed_at,
    host_threads_named,
    looks_around,
)

pytestmark = pytest.mark.slow
ASSIGNMENT = "a1-roles"
HONEST = {"honest": FULL, "honest_partly_wrong": FULL - 2}
# lines only the instructor's notebook holds: hidden asserts and a rubric
ESCAPING_ID = "\x1b]2;pwned\x07eve\u202egnp"
PROBE_ONLY = ("def activities_table", "def unseen_table")  # only the probe's source holds them
HIDDEN_TEXT = ('assert responsible_role("ongoing", "interdependent projects", "delivery") == "program_manager"',
               "*Rubric (3 points).*")
DRAW_FROM_STUDENT_ID = "PM_COURSE_DRAW_FROM_STUDENT_ID"


def digests(root):
    return {path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()}


@pytest.fixture(scope="module")
def planted():
    secrets = PlantedSecrets()
    yield secrets
    secrets.close()


def _submit_class(course: Path, students: dict) -> None:
    released = course / "exercises" / ASSIGNMENT / "roles.ipynb"
    instructor = course / "solutions" / ASSIGNMENT / "roles.ipynb"
    for student, hostile in students.items():
        notebook = fill_solutions(released, instructor) if hostile.start == "perfect" else \
            nbformat.read(str(released), as_version=4)
        hostile.change(notebook)
        aimed_at(notebook, course)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / "roles.ipynb"))
        if hostile.answers_file is not None:
            (folder / "pm-course-answers.json").write_text(hostile.answers_file)
        for name, text in (hostile.files or {}).items():
            (folder / name).write_text(text)


def _grade_capturing_the_terminal(arguments: list[str], secret: str) -> tuple[int, bytes]:
    """Run ``pm-course grade`` with the grader's environment holding a password, and everything written to this
    process's standard output and error (where the workers and their kernels would write too) captured."""
    saved = [os.dup(1), os.dup(2)]
    with tempfile.TemporaryFile() as terminal:
        os.environ[SECRET_VARIABLE] = secret
        os.dup2(terminal.fileno(), 1)
        os.dup2(terminal.fileno(), 2)
        try:
            code = main(arguments)
        finally:
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.environ.pop(SECRET_VARIABLE, None)
            for descriptor in saved:
                os.close(descriptor)
        terminal.seek(0)
        return code, terminal.read()


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory, generated_template, planted):
    require_bubblewrap()
    course = tmp_path_factory.mktemp("hostile") / "course"
    shutil.copytree(generated_template, course)
    released = course / "exercises" / ASSIGNMENT / "roles.ipynb"
    instructor = course / "solutions" / ASSIGNMENT / "roles.ipynb"

    def submit(student, notebook):
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(notebook, str(folder / "roles.ipynb"))

    submit("honest", fill_solutions(released, instructor))
    partly = fill_solutions(released, instructor)
    for cell in partly.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "role_sorter_answers":
            cell.source = ("def role_sorter_answers():\n    return " +
                           repr(dict(STATEMENT_KEY, **{statement: "sales" for statement in  # two of its own four wrong
                                                     load_pool("a1-role-sorter").draw("user:honest_partly_wrong")[:2]})))
    submit("honest_partly_wrong", partly)
    _submit_class(course, {**HOSTILE, "looks_around": looks_around(planted.targets())})
    (course / "submitted" / "not_a_notebook" / ASSIGNMENT / "roles.ipynb").write_text("this is not JSON {")
    # a student id that is an escape sequence (it retitles the terminal and shows a name reversed)
    (course / "submitted" / ESCAPING_ID / ASSIGNMENT).mkdir(parents=True)
    (course / "submitted" / ESCAPING_ID / ASSIGNMENT / "roles.ipynb").write_text("{}")

    protected = {name: digests(course / name) for name in ("solutions", "exercises", "submitted")}
    protected["config"] = digests(course)["nbgrader_config.py"]
    os.environ[DRAW_FROM_STUDENT_ID] = "1"  # as on a JupyterHub (deploy/jupyterhub sets it for every server)
    try:
        code, terminal = _grade_capturing_the_terminal(
            ["grade", ASSIGNMENT, "--course", str(course), "--workers", "2", "--quiet", "--feedback", "provisional",
             "--cell-timeout", "6", "--notebook-timeout", "10"], planted.password)
    finally:
        os.environ.pop(DRAW_FROM_STUDENT_ID, None)
    return course, code, protected, terminal


def test_the_run_finishes_and_changes_nothing_it_must_not(graded_class):
    course, code, protected, _ = graded_class
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
        assert hostile.feedback in _feedback(course, student)
    if hostile.fools_nbgrader:
        verdicts = json.loads((course / "autograded" / student / ASSIGNMENT / "roles.outside-checks.json").read_text())
        fooled = [cell for cell, verdict in verdicts.items() if verdict["inside"] > verdict["outside"]]
        assert fooled, "this attack passes tests inside the kernel: the outside checks must be what stopped it"


def test_the_gradebook_holds_only_real_results(graded_class):
    course = graded_class[0]
    scores = item_scores(default_db_url(course), ASSIGNMENT, "honest")
    assert scores["role_sorter_roles"].auto_score == 4 and scores["classify_roles"].auto_score == 1
    assert item_scores(default_db_url(course), ASSIGNMENT, "thief")["role_sorter_roles"].auto_score == 0


# ---- issue 17 -----------------------------------------------------------------------------------------------------

def test_hidden_tests_never_ran_in_a_kernel_and_decide_nothing_there(graded_class):
    """Class 1: every hidden part was withheld from the kernel and decided outside; the autograded notebook holds
    the tests as the instructor wrote them (formgrader shows the rubric)."""
    course = graded_class[0]
    verdicts = json.loads((course / "autograded" / "honest" / ASSIGNMENT / "roles.outside-checks.json").read_text())
    withheld = {cell for cell, verdict in verdicts.items() if verdict.get("hidden_tests_withheld")}
    assert withheld == {"responsible_role_what_and_market", "responsible_role_delivery", "responsible_role_bad_input",
                        "classify_roles", "role_sorter_roles"}
    autograded = (course / "autograded" / "honest" / ASSIGNMENT / "roles.ipynb").read_text()
    assert all(json.dumps(text)[1:-1] in autograded for text in HIDDEN_TEXT), "formgrader must show them"


def test_nothing_run_after_the_students_cells_reaches_what_students_get_back(graded_class):
    """Class 2: neither the feedback nor the autograded notebook of any student holds what the probe or a hidden
    test would have shown a hook (a display updated later, a widget, output sent to an earlier cell), nor a hidden
    test or a rubric; and an answer holding the hidden-tests marker gets its feedback."""
    course = graded_class[0]
    for student in [*HONEST, *(name for name in HOSTILE if HOSTILE[name].earned is not None)]:
        for text in (_feedback(course, student),
                     (course / "autograded" / student / ASSIGNMENT / "roles.ipynb").read_text()):
            assert LEAK_MARK not in text, student
            assert not any(probe in text for probe in PROBE_ONLY), f"{student}: the probe's source got out"
        assert not any(hidden in _feedback(course, student) for hidden in HIDDEN_TEXT), student
    notebook = nbformat.read(str(course / "autograded" / "probe_spy" / ASSIGNMENT / "roles.ipynb"), as_version=4)
    assert "widgets" not in notebook.metadata, "no widget state is kept in the notebook"
    assert "# my notes: ### BEGIN HIDDEN TESTS" in _feedback(course, "marker_in_answer"), \
        "a student's own cell is shown as written"


def test_the_sandbox_shows_nothing_of_the_machine(graded_class, planted):
    """Class 3: the kernel saw no other home, no other checkout, no key, no /etc/shadow, no user of the host, none
    of the grader's environment, and reached no host socket."""
    course = graded_class[0]
    seen = _printed(course, "looks_around", "LOOKED:")
    assert {name: seen[name] for name in planted.targets()["files"]} == dict.fromkeys(planted.targets()["files"])
    assert seen["/etc/shadow"] is None and seen["users"] == ["student"] and seen["homes"] == []
    assert seen["configuration"] == [], "the site's configuration folders are empty in the sandbox"
    assert seen["secrets"] == [] and seen["sockets"] == [] and planted.connections == []
    assert planted.password.encode() not in b"".join(
        path.read_bytes() for path in (course / "autograded").rglob("*.ipynb")), "the password reached a kernel"


def test_disk_ipc_and_processes_end_with_each_student(graded_class):
    """Class 4: a student's files are capped and discarded with the student, their IPC objects are gone for the next
    student, and a process whose main thread exited (haunting later kernels) survives nobody."""
    course = graded_class[0]
    filled = _printed(course, "disk_filler", "FILLED:")
    assert sum(total for total, _ in filled.values()) <= SLOT_BYTES
    assert all(stopped is not None for _, stopped in filled.values()), "every place ran out of space"
    assert _printed(course, "ipc_a_plants", "PLANTED:")["segment"] >= 0
    assert _printed(course, "ipc_b_finds", "FOUND:") == {}
    assert not host_threads_named(ZOMBIE_NAME)


@pytest.mark.parametrize("student", ["html_answer", "image_metadata", "markdown_link"])
def test_no_student_html_runs_where_it_is_rendered(graded_class, student):
    """Class 6: the written answer's script, handlers, javascript: links (in HTML and in Markdown), frames, forms,
    the outputs' script and an image's size metadata are inert in the feedback and in formgrader's page (both
    rendered by nbconvert's HTMLExporter, sanitized by course/grading/nbgrader_plugins/safe_html.py)."""
    course = graded_class[0]
    assert "My answer" in _feedback(course, student) or student == "image_metadata"
    assert active_payloads(_feedback(course, student)) == []
    assert active_payloads(formgrader_page(course, student)) == []


def test_formgrader_shows_any_submission_in_bounded_time(graded_class):
    """Class 4 (second review): 100,000 tags of HTML in an output and 100,000 nested in a written answer; bleach took
    minutes for them, ammonia on the nested list seconds, and formgrader's server does nothing else meanwhile."""
    course = graded_class[0]
    assert "My answer." in _feedback(course, "quadratic_html")
    start = time.monotonic()
    page = formgrader_page(course, "quadratic_html")
    assert time.monotonic() - start < 10 and active_payloads(page) == []


def test_the_output_a_notebook_returns_is_capped(graded_class):
    """Class 4 (second review): a loop of displays was kept whole in the grader's memory and in the autograded
    notebook; the grader keeps 16 M characters, says so, and the points are the notebook's own."""
    course = graded_class[0]
    size = (course / "autograded" / "output_flood" / ASSIGNMENT / "roles.ipynb").stat().st_size
    assert size < 20_000_000 < FLOOD_MEGABYTES * 1_000_000


def test_verdict_files_stay_with_the_grader(graded_class):
    """Lead 1 and class 6 (second review): no feedback folder holds the grader's verdicts (nbgrader copied them there
    for every student), and a verdict file handed in writes nothing into the summary."""
    course = graded_class[0]
    assert not list((course / "feedback").rglob("*.outside-checks.json"))
    assert FORGED_NOTE not in _summary(course).at["forged_verdicts", "notes"]
    assert not (course / "autograded" / "forged_verdicts" / ASSIGNMENT / "zz.outside-checks.json").exists()


def test_no_formula_reaches_the_reports_tables(graded_class, tmp_path, monkeypatch):
    """Class 6 (second review): a wrong answer is whatever the answer file holds; in every CSV of the report it is
    text, never a formula. The mutation check writes the tables as the report did (pandas' to_csv)."""
    import csv

    import course.grading.reports.report as report

    course = graded_class[0]

    def cells(folder: Path) -> list[str]:
        return [cell for path in sorted(folder.glob("*.csv")) for row in csv.reader(path.open()) for cell in row]

    assert main(["report", ASSIGNMENT, "--course", str(course), "--out", str(tmp_path / "report")]) == 0
    found = cells(tmp_path / "report")
    assert any("cmd" in cell for cell in found), "the wrong answer is in options.csv, as text"
    assert not [cell for cell in found if cell[:1] in ("=", "+", "-", "@") and not _number(cell)]
    monkeypatch.setattr(report, "write_csv", lambda frame, path, index=False, index_label=None:
                        frame.to_csv(path, index=index, index_label=index_label))
    assert main(["report", ASSIGNMENT, "--course", str(course), "--out", str(tmp_path / "before")]) == 0
    assert REPORT_FORMULA in cells(tmp_path / "before")


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_the_terminal_shows_no_kernel_output_and_no_escape_sequence(graded_class):
    """Class 6: what kernels print goes to the log, never to the instructor's terminal."""
    course, _, _, terminal = graded_class
    assert TERMINAL_MARK.encode() not in terminal and b"\x1b" not in terminal, terminal[-2000:]
    assert "\u202e".encode() not in terminal, "a right-to-left override is shown escaped"
    logs = b"".join(path.read_bytes() for path in (course / ".pm-course" / "grading" / "logs").glob("kernels-*.log"))
    assert TERMINAL_MARK.encode() in logs


# ---- the mutation check: the same attacks against the grader as it was before issue 17 ---------------------------

BEFORE_ISSUE_17 = '''
# ---- the grader as it was before issue 17: only for the mutation check of tests/grading/test_isolation.py ----
import re as _re

from nbgrader.preprocessors import ClearHiddenTests as _ClearHiddenTests
from nbgrader.preprocessors import Execute as _Execute

import course.grading.nbgrader_plugins.outside_checks as _checks
from course.grading.nbgrader_plugins.preprocessors import ExecuteWithinDeadline as _ExecuteWithinDeadline

c.Autograde.autograde_preprocessors = [step for step in c.Autograde.autograde_preprocessors
                                       if step.__name__ not in ("WithholdHiddenTests", "RestoreHiddenTests")]
c.GenerateFeedback.preprocessors = [_ClearHiddenTests if step.__name__ == "HideHiddenTests" else step
                                    for step in c.GenerateFeedback.preprocessors
                                    if step.__name__ not in ("SanitizeHTML", "SafeHTML")]
c.HTMLExporter.sanitize_html = False
c.HTMLExporter.preprocessors = []
# and without the second review's settings: nbconvert's own filters, no output limit, the verdicts copied
c.HTMLExporter.filters = {}
c.ExecuteWithinDeadline.output_limit = 10**12
c.CourseDirectory.ignore = [pattern for pattern in c.CourseDirectory.ignore if pattern != "*.outside-checks.json"]
c.ExecuteWithinDeadline.store_widget_state = True
_ExecuteWithinDeadline._update_display_id = _Execute._update_display_id
_checks._PROBE_TEMPLATE = _re.sub(r"    namespace = \\{\\{name.*?\\}\\}\\n", "    namespace = dict(globals())\\n",
                                  _checks._PROBE_TEMPLATE, flags=_re.S)
'''
MUTATED = ["hook_harvester", "notebook_reader", "comparison_spy", "trivial_input", "probe_spy", "marker_in_answer",
           "html_answer", "image_metadata", "markdown_link", "output_flood", "forged_verdicts", "chosen_seed"]


@pytest.fixture(scope="module")
def graded_before_the_fix(tmp_path_factory, generated_template, planted):
    course = tmp_path_factory.mktemp("before") / "course"
    shutil.copytree(generated_template, course)
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(BEFORE_ISSUE_17)
    shutil.copy(REPO / "tests" / "files" / "before_issue17" / "a1_outside_checks.py",
                course / "solutions" / ASSIGNMENT / "outside_checks.py")
    _submit_class(course, {**{name: HOSTILE[name] for name in MUTATED},
                           "looks_around": looks_around(planted.targets())})
    # the mutated config patches the grader wherever it is loaded, this process too: undone once graded
    from course.grading.nbgrader_plugins import outside_checks, preprocessors

    probe, update = outside_checks._PROBE_TEMPLATE, preprocessors.ExecuteWithinDeadline._update_display_id
    try:
        code, _ = _grade_capturing_the_terminal(["grade", ASSIGNMENT, "--course", str(course), "--workers", "2",
                                                 "--quiet", "--feedback", "provisional", "--no-isolation"],
                                                planted.password)
    finally:
        outside_checks._PROBE_TEMPLATE = probe
        preprocessors.ExecuteWithinDeadline._update_display_id = update
    assert code == 0
    return course


@pytest.mark.parametrize("student", [name for name in MUTATED
                                     if HOSTILE[name].without_fix is not None and not HOSTILE[name].review])
def test_without_the_fix_expected_values_reach_the_kernel(graded_before_the_fix, student):
    """Class 1: hidden tests run in the kernel teach a hook, the notebook file and a recording object the expected
    values, and a probe reading the notebook's own table is fed an empty one."""
    assert float(_summary(graded_before_the_fix).at[student, "score"]) == HOSTILE[student].without_fix


def test_without_the_fix_the_probe_leaks_and_a_marker_breaks_the_feedback(graded_before_the_fix):
    """Class 2: the probe's source reaches an earlier display, the widget state and the feedback; the marker text
    in an answer stops the feedback."""
    course = graded_before_the_fix
    assert LEAK_MARK in _feedback(course, "probe_spy")
    assert LEAK_MARK in (course / "autograded" / "probe_spy" / ASSIGNMENT / "roles.ipynb").read_text()
    assert not (course / "feedback" / "marker_in_answer" / ASSIGNMENT / "roles.html").exists()


def test_without_the_fix_the_kernel_sees_the_machine(graded_before_the_fix, planted):
    """Class 3: unsandboxed, the same notebook reads the other home, the other checkout and the key, finds the
    password, and reaches the socket."""
    seen = _printed(graded_before_the_fix, "looks_around", "LOOKED:")
    assert all(seen[name] for name in planted.targets()["files"]), seen
    assert seen["secrets"] == [SECRET_VARIABLE] and seen["sockets"] and planted.connections


def test_without_the_fix_student_html_runs(graded_before_the_fix):
    """Class 6: unsanitized, the answer's script and handlers are live in the feedback and in formgrader."""
    assert active_payloads(_feedback(graded_before_the_fix, "html_answer"))
    assert active_payloads(formgrader_page(graded_before_the_fix, "html_answer", sanitize=False))


@pytest.mark.parametrize("student", ["image_metadata", "markdown_link"])
def test_without_the_review_nbconverts_own_sanitizing_leaves_script_live(graded_before_the_fix, student):
    """Second review, class 6: with nbconvert's own sanitizing, as the course had it after issue 17 (SanitizeHTML,
    bleach's clean_html), an image's width metadata and a Markdown link to javascript: are live in formgrader."""
    from nbconvert.preprocessors.sanitize import SanitizeHTML

    found = active_payloads(formgrader_page(graded_before_the_fix, student, preprocessors=[SanitizeHTML]))
    assert any("PWNED" in part for part in found), found


def test_without_the_review_a_chosen_seed_draws_a_neighbours_items(graded_before_the_fix):
    """Second review, lead 2: where the recorded seed is trusted, a seed tried until it draws the neighbour's
    statements makes the neighbour's copied answers earn full marks."""
    assert float(_summary(graded_before_the_fix).at["chosen_seed", "score"]) == HOSTILE["chosen_seed"].without_fix


def test_without_the_review_the_grader_keeps_every_output_and_every_verdict_file(graded_before_the_fix):
    """Second review, classes 4 and 6: the flood is kept whole in the autograded notebook; the grader's verdicts
    reach the feedback folder, and the forged ones the summary."""
    course = graded_before_the_fix
    assert (course / "autograded" / "output_flood" / ASSIGNMENT / "roles.ipynb").stat().st_size > \
        FLOOD_MEGABYTES * 1_000_000
    assert list((course / "feedback").rglob("*.outside-checks.json"))
    assert FORGED_NOTE in _summary(course).at["forged_verdicts", "notes"]


def test_without_isolation_the_thief_would_succeed(generated):
    """The thief with --no-isolation finds the key: proof that the test above tests the sandbox."""
    released = generated / "exercises" / ASSIGNMENT / "roles.ipynb"
    notebook = fill_solutions(released, generated / "solutions" / ASSIGNMENT / "roles.ipynb")
    HOSTILE["thief"].change(notebook)
    aimed_at(notebook, generated)
    folder = generated / "submitted" / "thief" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(notebook, str(folder / "roles.ipynb"))
    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--workers", "1", "--quiet",
                 "--no-isolation", "--no-feedback"]) == 0
    assert item_scores(default_db_url(generated), ASSIGNMENT, "thief")["role_sorter_roles"].auto_score == 4


# ---- helpers ------------------------------------------------------------------------------------------------------

class _ActiveParts(HTMLParser):
    """Every element of a page that would run a student's code: a script, an event handler, a javascript: URL, a
    frame, a form, a refresh, or a style that calls a URL; only those that carry the payloads' mark count."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        for name, value in attrs:
            value = value or ""
            if "PWNED" in value and (name.startswith("on") or "javascript:" in value.lower() or name == "srcdoc"
                                     or name == "style" or name == "content" or name == "class"):
                self.found.append(f"<{tag} {name}={value!r}>")
        if tag in ("iframe", "form", "object", "embed", "base") or \
                tag == "input" and any("PWNED" in (value or "") for _, value in attrs):
            self.found.append(f"<{tag}>")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and "PWNED" in data:
            self.found.append(f"<script>{data.strip()[:60]}")


def active_payloads(page: str) -> list[str]:
    parser = _ActiveParts()
    parser.feed(page)
    return parser.found


def formgrader_page(course: Path, student: str, sanitize: bool = True, preprocessors: list | None = None) -> str:
    """The page formgrader shows for a submission: nbconvert's HTMLExporter with formgrader's template, configured
    from the course's nbgrader_config.py as formgrader configures it (nbgrader's FormgradeExtension); with
    ``sanitize`` False, as it was before issue 17; with ``preprocessors``, nbconvert's own filters and those
    preprocessors (``[SanitizeHTML]``: as it was after issue 17, before the second review)."""
    from nbconvert.exporters import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers
    from traitlets.config.loader import PyFileConfigLoader

    # the course's own settings (read from the repository: the mutation run's copy patches the grader as it loads)
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [handlers.template_path]
    if not sanitize or preprocessors is not None:
        config.HTMLExporter.filters = {}
        config.HTMLExporter.preprocessors = preprocessors or []
    if not sanitize:
        config.HTMLExporter.sanitize_html = False
    resources = {"assignment_id": ASSIGNMENT, "notebook_id": "roles", "submission_id": "x", "index": 0, "total": 1,
                 "base_url": "", "student": student, "last_name": None, "first_name": None, "notebook_path": "x"}
    page, _ = HTMLExporter(config=config).from_filename(
        str(course / "autograded" / student / ASSIGNMENT / "roles.ipynb"), resources=resources)
    return page


def _feedback(course: Path, student: str) -> str:
    return (course / "feedback" / student / ASSIGNMENT / "roles.html").read_text()


def _printed(course: Path, student: str, mark: str):
    """The JSON an attack printed after ``mark`` in its own cell (student cells keep their output)."""
    notebook = nbformat.read(str(course / "autograded" / student / ASSIGNMENT / "roles.ipynb"), as_version=4)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines():
                if line.startswith(mark):
                    return json.loads(line[len(mark):])
    raise AssertionError(f"{student} printed no {mark}")


def _summary(course):
    return pd.read_csv(course / "exports" / ASSIGNMENT / "summary.csv", keep_default_na=False).set_index("student")

