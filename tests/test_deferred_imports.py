"""The IRI grammar jsonschema would build at import (course/processes/deferred_imports.py) is built only when first
used; course/processes/run_module.py runs library command lines with it deferred."""
from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = r'''
import sys
import course.grading.pipeline  # defers the grammar, as every grading process and the command line do
import nbformat, jsonschema
from jsonschema import Draft7Validator
stand_in = type(sys.modules.get("rfc3987_syntax")).__name__ == "module" and \
    not hasattr(sys.modules["rfc3987_syntax"], "syntax_helpers")
validator = Draft7Validator({"type": "string", "format": "iri"}, format_checker=Draft7Validator.FORMAT_CHECKER)
print(stand_in, validator.is_valid("https://example.org/r%C3%A9sum%C3%A9"), validator.is_valid("not an iri ::"),
      hasattr(sys.modules["rfc3987_syntax"], "syntax_helpers"))
'''


@pytest.mark.slow  # a Python process importing nbformat and jsonschema: over a second
def test_nbformat_imports_without_building_the_iri_grammar_and_iris_are_still_checked():
    pytest.importorskip("rfc3987_syntax", reason="jsonschema's IRI checker is not installed here; nothing to defer")
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    stand_in, good_valid, bad_valid, real_loaded = result.stdout.split()
    assert stand_in == "True", "until an IRI is checked, the grammar module is a stand-in"
    assert (good_valid, bad_valid) == ("True", "False"), "IRIs are checked as jsonschema checks them"
    assert real_loaded == "True", "the first check loaded the real module"


@pytest.mark.parametrize("command", [["calendar", "2007", "9"], ["json.tool", "--no-such-option"]],
                         ids=["output", "exit status"])
def test_run_module_runs_a_command_line_as_python_dash_m_does(command):
    """The same output, errors and exit status as ``python -m``, argument for argument (here with small standard
    modules; every nbgrader command of the slow tests goes through it too)."""
    ours = subprocess.run([sys.executable, "-m", "course.processes.run_module", *command], capture_output=True,
                          text=True)
    theirs = subprocess.run([sys.executable, "-m", *command], capture_output=True, text=True)
    assert (ours.returncode, ours.stdout, ours.stderr) == (theirs.returncode, theirs.stdout, theirs.stderr)
    assert theirs.stdout.strip() or theirs.stderr.strip(), "the comparison needs something to compare"


def test_run_module_without_a_module_says_how_to_use_it():
    result = subprocess.run([sys.executable, "-m", "course.processes.run_module"], capture_output=True, text=True)
    assert result.returncode != 0 and "usage: python -m course.processes.run_module MODULE" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_checks_a_students_kernel_imports_change_nothing_else():
    """Hidden tests import the widget checks in the student's kernel: does that import leave ``sys.modules`` without a
    stand-in and pull in no other module of the course (nothing of the grader: it marks answers in its own process)?"""
    probe = ("import sys, course.exercises.widget_checks\n"
             "print(sorted(m for m in sys.modules if m == 'rfc3987_syntax' or m.startswith('course')))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "['course', 'course.exercises', 'course.exercises.widget_checks']"
