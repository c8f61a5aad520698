"""The course's nbgrader preprocessors (course/grading/nbgrader_plugins/preprocessors.py, feedback_filters.py), each on
notebooks built in memory, as nbgrader tests its own (nbgrader/tests/preprocessors/): no kernel, no nbgrader process.

What they do inside a whole grading run (a kernel, the gradebook, the feedback) is tested end to end in the slow
tier: tests/grading/test_assignments.py, test_wrong_answers.py, test_isolation.py.
"""
from __future__ import annotations

import json
import time

import pytest
from nbclient.exceptions import DeadKernelError
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor, OverwriteCells, SaveCells
from nbgrader.tests import create_grade_and_solution_cell, create_grade_cell, create_locked_cell
from nbgrader.utils import compute_checksum, determine_grade
from traitlets.config import Config

from course.grading.nbgrader_plugins import preprocessors
from course.grading.nbgrader_plugins.cells import grade_id_of, is_students, is_test_cell
from course.grading.nbgrader_plugins.feedback_filters import OWN_MESSAGES, ShortenTestTracebacks
from course.grading.nbgrader_plugins.outside_checks import PROBE_MARK, Checks, Verdict
from course.grading.nbgrader_plugins.preprocessors import (
    KERNEL_STOPPED,
    PROBE_METADATA,
    VERDICTS_SUFFIX,
    WITHHELD,
    AddProbeCell,
    ExecuteWithinDeadline,
    JudgeOutsideKernel,
    RefuseInstructorAnswers,
    RestoreDeletedCells,
)
from course.grading.pipeline.feedback_release import AnnotateFeedback
from course.learner.answers import ANSWER_FILE_NAME

HIDDEN = "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(21) == 42\n### END HIDDEN TESTS"


def _test_cell(grade_id: str, source: str = "assert double(2) == 4", points: float = 2):
    cell = create_grade_cell(source, "code", grade_id, points)
    cell.metadata.nbgrader["locked"] = True
    return cell


def _double_checks() -> Checks:
    """Outside checks of a demo notebook: ``double_values`` is judged on the probe ``doubled``."""
    checks = Checks("demo.ipynb", setup="numbers = [1, 21]")
    checks.cell("double_values", doubled="[double(n) for n in numbers]")(lambda r: r.doubled == [2, 42])
    return checks


def _probe_cell(results: dict | None):
    """The probe cell as the kernel left it: its printed line of plain results (or nothing, when it never ran)."""
    cell = new_code_cell("__pm_course_probe()")
    cell.metadata[PROBE_METADATA] = True
    if results is not None:
        cell.outputs = [new_output("stream", name="stdout", text=PROBE_MARK + json.dumps(results) + "\n")]
    return cell


@pytest.fixture
def checks(monkeypatch) -> Checks:
    checks = _double_checks()
    monkeypatch.setattr(preprocessors, "_checks_for", lambda *_: checks)
    return checks


def test_the_probe_cell_is_appended_only_where_there_are_outside_checks(checks, monkeypatch):
    """Is the probe cell the last cell, marked as the probe, holding the checks' own probe source?"""
    notebook = new_notebook(cells=[new_code_cell("def double(x):\n    return 2 * x"), _test_cell("double_values")])
    notebook, _ = AddProbeCell().preprocess(notebook, {})
    assert len(notebook.cells) == 3 and notebook.cells[-1].metadata[PROBE_METADATA] is True
    assert notebook.cells[-1].source == checks.probe_source()
    monkeypatch.setattr(preprocessors, "_checks_for", lambda *_: None)
    bare = new_notebook(cells=[new_code_cell("x = 1")])
    assert len(AddProbeCell().preprocess(bare, {})[0].cells) == 1, "no checks, no probe"


