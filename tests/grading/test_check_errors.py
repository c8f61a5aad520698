"""An instructor's mistake in an outside check (solutions/<assignment>/outside_checks.py) is reported to the instructor
when the class is graded, naming the check and the assignment: a judge that raises on plain results, a probe name
that does not exist, a judge that returns no share. The students still score 0 there (grading fails closed), but never
silently."""
from __future__ import annotations

import json
import logging
import shutil

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from course.cli import main
from course.grading.nbgrader_plugins import preprocessors
from course.grading.nbgrader_plugins.outside_checks import PROBE_MARK, Checks, UnknownProbe, check_error_line
from course.grading.nbgrader_plugins.preprocessors import PROBE_METADATA, VERDICTS_SUFFIX, JudgeOutsideKernel
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from tests.support.simulate import fill_solutions


def _printed(results: dict) -> str:
    return PROBE_MARK + json.dumps({name: {"value": value} for name, value in results.items()})


def _checks() -> Checks:
    checks = Checks("demo.ipynb")
    checks.cell("doubles", doubled="double(21)")(lambda r: r.doubled == 42)
    checks.cell("halves", halved="half(42)")(lambda r: r.halved["value"] == 21)  # the instructor's bug: an int
    checks.cell("triples", tripled="triple(7)")(lambda r: r.trippled == 21)  # misspelt probe name
    checks.cell("quarters", quartered="quarter(84)")(lambda r: "yes" if r.quartered == 21 else None)  # no share
    return checks


def test_a_judge_that_raises_on_plain_results_is_the_instructors_error_and_says_so():
    verdicts = _checks().verdicts(_printed({"doubled": 42, "halved": 21, "tripled": 21, "quartered": 21}), "ada")
    assert (verdicts["doubles"].share, verdicts["doubles"].error) == (1.0, "")
    assert verdicts["halves"].share == 0 and verdicts["halves"].error == \
        "its judge raised TypeError: 'int' object is not subscriptable"
    assert verdicts["triples"].share == 0 and verdicts["triples"].error == \
        "its judge reads the probe 'trippled', which this notebook's checks do not define (they define doubled, " \
        "halved, quartered, tripled)"
    assert verdicts["quarters"].share == 0 and verdicts["quarters"].error.startswith("its judge returned 'yes'")


def test_a_judge_meeting_a_students_odd_answer_is_not_the_instructors_error():
    """The student's function raised, or returned nothing: the check fails for that student, and that is all."""
    checks = Checks("demo.ipynb")
    checks.cell("upper", shout="shout('hi')")(lambda r: r.shout.upper() == "HI")
    raised = PROBE_MARK + json.dumps({"shout": {"raised": "NameError", "message": "shout"}})
    assert (checks.verdicts(raised)["upper"].share, checks.verdicts(raised)["upper"].error) == (0.0, "")
    assert checks.verdicts(PROBE_MARK + "{}")["upper"].error == "", "no result for the probe: the notebook stopped"


def test_an_unknown_probe_is_refused_even_where_a_judge_would_catch_attribute_errors():
    """``getattr(r, name, default)`` or ``hasattr`` in a judge would hide a misspelt name: the refusal is not an
    AttributeError."""
    checks = Checks("demo.ipynb")
    checks.cell("x", value="1")(lambda r: getattr(r, "valeu", 1) == 1)
    verdict = checks.verdicts(_printed({"value": 1}))["x"]
    assert verdict.share == 0 and "'valeu'" in verdict.error
    assert not issubclass(UnknownProbe, AttributeError)


def test_the_grader_records_and_logs_a_check_error_naming_the_check_and_assignment(monkeypatch, tmp_path, caplog):
    checks = _checks()
    monkeypatch.setattr(preprocessors, "_checks_for", lambda *_: checks)
    cells = []
    for grade_id in ("doubles", "halves", "triples", "quarters"):
        cell = new_code_cell("assert True", metadata={"nbgrader": {"grade": True, "solution": False, "points": 1,
                                                                     "grade_id": grade_id, "locked": True}})
        cell.execution_count = 1
        cells.append(cell)
    probe = new_code_cell("probe", metadata={PROBE_METADATA: True})
    probe.outputs = [new_output("stream", name="stdout",
                                text=_printed({"doubled": 42, "halved": 21, "tripled": 21, "quartered": 21}) + "\n")]
    resources = {"nbgrader": {"notebook": "demo", "student": "ada", "assignment": "a9-demo"},
                 "metadata": {"path": str(tmp_path)}}
    with caplog.at_level(logging.ERROR):
        JudgeOutsideKernel().preprocess(new_notebook(cells=[*cells, probe]), resources)
    verdicts = json.loads((tmp_path / f"demo{VERDICTS_SUFFIX}").read_text())
    assert "check_error" not in verdicts["doubles"] and verdicts["halves"]["check_error"].startswith("its judge raised")
    logged = [record.getMessage() for record in caplog.records]
    assert check_error_line("a9-demo", "demo.ipynb", "halves", verdicts["halves"]["check_error"]) + \
        " (student ada scores 0 there)" in logged
    assert len(logged) == 3 and all("solutions/a9-demo/outside_checks.py" in line for line in logged)


# ---- end to end: the instructor sees it at grading time ----------------------------------------------------------

A1 = "a1-roles"


@pytest.mark.slow
def test_pm_course_grade_and_nbgrader_autograde_name_a_broken_check(generated, capsys):
    """A probe misspelt in a1's outside checks: 'pm-course grade' prints one warning naming the check, the assignment,
    the file and how many students it cost; plain 'nbgrader autograde' logs it as an error."""
    checks_file = generated / "solutions" / A1 / "outside_checks.py"
    source = checks_file.read_text()
    probe = next(name for name in ("r.roles", "r.classified", "r.role") if name in source)
    checks_file.write_text(source.replace(probe, probe + "_misspelt", 1))
    perfect = fill_solutions(generated / "exercises" / A1 / "roles.ipynb", generated / "solutions" / A1 / "roles.ipynb")
    for student in ("ada", "grace"):
        folder = generated / "submitted" / student / A1
        folder.mkdir(parents=True)
        nbformat.write(perfect, str(folder / "roles.ipynb"))
    serial = generated.parent / "serial"
    shutil.copytree(generated, serial)
    assert main(["grade", A1, "--course", str(generated), "--workers", "1", "--quiet", "--no-feedback"]) == 0
    warnings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("Warning: outside check")]
    assert len(warnings) == 1, warnings
    assert f"of {A1}/roles.ipynb" in warnings[0] and f"solutions/{A1}/outside_checks.py" in warnings[0]
    assert f"'{probe[2:]}_misspelt'" in warnings[0] and "for 2 of 2 graded students (ada, grace)" in warnings[0]
    logged = run_nbgrader(serial, "autograde", A1, "--force").stderr
    assert "outside check" in logged and f"'{probe[2:]}_misspelt'" in logged and "ERROR" in logged
