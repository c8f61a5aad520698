"""The portfolio data set: made-up but realistic projects across four products (``data/portfolio.csv``)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from course.content.tables import any_text, iso_date, matches, number, one_of, read_checked_csv
from course.paths import data_dir

SCHEMA = {
    "project_id": matches(r"P\d\d", "a project id such as 'P07'"),
    "project": any_text,
    "product": any_text,
    "product_manager": any_text,
    "project_manager": any_text,
    "start": iso_date,
    "deadline": iso_date,
    "end": iso_date,
    "budget_k": number,
    "actual_cost_k": number,
    "goals_met": one_of("yes", "no"),
    "depends_on": matches(r"P\d\d(?:;P\d\d)*", "project ids joined by ';' such as 'P03;P05'"),
}
DATES = ("start", "deadline", "end")


def portfolio_path() -> Path:
    return data_dir() / "portfolio.csv"


def load_portfolio(path: str | Path | None = None) -> pd.DataFrame:
    """The portfolio with dates as datetimes, money as floats, goals_met as bool, depends_on as a tuple of ids."""
    frame = read_checked_csv(path if path is not None else portfolio_path(), SCHEMA, unique=["project_id"],
                             optional=["depends_on"])
    for column in DATES:
        frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
    for column in ("budget_k", "actual_cost_k"):
        frame[column] = frame[column].astype(float)
    frame["goals_met"] = frame["goals_met"] == "yes"
    frame["depends_on"] = frame["depends_on"].map(lambda value: tuple(value.split(";")) if value else ())
    return frame