def test_an_answer_file_beside_a_source_notebook_stops_the_release(tmp_path):
    """Would ``generate_assignment`` release the widget key? It stops, naming the file and what to do."""
    resources = {"metadata": {"path": str(tmp_path)}}
    notebook = new_notebook(cells=[new_code_cell("x = 1")])
    assert RefuseInstructorAnswers().preprocess(notebook, resources)[0] is notebook
    (tmp_path / ANSWER_FILE_NAME).write_text('{"format": 1, "answers": {}}')
    with pytest.raises(ValueError, match="would be released to every student; delete it"):
        RefuseInstructorAnswers().preprocess(notebook, resources)


# ---- RestoreDeletedCells: nbgrader's OverwriteCells, with its add_missing_cells fixed -------------------------------

@pytest.fixture
def gradebook_resources(tmp_path, quick_gradebooks) -> dict:
    from nbgrader.api import Gradebook

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    with Gradebook(url) as gradebook:
        gradebook.add_assignment("ps0")
    return {"nbgrader": {"db_url": url, "assignment": "ps0", "notebook": "demo"}}


def _source_notebook():
    """An answer, a read-only widget cell (neither a test nor an answer), then the test that follows it."""
    answer = create_grade_and_solution_cell("def double(x):\n    return 2 * x", "code", "double", 0)
    widget = create_locked_cell("RoleSorterWidget('a1-role-sorter')", "code", "sorter")
    test = _test_cell("double_values")
    cells = [answer, widget, test]
    for cell in cells:
        cell.metadata.nbgrader["checksum"] = compute_checksum(cell)
    return new_notebook(cells=cells)


def test_a_deleted_test_after_a_widget_cell_is_put_back_after_it(gradebook_resources):
    """Is a test cell the student deleted restored where it was, after the nearest source cell still there, even
    when that cell is a read-only widget cell (nbgrader 0.9.6 stops with a KeyError there)?"""
    SaveCells().preprocess(_source_notebook(), gradebook_resources)
    student = _source_notebook()
    del student.cells[2]
    restore = RestoreDeletedCells(add_missing_cells=True)
    student, _ = restore.preprocess(student, gradebook_resources)
    assert [cell.metadata["nbgrader"]["grade_id"] for cell in student.cells] == ["double", "sorter", "double_values"]
    assert student.cells[2].source.endswith("added back by nbgrader.\n\nassert double(2) == 4")
    assert student.cells[2].metadata["nbgrader"]["points"] == 2
    mutated = _source_notebook()
    del mutated.cells[2]
    with pytest.raises(KeyError):  # the mutation check: nbgrader's own
        OverwriteCells(add_missing_cells=True).preprocess(mutated, gradebook_resources)


def test_a_duplicated_cell_with_empty_nbgrader_metadata_is_graded_as_an_ordinary_cell(gradebook_resources):
    """nbgrader's DeduplicateIds leaves ``nbgrader: {}`` on a copy of a graded cell; OverwriteCells stops on it."""
    SaveCells().preprocess(_source_notebook(), gradebook_resources)
    student = _source_notebook()
    copy = new_code_cell("assert double(2) == 4  # my copy")
    copy.metadata["nbgrader"] = {}
    student.cells.insert(1, copy)
    student, _ = RestoreDeletedCells(add_missing_cells=True).preprocess(student, gradebook_resources)
    assert "nbgrader" not in student.cells[1].metadata and student.cells[1].source.endswith("# my copy")
    assert [cell.metadata.get("nbgrader", {}).get("grade_id") for cell in student.cells] == \
        ["double", None, "sorter", "double_values"]


# ---- ExecuteWithinDeadline: a limit on the whole notebook -----------------------------------------------------------

def test_cells_after_the_notebooks_deadline_are_not_run_and_say_why():
    executor = ExecuteWithinDeadline(notebook_timeout=18)
    executor._deadline = time.monotonic() - 1
    cell, _ = executor.preprocess_cell(new_code_cell("while True: pass"), {}, 3)
    (output,) = cell.outputs
    assert output.ename == "NotebookTookTooLong" and "longer than the 18 seconds allowed" in output.evalue
    assert determine_grade(_with_outputs(_test_cell("slow"), cell.outputs), None)[0] == 0


