"""The case library: every case the course draws from the article and its comments.

``load_cases()`` reads ``data/cases.csv`` into a pandas DataFrame and checks it
against the schema documented in ``data/README.md``; a bad row raises
:class:`~course.errors.DataFileError` naming the file, the row and the column.
``show_cases()`` is what a lesson calls to present the cases it teaches.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import DataFileError
from .feedback import SectionLink
from .paths import data_dir
from .roles import ROLE_NAMES
from .tables import all_of, any_text, iso_date, matches, one_of, read_checked_csv

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
SCHEMA = {
    "case_id": matches(r"[a-z0-9]+(?:-[a-z0-9]+)*", "a lower-case slug such as 'features-vs-scope'"),
    "source_author": any_text,
    "source_date": iso_date,
    "source_kind": one_of(*SOURCE_KINDS),
    "theme": one_of(*THEMES),
    "roles": all_of(ROLE_NAMES, what="role"),
    "lesson": matches(r"\d\d-[a-z0-9-]+", "a lesson id such as '02-features-vs-scope'"),
    "section": any_text,
    "summary": any_text,
}
COLUMNS = tuple(SCHEMA)


def cases_path() -> Path:
    return data_dir() / "cases.csv"


def load_cases(path: str | Path | None = None) -> pd.DataFrame:
    """The case library as a DataFrame indexed by ``case_id``; ``roles`` is a tuple of role ids."""
    frame = read_checked_csv(path if path is not None else cases_path(), SCHEMA, unique=["case_id"])
    frame["roles"] = frame["roles"].map(lambda value: tuple(value.split(";")))
    frame["source_date"] = pd.to_datetime(frame["source_date"], format="%Y-%m-%d")
    return frame.set_index("case_id")


def case_section(case_id: str) -> SectionLink:
    """The lesson section that teaches a case."""
    case = load_cases().loc[case_id]
    return SectionLink(case["lesson"], case["section"])


def cite(case: pd.Series) -> str:
    """A citation for one case: who raised it, where and when."""
    where = "the article" if case["source_kind"] == "article" else "a comment on the article"
    return f"{case['source_author']}, {where}, {case['source_date']:%d %B %Y}"


def show_cases(*case_ids: str) -> pd.DataFrame:
    """The named cases with their summaries and citations, as a lesson presents them."""
    cases = load_cases()
    unknown = [case_id for case_id in case_ids if case_id not in cases.index]
    if unknown:
        raise DataFileError(f"no case {', '.join(unknown)} in {cases_path()}")
    chosen = cases.loc[list(case_ids)]
    shown = pd.DataFrame({"summary": chosen["summary"], "source": chosen.apply(cite, axis=1)})
    return shown.style.set_properties(**{"text-align": "left", "white-space": "normal"})
