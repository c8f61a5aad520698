"""The pieces of outside checking that need no kernel: reading the probe's line, comparing plain data, finding
tampering in a notebook's source."""
from __future__ import annotations

import json

import nbformat
import pytest

from course.grading.outside_checks import PROBE_MARK, Checks, Raised, read_probe_results, same, share_of_matches
from course.grading.tampering import find_tampering


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