def _with_outputs(cell, outputs):
    cell.outputs = outputs
    return cell


def test_a_notebook_that_ends_its_kernel_is_graded_on_what_ran(monkeypatch):
    """os._exit or a crash part-way: every test cell that never ran fails with a message (a test cell without output
    would count as passed); what ran keeps its outputs."""
    ran, never_ran, prose = _test_cell("ran"), _test_cell("never_ran"), new_markdown_cell("no code")
    ran.execution_count, ran.outputs = 4, [new_output("stream", name="stdout", text="ok\n")]
    notebook = new_notebook(cells=[new_code_cell("import os; os._exit(0)"), ran, prose, never_ran])

    def ends_its_kernel(self, nb, resources=None, km=None):
        raise DeadKernelError("Kernel died")

    monkeypatch.setattr(Execute, "preprocess", ends_its_kernel)
    notebook, _ = ExecuteWithinDeadline().preprocess(notebook, {})
    assert notebook.cells[1].outputs[0].text == "ok\n"
    (stopped,) = notebook.cells[3].outputs
    assert stopped.ename == "KernelStopped" and stopped.evalue == KERNEL_STOPPED
    assert determine_grade(notebook.cells[3], None)[0] == 0 and determine_grade(notebook.cells[1], None)[0] == 2
    assert notebook.cells[0].outputs == [], "only test cells are marked"


# ---- JudgeOutsideKernel: points decided again in the grader's process ----------------------------------------------

def _judged(notebook, tmp_path, student="ada"):
    resources = {"nbgrader": {"notebook": "demo", "student": student}, "metadata": {"path": str(tmp_path)}}
    notebook, resources = JudgeOutsideKernel().preprocess(notebook, resources)
    return notebook, json.loads((tmp_path / f"demo{VERDICTS_SUFFIX}").read_text())


def _graded_notebook(probe_results: dict | None, test_source: str = "assert double(2) == 4", answer: str = ""):
    test = _test_cell("double_values", test_source)
    test.execution_count = 2  # it ran and printed nothing: nbgrader counts it as passed
    return new_notebook(cells=[new_code_cell(answer or "def double(x):\n    return 2 * x"), test,
                               _probe_cell(probe_results)])


def test_an_honest_answer_keeps_its_points_and_the_probe_cell_is_removed(checks, tmp_path):
    notebook, verdicts = _judged(_graded_notebook({"doubled": {"value": [2, 42]}}), tmp_path)
    assert len(notebook.cells) == 2 and not any(cell.metadata.get(PROBE_METADATA) for cell in notebook.cells)
    assert notebook.cells[1].outputs == []
    assert verdicts == {"double_values": {"points": 2.0, "inside": 2.0, "outside": 2.0, "probe_answered": True}}


def test_a_test_fooled_inside_the_kernel_earns_what_the_outside_check_gives(checks, tmp_path):
    """The in-kernel test passed, the student's function is wrong on unseen inputs: 0 points, with a reason, and
    the code that changed how the cells run is named."""
    tampered = "def double(x):\n    return 4\nimport builtins\nbuiltins.isinstance = lambda *a: True"
    notebook, verdicts = _judged(_graded_notebook({"doubled": {"value": [4, 4]}}, answer=tampered), tmp_path)
    (output,) = notebook.cells[1].outputs
    assert output.ename == "CheckedOutsideYourNotebook" and "on inputs you have not seen" in output.evalue
    assert "changes how the other cells run" in output.evalue and "built-in" in output.evalue
    assert determine_grade(notebook.cells[1], None)[0] == 0
    assert verdicts["double_values"]["inside"] == 2.0 and verdicts["double_values"]["outside"] == 0.0


def test_no_probe_results_means_no_points_and_says_the_check_could_not_run(checks, tmp_path):
    notebook, verdicts = _judged(_graded_notebook(None), tmp_path)
    assert "could not check this part outside your notebook" in notebook.cells[1].outputs[0].evalue
    assert verdicts["double_values"]["probe_answered"] is False and verdicts["double_values"]["outside"] == 0


