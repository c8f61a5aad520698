"""The case library: every case the course draws from the article and its comments.

``load_cases()`` reads ``data/cases.csv`` into a pandas DataFrame and checks it
against the schema documented in ``data/README.md``; a bad row raises
:class:`~course.errors.DataFileError` naming the file, the row and the column.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .errors import DataFileError
from .paths import data_dir
from .roles import ROLE_NAMES

COLUMNS = ("case_id", "source_author", "source_date", "source_kind", "theme", "roles", "lesson", "summary")
SOURCE_KINDS = ("article", "comment")
THEMES = (
    "lifecycle",
    "features_vs_scope",
    "program_management",
    "web_products",
    "who_decides",
    "when_it_goes_wrong",
    "careers",
)
_CASE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_LESSON_ID = re.compile(r"^\d\d-[a-z0-9-]+$")


def cases_path() -> Path:
    return data_dir() / "cases.csv"


def load_cases(path: str | Path | None = None) -> pd.DataFrame:
    """The case library as a DataFrame indexed by ``case_id``; ``roles`` is a tuple of role ids."""
    path = Path(path) if path is not None else cases_path()
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataFileError(f"{path}: the case library is missing") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a readable CSV file ({error})") from None
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    seen: set[str] = set()
    for row_number, row in enumerate(frame.itertuples(index=False), start=1):
        problem = _row_problem(row._asdict(), seen)
        if problem:
            column, message = problem
            raise DataFileError(f"{path}, row {row_number} (line {row_number + 1}), column '{column}': {message}")
        seen.add(row.case_id)
    frame = frame.loc[:, list(COLUMNS)].copy()
    frame["roles"] = frame["roles"].map(lambda value: tuple(value.split(";")))
    frame["source_date"] = pd.to_datetime(frame["source_date"], format="%Y-%m-%d")
    return frame.set_index("case_id")


def _row_problem(row: dict[str, str], seen: set[str]) -> tuple[str, str] | None:
    for column in COLUMNS:
        if not row[column].strip():
            return column, "is empty"
    if not _CASE_ID.match(row["case_id"]):
        return "case_id", f"'{row['case_id']}' is not a lower-case slug such as 'features-vs-scope'"
    if row["case_id"] in seen:
        return "case_id", f"'{row['case_id']}' is used by an earlier row"
    if not re.match(r"^\d{4}-\d{2}-\d{2}$", row["source_date"]) or pd.isna(
        pd.to_datetime(row["source_date"], format="%Y-%m-%d", errors="coerce")
    ):
        return "source_date", f"'{row['source_date']}' is not a date written YYYY-MM-DD"
    if row["source_kind"] not in SOURCE_KINDS:
        return "source_kind", f"'{row['source_kind']}' is not one of {', '.join(SOURCE_KINDS)}"
    if row["theme"] not in THEMES:
        return "theme", f"'{row['theme']}' is not one of {', '.join(THEMES)}"
    unknown = [role for role in row["roles"].split(";") if role not in ROLE_NAMES]
    if unknown:
        return "roles", f"unknown role(s) {', '.join(unknown)}; known: {', '.join(ROLE_NAMES)}"
    if not _LESSON_ID.match(row["lesson"]):
        return "lesson", f"'{row['lesson']}' is not a lesson id such as '02-features-vs-scope'"
    return None
