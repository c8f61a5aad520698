"""CSV files that an instructor opens in a spreadsheet: student text can never become a formula.

Student ids, notes and answers reach the exports and reports; a cell that starts with ``=``,
``+``, ``-``, ``@`` (and a few more) is a formula to Excel, LibreOffice and Google Sheets, which
can run commands or send data away (CSV injection). Every file goes through defusedcsv's writer,
which prefixes such text with an apostrophe and leaves numbers, negative ones included, as they are.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from defusedcsv import csv


def write_csv(frame: pd.DataFrame, path: str | Path, index: bool = False, index_label: str | None = None) -> None:
    """Write ``frame`` as ``pandas.DataFrame.to_csv`` would (blank for missing values), with formulas neutralized."""
    table = frame.reset_index(names=index_label or frame.index.name or "") if index else frame
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([str(column) for column in table.columns])
        for row in table.itertuples(index=False, name=None):
            writer.writerow(["" if _missing(value) else value for value in row])


def _missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists and other containers are never "missing"
        return False
