"""Do the case library and the record of responses load, and does a broken one say exactly what is wrong?"""
from __future__ import annotations

import pandas as pd
import pytest

from course.content.cases import COLUMNS, RESPONSE_SCHEMA, load_cases, load_responses
from course.content.roles import ROLE_NAMES
from course.errors import DataFileError

from .conftest import REPO


def test_case_library_loads_with_checked_columns():
    """Can the shipped case library be loaded, with one row per case id and known roles?"""
    cases = load_cases()
    assert cases.index.name == "case_id"
    assert cases.index.is_unique
    assert list(cases.columns) == list(COLUMNS[1:])
    assert len(cases) >= 25
    assert all(role in ROLE_NAMES for roles in cases["roles"] for role in roles)
    assert cases["source_date"].dt.year.between(2007, 2008).all()


def test_every_column_is_described_in_the_data_readme():
    """Does data/README.md describe every column of the case library?"""
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    for column in COLUMNS:
        assert f"`{column}`" in readme, f"data/README.md does not describe column {column}"


def _write_with(tmp_path, **changes):
    frame = pd.read_csv(REPO / "data" / "cases.csv", dtype=str, keep_default_na=False)
    for column, value in changes.items():
        frame.loc[2, column] = value
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "column, value, words",
    [
        ("roles", "product_manager;wizard", "unknown role(s) wizard"),
        ("source_date", "24/09/2007", "not a date written YYYY-MM-DD"),
        ("source_kind", "tweet", "not one of article, comment"),
        ("case_id", "Features vs Scope", "not a lower-case slug"),
        ("summary", "", "is empty"),
        ("lesson", "lesson two", "not a lesson id"),
    ],
)
def test_a_bad_row_names_file_row_and_column(tmp_path, column, value, words):
    """Does a bad value give an error naming the file, the row and the column, and saying what is wrong?"""
    path = _write_with(tmp_path, **{column: value})
    with pytest.raises(DataFileError) as caught:
        load_cases(path)
    message = str(caught.value)
    assert str(path) in message
    assert "row 3 (line 4)" in message
    assert f"column '{column}'" in message
    assert words in message


def test_a_duplicate_case_id_is_reported(tmp_path):
    """Is a case id used twice reported at the second row?"""
    frame = pd.read_csv(REPO / "data" / "cases.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "case_id"] = frame.loc[0, "case_id"]
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match=r"row 2 .*used by an earlier row"):
        load_cases(path)


def test_a_missing_column_or_file_is_reported(tmp_path):
    """Are a missing column and a missing file reported in words, not tracebacks?"""
    frame = pd.read_csv(REPO / "data" / "cases.csv", dtype=str, keep_default_na=False).drop(columns=["theme"])
    path = tmp_path / "cases.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match="missing column.*theme"):
        load_cases(path)
    with pytest.raises(DataFileError, match="missing"):
        load_cases(tmp_path / "nowhere.csv")


def test_the_response_record_loads_in_thread_order():
    """Does data/responses.csv load, numbered 1 to 28, each response with cases or a reason, dates in 2007-2008?"""
    responses = load_responses()
    assert list(responses.index) == list(range(1, 29))
    assert all(bool(ids) != bool(reason)
               for ids, reason in zip(responses["case_ids"], responses["excluded"], strict=True))
    assert responses["date"].is_monotonic_increasing
    assert responses["date"].dt.year.between(2007, 2008).all()


def test_every_response_column_is_described_in_the_data_readme():
    """Does data/README.md describe every column of the response record?"""
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    for column in RESPONSE_SCHEMA:
        assert f"`{column}`" in readme, f"data/README.md does not describe column {column} of responses.csv"


@pytest.mark.parametrize("case_ids, excluded", [("subset-debate", "a pingback with nothing to teach"), ("", "")])
def test_a_response_with_both_or_neither_is_refused(tmp_path, case_ids, excluded):
    """Is a response that both feeds cases and is excluded, or does neither, refused with its row named?"""
    frame = pd.read_csv(REPO / "data" / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[3, ["case_ids", "excluded"]] = [case_ids, excluded]
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match=r"row 4 \(line 5\): give either case_ids or an excluded reason"):
        load_responses(path)


def test_a_bad_response_time_is_reported(tmp_path):
    """Is a time written on the thread's 12-hour clock reported as not the 24-hour form, naming row and column?"""
    frame = pd.read_csv(REPO / "data" / "responses.csv", dtype=str, keep_default_na=False)
    frame.loc[1, "time"] = "7:17 pm"
    path = tmp_path / "responses.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataFileError, match=r"row 2 \(line 3\), column 'time': '7:17 pm' is not a 24-hour time"):
        load_responses(path)
