"""Reading a CSV data file against its documented schema, with errors that name file, row and column.

A schema maps each column to a check: a function that takes the cell's text and
returns None when it is fine, or a few words saying what is wrong with it.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterable, Mapping

import pandas as pd

from course.errors import DataFileError

Check = Callable[[str], "str | None"]


def read_checked_csv(path: str | Path, schema: Mapping[str, Check], unique: Iterable[str] = (),
                     optional: Iterable[str] = ()) -> pd.DataFrame:
    """The CSV at ``path`` as text columns, every cell checked; the first bad cell raises DataFileError."""
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise DataFileError(f"{path}: the file is missing") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: not a readable CSV file ({error})") from None
    missing = [column for column in schema if column not in frame.columns]
    if missing:
        raise DataFileError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(schema)}")
    optional, unique = set(optional), set(unique)
    seen: dict[str, set[str]] = {column: set() for column in unique}
    for row_number, row in enumerate(frame.loc[:, list(schema)].itertuples(index=False), start=1):
        for column, value in zip(schema, row, strict=True):
            if not value.strip():
                problem = None if column in optional else "is empty"
            elif column in unique and value in seen[column]:
                problem = f"'{value}' is used by an earlier row"
            else:
                problem = schema[column](value)
            if problem:
                raise DataFileError(f"{path}, row {row_number} (line {row_number + 1}), column '{column}': {problem}")
            if column in unique:
                seen[column].add(value)
    return frame.loc[:, list(schema)].copy()


def any_text(value: str) -> str | None:
    return None


def one_of(*allowed: str) -> Check:
    def check(value: str) -> str | None:
        return None if value in allowed else f"'{value}' is not one of {', '.join(allowed)}"
    return check


def all_of(allowed: Iterable[str], separator: str = ";", what: str = "value") -> Check:
    allowed = tuple(allowed)

    def check(value: str) -> str | None:
        unknown = [item for item in value.split(separator) if item not in allowed]
        return f"unknown {what}(s) {', '.join(unknown)}; known: {', '.join(allowed)}" if unknown else None
    return check


def matches(pattern: str, example: str) -> Check:
    compiled = re.compile(pattern)

    def check(value: str) -> str | None:
        return None if compiled.fullmatch(value) else f"'{value}' is not {example}"
    return check


def iso_date(value: str) -> str | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and not pd.isna(pd.to_datetime(value, format="%Y-%m-%d",
                                                                                  errors="coerce")):
        return None
    return f"'{value}' is not a date written YYYY-MM-DD"


def number(value: str) -> str | None:
    try:
        float(value)
    except ValueError:
        return f"'{value}' is not a number"
    return None