def test_a_withheld_hidden_part_that_fails_outside_reads_as_a_failed_hidden_test(checks, tmp_path):
    """The hidden part never ran in the kernel: its failure is shown as a failed hidden test (an AssertionError the
    feedback labels with what the part checks), not as the grader's own message."""
    notebook = _graded_notebook({"doubled": {"value": [2, 40]}}, test_source=HIDDEN)
    resources = {"nbgrader": {"notebook": "demo", "student": "ada"}, "metadata": {"path": str(tmp_path)},
                 WITHHELD: {1: ("double_values", HIDDEN)}}
    notebook, _ = JudgeOutsideKernel().preprocess(notebook, resources)
    (output,) = notebook.cells[1].outputs
    assert output.ename == "AssertionError" and "42" not in output.evalue and "40" not in output.evalue
    verdict = json.loads((tmp_path / f"demo{VERDICTS_SUFFIX}").read_text())["double_values"]
    assert verdict["decided_outside"] and verdict["hidden_tests_withheld"]


def test_a_graded_widget_is_marked_by_the_grader_with_its_note(monkeypatch, tmp_path):
    """A widget's in-kernel test holds no key: the grader's share is the score, partial credit as nbgrader reads it."""
    checks = Checks("demo.ipynb")
    checks.cell("double_values", answers="{}")(lambda r: Verdict(0.5, note="2 of your 4 statements are right.",
                                                                 decides=True))
    monkeypatch.setattr(preprocessors, "_checks_for", lambda *_: checks)
    notebook, verdicts = _judged(_graded_notebook({"answers": {"value": {}}}), tmp_path)
    assert notebook.cells[1].outputs[0].text == "2 of your 4 statements are right.\n"
    assert determine_grade(notebook.cells[1], None)[0] == 1.0
    assert verdicts["double_values"]["decided_outside"] and verdicts["double_values"]["note"].startswith("2 of")


# ---- ShortenTestTracebacks: the feedback's labels -----------------------------------------------------------------

def _failed(ename: str, line: int) -> dict:
    return new_output("error", ename=ename, evalue="secret expected value",
                      traceback=[f"Cell In[3], line {line}", f"{ename}: secret expected value"])


def test_feedback_replaces_each_failing_tests_traceback_with_a_label_and_keeps_the_graders_own_messages():
    """A failing test shows a label (visible or hidden, never the hidden line); the grader's own messages, written
    for the student, stay as they are; a student's own cell keeps its traceback."""
    test = _test_cell("double_values", HIDDEN)
    test.outputs = [_failed("AssertionError", 3)]
    own = _test_cell("other")
    own.outputs = [new_output("error", ename="CheckedOutsideYourNotebook", evalue="why", traceback=["why"])]
    answer = create_grade_and_solution_cell("def double(x):\n    raise ValueError", "code", "double", 1)
    answer.outputs = [_failed("ValueError", 2)]
    notebook = new_notebook(cells=[answer, test, own])
    notebook, _ = ShortenTestTracebacks().preprocess(notebook, {"nbgrader": {"assignment": "a1-roles"}})
    label = " ".join(notebook.cells[1].outputs[0].traceback)
    assert "A hidden test failed; its code is not shown" in label and "secret" not in label
    assert notebook.cells[2].outputs[0].traceback == ["why"] and "CheckedOutsideYourNotebook" in OWN_MESSAGES
    assert notebook.cells[0].outputs[0].traceback[0] == "Cell In[3], line 2", "not a test cell: left alone"


# ---- what every course preprocessor shares --------------------------------------------------------------------------

COURSE_PREPROCESSORS = [AddProbeCell, preprocessors.WithholdHiddenTests, preprocessors.RestoreHiddenTests,
                        RefuseInstructorAnswers, RestoreDeletedCells, preprocessors.HideHiddenTests,
                        ExecuteWithinDeadline, JudgeOutsideKernel, ShortenTestTracebacks, AnnotateFeedback]


