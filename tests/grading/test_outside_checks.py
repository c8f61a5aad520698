"""The pieces of outside checking that need no kernel: reading the probe's line, comparing plain data, finding
tampering in a notebook's source."""
from __future__ import annotations

import json

import nbformat
import pytest

from course.grading.nbgrader_plugins.outside_checks import (
    PROBE_MARK,
    Checks,
    Raised,
    read_probe_results,
    same,
    share_of_matches,
)
from course.grading.nbgrader_plugins.preprocessors import (
    WITHHELD,
    ExecuteWithinDeadline,
    HideHiddenTests,
    RestoreHiddenTests,
    WithholdHiddenTests,
    without_hidden_tests,
)
from course.grading.nbgrader_plugins.tampering import find_tampering


def line(results: dict) -> str:
    return PROBE_MARK + json.dumps(results)


def test_same_checks_types_as_well_as_values():
    assert same({"a": [1, "x"]}, {"a": [1, "x"]})
    assert not same(True, 1) and not same(1, 1.0) and not same("a", ["a"]) and not same([1], [1, 2])
    assert not same({"a": 1}, {"a": 1, "b": 2})


def test_share_of_matches_counts_each_item_and_multiple_choices_in_any_order():
    key = {"q1": "a", "q2": ["b", "c"], "q3": "d", "q4": "e"}
    assert share_of_matches({"q1": "a", "q2": ["c", "b"], "q3": "x"}, key) == 0.5
    assert share_of_matches("not a dict", key) == 0 and share_of_matches({"q1": ["a"]}, key) == 0


def test_probe_results_come_back_as_plain_values_or_raised():
    values = read_probe_results("noise\n" + line({"x": {"value": [1, 2]}, "y": {"raised": "ValueError",
                                                                                 "message": "bad duration"}}))
    assert values == {"x": [1, 2], "y": Raised("ValueError", "bad duration")}


@pytest.mark.parametrize("printed", ["", "no line at all", line({}) + "\n" + line({}), PROBE_MARK + "{not json",
                                     PROBE_MARK + "[1, 2]"])
def test_no_trustworthy_line_means_no_results(printed):
    """Missing, doubled (the notebook printed one of its own), or malformed: nothing is believed."""
    assert read_probe_results(printed) is None


def test_judging_shares_and_a_judge_that_breaks_on_odd_data():
    checks = Checks("demo.ipynb")

    @checks.cell("double", doubled="double(2)")
    def _double(r):
        return same(r.doubled, 4)

    @checks.cell("upper", shout="shout('hi')")
    def _upper(r):
        return r.shout.upper() == "HI"  # breaks when the probe raised: counts as failed, not as a crash

    shares = checks.judge(line({"doubled": {"value": 4}, "shout": {"raised": "NameError", "message": "shout"}}))
    assert shares == {"double": 1.0, "upper": 0.0}
    assert checks.judge("nothing printed") == {"double": None, "upper": None}


def test_a_check_defined_twice_is_refused():
    checks = Checks("demo.ipynb")
    checks.cell("one", x="1")(lambda r: True)
    with pytest.raises(ValueError):
        checks.cell("one", y="2")(lambda r: True)
    with pytest.raises(ValueError):
        checks.cell("two", x="3")(lambda r: True)


def test_the_probe_cell_prints_one_line_of_plain_data():
    checks = Checks("demo.ipynb", setup="base = 10")
    checks.cell("add", total="add(base, 5)", pair="(1, {2})", broken="add(None, 1)")(lambda r: True)
    namespace = {"add": lambda a, b: a + b}
    printed = []
    namespace["print"] = printed.append
    exec(checks.probe_source(), namespace)
    values = read_probe_results("\n".join(printed))
    assert values["total"] == 15 and values["pair"] == [1, [2]]
    assert isinstance(values["broken"], Raised) and values["broken"].name == "TypeError"
    assert "base" not in namespace, "setup names must not clobber the student's"


def test_tampering_is_found_in_the_source_and_named():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("get_ipython().input_transformers_post in prose is harmless"),
        nbformat.v4.new_code_cell("get_ipython().input_transformers_post.append(lambda lines: [])"),
        nbformat.v4.new_code_cell("import builtins\nbuiltins.isinstance = lambda *a: True"),
        nbformat.v4.new_code_cell("class Y(str):\n    def __eq__(self, other):\n        return True"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport sys\nsys.modules['json'] = None"),
        nbformat.v4.new_code_cell("def honest(x):\n    return x * 2"),
    ]
    found = [str(finding) for finding in find_tampering(notebook)]
    assert any(text.startswith("cell 2 ") and "input transformer" in text for text in found)
    assert any(text.startswith("cell 3 ") and "built-in" in text for text in found)
    assert any(text.startswith("cell 4 ") and "__eq__" in text for text in found)
    assert any(text.startswith("cell 5 ") and "modules" in text for text in found)
    assert not any(text.startswith(("cell 1 ", "cell 6 ")) for text in found)


def test_a_probe_sees_the_notebooks_functions_never_its_data():
    """Issue 17, class 1: a probe given a table the student can replace can be fed a trivial one; so probes see only
    the notebook's functions and classes, and build their inputs in the setup."""
    checks = Checks("demo.ipynb", setup="def fresh_table():\n    return [3, 4]")
    checks.cell("total", own="total(fresh_table())", notebooks="total(table)")(lambda r: True)
    namespace = {"total": sum, "table": [], "print": None}
    printed = []
    namespace["print"] = printed.append
    exec(checks.probe_source(), namespace)
    values = read_probe_results("\n".join(printed))
    assert values["own"] == 7
    assert isinstance(values["notebooks"], Raised) and values["notebooks"].name == "NameError"


