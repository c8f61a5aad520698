"""What a student's feedback says under a failing test: which kind of test failed, and what to review.

A test cell has a visible part (the student sees its code in the assignment) and may have a hidden part
(between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``, removed from everything students get). The
failing line is read from the traceback (IPython names it: ``Cell In[7], line 4``) and placed in the cell's source
as nbgrader ran it (the gradebook's copy of the instructor's cell, never the student's). Then:

* a **visible** test failed: the error and the line of visible code that failed;
* a **hidden** test failed: no code, no message from the test (it could quote the check's inputs), but what the
  part checks and the lesson section to review, from ``data/graded_items.csv`` (:mod:`.graded_items`), and
  whether the check found a wrong answer or the student's code raised an error.
"""
from __future__ import annotations

import re

from course.grading.pipeline.graded_items import graded_item

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FAILING_LINE = re.compile(r"(?:Cell In\s*\[\d*\],\s*line (\d+)|<cell line: (\d+)>|^-+> (\d+) )", re.M)


def hidden_lines(source: str) -> set[int]:
    """The 1-based line numbers of ``source`` inside (and on) hidden-test markers."""
    hidden, inside = set(), False
    for number, line in enumerate(source.splitlines(), start=1):
        if BEGIN_HIDDEN in line:
            inside = True
        if inside:
            hidden.add(number)
        if END_HIDDEN in line:
            inside = False
    return hidden


def failing_line(traceback: list[str]) -> int | None:
    """The line of the test cell where it failed: the first frame of the traceback, which is the cell's own."""
    text = ANSI.sub("", "\n".join(traceback or []))
    match = FAILING_LINE.search(text)
    if not match:
        return None
    return int(next(group for group in match.groups() if group))


def failure_label(output: dict, source: str | None, assignment: str | None, grade_id: str | None) -> list[str]:
    """The lines shown in place of a failing test's traceback."""
    ename = str(output.get("ename") or "Error")
    evalue = str(output.get("evalue") or "")
    hidden = hidden_lines(source or "")
    line = failing_line(output.get("traceback") or [])
    if source is None:
        in_hidden = True  # the source cannot be read: say nothing that might come from a hidden test
    else:
        in_hidden = line in hidden if line is not None else bool(hidden)
    if not in_hidden:
        code = (source or "").splitlines()[line - 1].strip() if source and line and \
            line <= len(source.splitlines()) else ""
        where = f" at line {line} of this cell: {code}" if code else ""
        return [f"{ename}: {evalue}".rstrip(": "), f"(A visible test failed{where}.)"]
    what = "the check found an answer that is not what this part asks for" if ename == "AssertionError" else \
        f"your code raised {ename} while the check ran it"
    item = graded_item(assignment or "", grade_id or "")
    lines = [f"(A hidden test failed; its code is not shown: {what}.)"]
    if item is not None:
        lines.append(f"It checks {item.concept}. Review {item.review()}.")
    return lines


def source_of_test(resources: dict, grade_id: str) -> str | None:
    """The test cell's source as nbgrader ran it (the gradebook's copy of the instructor's cell), or None."""
    info = resources.get("nbgrader", {}) if isinstance(resources, dict) else {}
    if not (info.get("db_url") and info.get("notebook") and info.get("assignment")):
        return None
    try:
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(info["db_url"]) as gradebook:
            return gradebook.find_source_cell(grade_id, info["notebook"], info["assignment"]).source
    except (MissingEntry, Exception):  # no gradebook entry: the label falls back to "hidden", the safe side
        return None