@pytest.mark.parametrize("preprocessor", COURSE_PREPROCESSORS, ids=lambda cls: cls.__name__)
def test_every_course_preprocessor_runs_unless_the_config_turns_it_off(preprocessor):
    """nbconvert runs only an enabled preprocessor: is each of the course's on by default, and can an instructor
    turn one off in nbgrader_config.py like any of nbgrader's own (``c.<Name>.enabled = False``)?"""
    assert isinstance(preprocessor(), NbGraderPreprocessor) and preprocessor().enabled
    assert not preprocessor(config=Config({preprocessor.__name__: {"enabled": False}})).enabled


def test_a_cells_role_is_read_with_nbgraders_own_rules():
    """A test cell is graded and not an answer; an answer (graded or not) or an added cell is the student's."""
    test = _test_cell("double_values")
    answer = create_grade_and_solution_cell("def double(x): ...", "code", "double", 1)
    written = create_grade_and_solution_cell("Because ...", "markdown", "why", 2)
    locked = create_locked_cell("import course", "code", "setup")
    added = new_code_cell("print(1)")
    assert [is_test_cell(cell) for cell in (test, answer, written, locked, added)] == [True, False, False, False,
                                                                                        False]
    assert [is_students(cell) for cell in (test, answer, written, locked, added)] == [False, True, True, False, True]
    assert grade_id_of(test) == "double_values" and grade_id_of(added) is None


# ---- ExecuteWithinDeadline: the output a notebook may return --------------------------------------------------------

def _message(kind: str, **content) -> dict:
    """A kernel message on the iopub channel, as nbclient hands it to ``process_message``."""
    return {"msg_type": kind, "header": {"msg_type": kind}, "parent_header": {"msg_id": "run"}, "content": content}


def _executor(output_limit: int) -> ExecuteWithinDeadline:
    """An executor ready for messages, as nbclient leaves it before the first cell runs (no kernel)."""
    executor = ExecuteWithinDeadline(output_limit=output_limit)
    executor.reset_execution_trackers()
    executor.clear_before_next_output = False  # (what nbclient sets as each cell starts)
    return executor


def test_past_the_output_limit_only_what_decides_points_is_kept_shortened_with_one_note():
    """A loop of prints fills the limit: what follows is dropped with one note, first in the cell; the test's first
    error (what nbgrader's determine_grade reads) is still kept, cut short; a second error is not."""
    executor = _executor(1_000)
    cell = _test_cell("double_values")
    for _ in range(10):
        executor.process_message(_message("stream", name="stdout", text="x" * 200), cell, 0)
    note = preprocessors.OUTPUT_CUT.format(limit=1_000) + "\n"
    assert [output.text for output in cell.outputs] == [note, "x" * 200, "x" * 200]
    executor.process_message(_message("error", ename="AssertionError", evalue="e" * 50_000,
                                      traceback=["line"] * 500), cell, 0)
    executor.process_message(_message("error", ename="ValueError", evalue="later", traceback=[]), cell, 0)
    (error,) = [output for output in cell.outputs if output.output_type == "error"]
    assert error.ename == "AssertionError" and len(error.evalue) == preprocessors.SHORT
    assert len(error.traceback) == 100
    assert determine_grade(cell, None)[0] == 0
    assert [output.text for output in cell.outputs if output.output_type == "stream"].count(note) == 1


def test_past_the_output_limit_the_probes_result_line_is_kept_whole_and_only_once():
    """The probe's line is JSON the grader parses: never shortened; a second line (untrusted anyway) is dropped."""
    executor = _executor(0)
    probe = _probe_cell(None)
    line = PROBE_MARK + json.dumps({"doubled": {"value": list(range(5_000))}}) + "\n"
    assert len(line) > preprocessors.SHORT
    for text in ("noise\n", line, line, line):
        executor.process_message(_message("stream", name="stdout", text=text), probe, 5)
    assert [output.text for output in probe.outputs if PROBE_MARK in output.text] == [line, line]
    assert not any(output.text == "noise\n" for output in probe.outputs)


