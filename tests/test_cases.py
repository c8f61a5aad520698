"""Does the case library load, and does a broken one say exactly what is wrong?"""
from __future__ import annotations

import pandas as pd
import pytest

from course.cases import COLUMNS, load_cases
from course.errors import DataFileError
from course.roles import ROLE_NAMES

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
