"""Can a student's text in an export run as a spreadsheet formula? (issue 17, class 6)"""
from __future__ import annotations

import csv

import pandas as pd

from course.spreadsheet_csv import write_csv

ATTACKS = ["=HYPERLINK(\"http://evil\",\"x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]


def test_formulas_in_student_text_are_neutralized_and_numbers_kept(tmp_path):
    """Do cells that start with = + - @ reach the file as text, while scores (even negative) stay numbers?"""
    frame = pd.DataFrame({"student": ["alice", *ATTACKS], "score": [7.5, -1, 0, 3, None],
                          "notes": ["", "=1+1", "fine", None, "-"]})
    path = tmp_path / "out.csv"
    write_csv(frame, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    # defusedcsv also escapes "|", which spreadsheets read as a DDE command separator
    assert [row["student"] for row in rows] == ["alice", *("'" + attack.replace("|", "\\|") for attack in ATTACKS)]
    assert [row["score"] for row in rows] == ["7.5", "-1.0", "0.0", "3.0", ""]
    assert [row["notes"] for row in rows] == ["", "'=1+1", "fine", "", "'-"]


def test_the_index_is_written_under_its_label(tmp_path):
    """Does an indexed table (the report's per-student scores) keep its index column, neutralized too?"""
    frame = pd.DataFrame({"total": [3, 4]}, index=pd.Index(["bob", "=evil"], name="student"))
    path = tmp_path / "scores.csv"
    write_csv(frame, path, index=True)
    assert path.read_text(encoding="utf-8").splitlines() == ["student,total", "bob,3", "'=evil,4"]