# ---- AnnotateFeedback: what the grade does not show by itself ------------------------------------------------------

def test_feedback_marks_each_part_not_graded_yet_and_carries_the_notes_for_the_student(tmp_path, monkeypatch):
    """A written answer nobody graded yet: no "Score: 0 / 3" line but a note where it stands, the grade said to be
    provisional at the top, and the grading notes written for the student."""
    from course.grading.pipeline import feedback_release
    from course.grading.pipeline.course_folder import CourseFolder
    from course.grading.pipeline.gradebook import GradeState, PendingItem
    from course.grading.pipeline.journal import StudentResult, journal_for

    pending = PendingItem("why_answer", "roles", 3.0)
    asked = []

    def grade_states(url, assignment, students):
        asked.append((url, assignment, students))
        return {"ada": GradeState(7.0, 13.0, (pending,), "signature")}

    monkeypatch.setattr(feedback_release, "grade_states", grade_states)
    journal_for(CourseFolder(tmp_path), "a1-roles").record(
        StudentResult("ada", "graded", "x", student_notes=("Your answer file could not be read.",)))
    written = create_grade_and_solution_cell("Because ...", "markdown", "why_answer", 3)
    other = _test_cell("double_values")
    notebook = new_notebook(cells=[other, written])
    resources = {"nbgrader": {"student": "ada", "assignment": "a1-roles", "notebook": "roles",
                              "db_url": "sqlite:///grades.db"}}
    annotate = AnnotateFeedback(config=Config({"CourseDirectory": {"root": str(tmp_path)}}))
    notebook, _ = annotate.preprocess(notebook, resources)
    assert asked == [("sqlite:///grades.db", "a1-roles", ["ada"])]
    top, test, answer, not_yet = notebook.cells
    assert "**Your grade is not final yet.**" in top.source and "why_answer in roles (3 points)" in top.source
    assert "**From grading your submission.** Your answer file could not be read." in top.source
    assert not answer.metadata.nbgrader["grade"] and test.metadata.nbgrader["grade"]
    assert not_yet.source.startswith("*Not graded yet (3 points)")


# ---- SafeHTML: student HTML inert and what a page shows bounded ----------------------------------------------------

def test_a_students_html_is_cleaned_and_their_long_cells_and_outputs_cut_with_a_note():
    """A script in an output is removed; a student's cell past its allowance is cut and says so, the instructor's
    test cell never is; outputs past the notebook's allowance are left out and counted."""
    from course.grading.nbgrader_plugins import safe_html
    from course.grading.nbgrader_plugins.safe_html import SafeHTML

    script = new_output("display_data", data={"text/html": "<b>bold</b><script>window.PWNED = 1</script>"})
    flood = [new_output("stream", name="stdout", text="y" * 100_000) for _ in range(5)]
    long_answer = create_grade_and_solution_cell("x = 1\n" * 5_000, "code", "answer", 1)
    long_answer.outputs = [script, *flood]
    test = _test_cell("double_values", "assert double(2) == 4\n" + "# rubric\n" * 5_000)
    notebook, _ = SafeHTML().preprocess(new_notebook(cells=[long_answer, test]), {})
    answer, test = notebook.cells
    assert answer.source.endswith("# [10,000 more characters of this cell not shown here: too long]")
    assert len(answer.source) < safe_html.CELL_SOURCE + 100
    assert test.source.endswith("# rubric\n") and len(test.source) > safe_html.CELL_SOURCE, "the instructor's: whole"
    html = answer.outputs[0]["data"]["text/html"]
    assert "<b>bold</b>" in html and "script" not in html and "PWNED" not in html
    shown = sum(len(output.get("text", "")) for output in answer.outputs[1:])
    assert shown <= safe_html.OUTPUT_TEXT + 200
    assert answer.outputs[-1].text == "[2 more outputs not shown here]\n"
