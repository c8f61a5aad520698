"""The grade exports (course/grading/pipeline/exports.py) on a hand-made summary, without grading anyone: which rows
each LMS file gets and which identifiers they carry."""
from __future__ import annotations

import pandas as pd
import pytest

from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.exports import export_grades
from course.grading.pipeline.lms import Identities, Identity

from .test_lms_import import ASSIGNMENT, _summary


@pytest.fixture
def course(course_dir, quick_gradebooks) -> CourseFolder:
    return CourseFolder.at(course_dir)


def _read(path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_moodle_rows_match_on_the_participant_from_the_download_and_the_address_from_the_roster(course, tmp_path):
    """A Moodle grade export as --roster (names and e-mail addresses, no participant numbers): Jane's worksheet row
    carries the participant number of her download folder, her moodle.csv row the roster's address; Kim, in neither,
    is matched on her student id as user name and named in a warning; Lee's provisional grade goes nowhere."""
    Identities({"jane-smith": Identity("moodle", name="Jane Smith", moodle_participant="101")}).save(course, ASSIGNMENT)
    roster = tmp_path / "grades-export.csv"
    roster.write_text("First name,Last name,ID number,Institution,Department,Email address\n"
                      "Jane,Smith,,,,jane@example.edu\n", encoding="utf-8")
    summary = _summary([("jane-smith", "final", 11.5), ("kim", "final", 9.0), ("lee", "provisional", 5.0)])
    result = export_grades(course, ASSIGNMENT, summary, tmp_path / "out", roster=roster)
    moodle = _read(tmp_path / "out" / "moodle.csv")
    assert list(moodle.columns) == ["Username", "Email address", ASSIGNMENT, "Feedback"]
    assert moodle.values.tolist() == [["", "jane@example.edu", "11.5", ""], ["kim", "", "9", ""]]
    worksheet = _read(tmp_path / "out" / "moodle-worksheet.csv")
    assert worksheet[["Identifier", "Full name", "Email address", "Grade", "Maximum Grade"]].values.tolist() == [
        ["Participant 101", "Jane Smith", "jane@example.edu", "11.5", "13"]]
    assert result.final == 2 and [warning for warning in result.warnings if "not in the roster" in warning] == [
        "not in the roster grades-export.csv: kim (their rows carry only the student id; check the id or the "
        "roster)"]
    assert _read(tmp_path / "out" / "summary.csv")["student"].tolist() == ["jane-smith", "kim", "lee"]
    canvas = _read(tmp_path / "out" / "canvas.csv")
    assert canvas["Student"].tolist() == ["    Points Possible", "Jane Smith", "kim"], "no row for Lee"


def test_without_any_moodle_identity_there_is_no_worksheet_and_a_warning_says_what_to_upload(course, tmp_path):
    """Canvas identities only: the worksheet (which matches on participant numbers) is not written, and an earlier
    one is removed rather than left to be uploaded by mistake."""
    Identities({"smithjane": Identity("canvas", name="Smith, Jane", canvas_user_id="4321")}).save(course, ASSIGNMENT)
    out = tmp_path / "out"
    out.mkdir()
    (out / "moodle-worksheet.csv").write_text("an earlier export\n", encoding="utf-8")
    result = export_grades(course, ASSIGNMENT, _summary([("smithjane", "final", 13.0)]), out)
    assert not (out / "moodle-worksheet.csv").exists()
    assert _read(out / "canvas.csv")[["Student", "ID", "SIS Login ID"]].values.tolist() == [
        ["    Points Possible", "", ""], ["Smith, Jane", "4321", ""]]
    assert any(warning.startswith("moodle.csv: no Moodle user name or e-mail address for 1 student(s) (smithjane)")
               for warning in result.warnings)
