"""Feedback under a failing test says whether a visible or a hidden test failed; a hidden failure names what the
part checks and the lesson section to review, never the test."""
from __future__ import annotations

import json

import nbformat
import pytest

from course.grading.pipeline.feedback_labels import failing_line, failure_label
from course.grading.pipeline.graded_items import load_graded_items

from ..conftest import REPO

SOURCE = '''"""Check that classify returns one role id per activity"""
roles = classify(activities)
assert isinstance(roles, pd.Series), "classify must return a pandas Series"
### BEGIN HIDDEN TESTS
assert classify(unseen).to_dict() == {"z9": "product_manager", "z1": "project_manager"}
### END HIDDEN TESTS'''


def _error(ename: str, evalue: str, line: int) -> dict:
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": ["\x1b[0;31m------\x1b[0m", f"\x1b[0;31m{ename}\x1b[0m   Traceback (most recent call last)",
                          f"Cell \x1b[0;32mIn[7], line {line}\x1b[0m\n----> {line} assert ...",
                          f"\x1b[0;31m{ename}\x1b[0m: {evalue}"]}


def test_the_failing_line_is_read_from_ipythons_traceback():
    assert failing_line(_error("AssertionError", "", 3)["traceback"]) == 3
    assert failing_line(["Input In [4], in <cell line: 5>()"]) == 5
    assert failing_line(["no line here"]) is None


def test_a_visible_failure_says_so_and_shows_its_line():
    label = failure_label(_error("AssertionError", "classify must return a pandas Series", 3), SOURCE,
                          "a1-roles", "classify_form")
    assert label[0] == "AssertionError: classify must return a pandas Series"
    assert "A visible test failed at line 3 of this cell: assert isinstance(roles, pd.Series)" in label[1]
    assert "hidden" not in " ".join(label)


def test_a_hidden_failure_names_the_concept_and_section_never_the_test():
    label = " ".join(failure_label(_error("AssertionError", "{'z9': 'product_manager'} != ...", 5), SOURCE,
                                   "a1-roles", "classify_form"))
    assert "A hidden test failed" in label and "not what this part asks for" in label
    assert "leaving the table you were given as it was" in label
    assert "Review lesson 00b-pandas-primer, section “Leave the table you are given as it was”" in label
    assert "z9" not in label and "unseen" not in label and "product_manager" not in label
    raised = " ".join(failure_label(_error("KeyError", "'z9'", 5), SOURCE, "a1-roles", "classify_form"))
    assert "your code raised KeyError" in raised and "z9" not in raised


def test_without_the_source_the_label_errs_on_the_hidden_side():
    label = " ".join(failure_label(_error("AssertionError", "secret", 2), None, "a1-roles", "classify_form"))
    assert "A hidden test failed" in label and "secret" not in label


def _graded_cells() -> dict[tuple[str, str], str]:
    cells = {}
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            info = cell.get("metadata", {}).get("nbgrader", {})
            if info.get("grade") and info.get("points"):
                cells[(path.parent.name, info["grade_id"])] = cell.cell_type
    return cells


def test_every_graded_part_says_what_it_checks_and_where_to_review():
    """data/graded_items.csv has a row for every graded cell with points, and only for those."""
    items, cells = load_graded_items(), _graded_cells()
    assert sorted(set(cells) - set(items)) == [], "graded cells without a row in data/graded_items.csv"
    assert sorted(set(items) - set(cells)) == [], "rows of data/graded_items.csv for no graded cell"


@pytest.mark.parametrize("key", sorted(load_graded_items()), ids=lambda key: f"{key[0]}:{key[1]}")
def test_every_review_section_is_a_heading_of_its_lesson(key):
    item = load_graded_items()[key]
    lesson = REPO / "course" / "lessons" / f"{item.lesson}.ipynb"
    assert lesson.is_file(), f"{item.lesson} is not a lesson"
    headings = {line[3:].strip() for cell in json.loads(lesson.read_text())["cells"] if cell["cell_type"] == "markdown"
                for line in "".join(cell["source"]).splitlines() if line.startswith("## ")}
    assert item.section in headings, f"{item.lesson} has no section {item.section!r}"