def _test_cell(grade_id, source, points=1):
    return nbformat.v4.new_code_cell(source, metadata={"nbgrader": {
        "grade": True, "solution": False, "grade_id": grade_id, "points": points, "locked": True}})


HIDDEN = "assert double(2) == 4\n### BEGIN HIDDEN TESTS\nassert double(21) == 42\n### END HIDDEN TESTS"


def test_hidden_tests_are_cut_out_of_the_test_cells_only_and_an_open_region_hides_the_rest():
    assert without_hidden_tests(HIDDEN, "pass") == ("assert double(2) == 4\npass", True)
    indented = "for x in (1,):\n    ### BEGIN HIDDEN TESTS\n    assert x\n    ### END HIDDEN TESTS\nprint(1)"
    assert without_hidden_tests(indented, "pass") == ("for x in (1,):\n    pass\nprint(1)", True)
    assert without_hidden_tests("a = 1\n# BEGIN HIDDEN TESTS\nsecret = 2\nmore = 3") == ("a = 1", True)


def test_hidden_tests_never_reach_the_kernel_and_come_back_for_formgrader(monkeypatch):
    """Issue 17, class 1: what the kernel runs holds no hidden test (so no hook, notebook file or comparing object
    can learn an expected value from it); a student's cell that merely holds the marker runs as written."""
    from course.grading.nbgrader_plugins import preprocessors

    checks = Checks("demo.ipynb")
    checks.cell("double_values")(lambda r: True)
    monkeypatch.setattr(preprocessors, "_checks_for", lambda *_: checks)
    student = nbformat.v4.new_code_cell("def double(x):\n    return 2 * x  # BEGIN HIDDEN TESTS in my notes")
    notebook = nbformat.v4.new_notebook(cells=[student, _test_cell("double_values", HIDDEN)])
    notebook, resources = WithholdHiddenTests().preprocess(notebook, {})
    assert "42" not in notebook.cells[1].source and "assert double(2) == 4" in notebook.cells[1].source
    assert notebook.cells[0].source.endswith("# BEGIN HIDDEN TESTS in my notes"), "a student's cell is left alone"
    notebook, _ = RestoreHiddenTests().preprocess(notebook, resources)
    assert notebook.cells[1].source == HIDDEN and WITHHELD not in resources


def test_hidden_tests_without_an_outside_check_stop_the_grading(monkeypatch):
    """Fails closed: hidden points that nothing would decide are never given away."""
    from course.grading.nbgrader_plugins import preprocessors

    monkeypatch.setattr(preprocessors, "_checks_for", lambda *_: Checks("demo.ipynb"))
    notebook = nbformat.v4.new_notebook(cells=[_test_cell("double_values", HIDDEN)])
    with pytest.raises(ValueError, match="double_values.*no outside check"):
        WithholdHiddenTests().preprocess(notebook, {})
    rubric = nbformat.v4.new_notebook(cells=[_test_cell("rubric", "x = 1\n### BEGIN HIDDEN TESTS\n# *Rubric*\n"
                                                                  "### END HIDDEN TESTS", points=0)])
    source = WithholdHiddenTests().preprocess(rubric, {})[0].cells[0].source
    assert source == "x = 1\npass  # hidden tests: run by the grader", "a rubric (0 points) needs no check"


def test_the_feedback_hides_hidden_tests_and_breaks_on_no_marker_in_a_students_cell():
    """Issue 17, class 2: nbgrader's ClearHiddenTests stopped the feedback on a student's unclosed marker."""
    student = nbformat.v4.new_code_cell("x = 1  # ### BEGIN HIDDEN TESTS, never closed",
                                        metadata={"nbgrader": {"grade": False, "solution": True, "grade_id": "x"}})
    notebook = nbformat.v4.new_notebook(cells=[student, _test_cell("double_values", HIDDEN)])
    notebook, _ = HideHiddenTests().preprocess(notebook, {})
    assert notebook.cells[0].source == "x = 1  # ### BEGIN HIDDEN TESTS, never closed"
    assert notebook.cells[1].source == "assert double(2) == 4"
    from nbgrader.preprocessors import ClearHiddenTests

    with pytest.raises(RuntimeError):  # the mutation check: nbgrader's own
        ClearHiddenTests().preprocess(nbformat.v4.new_notebook(cells=[student]), {})


def test_a_display_update_changes_the_running_cells_output_only():
    """Issue 17, class 2: an update sent while a later cell (the probe) runs must not rewrite an earlier output."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("shown"), nbformat.v4.new_code_cell("later")])
    notebook.cells[0].outputs = [nbformat.v4.new_output("display_data", data={"text/plain": "nothing yet"})]
    update = {"header": {"msg_type": "update_display_data"}, "msg_type": "update_display_data",
              "content": {"data": {"text/plain": "the probe's inputs"}, "metadata": {},
                          "transient": {"display_id": "spy"}}}
    executor = ExecuteWithinDeadline()
    executor.nb = notebook
    executor._display_id_map = {"spy": {0: [0]}}
    executor._running_index = 1
    executor._update_display_id("spy", json.loads(json.dumps(update)))
    assert notebook.cells[0].outputs[0]["data"]["text/plain"] == "nothing yet"
    from nbclient import NotebookClient

    plain = NotebookClient(notebook)  # the mutation check: nbclient's own rewrites it
    plain._display_id_map = {"spy": {0: [0]}}
    plain._update_display_id("spy", json.loads(json.dumps(update)))
    assert notebook.cells[0].outputs[0]["data"]["text/plain"] == "the probe's inputs"
