"""The course glossary (``data/glossary.csv``), one term a row."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from course.content.tables import any_text, matches, read_checked_csv
from course.paths import data_dir

SCHEMA = {
    "term": any_text,
    "definition": any_text,
    "lesson": matches(r"\d\d-[a-z0-9-]+", "a lesson id such as '03-the-third-pm'"),
    "source": any_text,
}


def load_glossary(path: str | Path | None = None) -> pd.DataFrame:
    """The glossary indexed by term, in alphabetical order."""
    frame = read_checked_csv(path if path is not None else data_dir() / "glossary.csv", SCHEMA, unique=["term"])
    return frame.set_index("term").sort_index(key=lambda terms: terms.str.lower())
