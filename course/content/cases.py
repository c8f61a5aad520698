"""The case library: every case the course draws from the article and its comments.

``load_cases()`` reads ``data/cases.csv`` into a pandas DataFrame and checks it
against the schema documented in ``data/README.md``; a bad row raises
:class:`~course.errors.DataFileError` naming the file, the row and the column.
``show_cases()`` is what a lesson calls to present the cases it teaches.
``load_responses()`` reads ``data/responses.csv``, the record of all 28 responses to the
article: the cases each one feeds, or why the course leaves it out, so that no reader's
point is silently dropped.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from course.content.roles import ROLE_NAMES
from course.content.tables import all_of, any_text, iso_date, matches, one_of, read_checked_csv
from course.errors import DataFileError
from course.paths import data_dir

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
CASE_ID_LIST = r"[a-z0-9]+(?:-[a-z0-9]+)*(?:;[a-z0-9]+(?:-[a-z0-9]+)*)*"
RESPONSE_SCHEMA = {
    "response": matches(r"[1-9]\d*", "a response number such as '7'"),
    "author": any_text,
    "date": iso_date,
    "time": matches(r"(?:[01]\d|2[0-3]):[0-5]\d", "a 24-hour time such as '19:17'"),
    "case_ids": matches(CASE_ID_LIST, "case ids joined by ';' such as 'subset-debate;subset-rebuttal'"),
    "excluded": any_text,
}


def cases_path() -> Path:
    return data_dir() / "cases.csv"


def load_cases(path: str | Path | None = None) -> pd.DataFrame:
    """The case library as a DataFrame indexed by ``case_id``; ``roles`` is a tuple of role ids."""
    frame = read_checked_csv(path if path is not None else cases_path(), SCHEMA, unique=["case_id"])
    frame["roles"] = frame["roles"].map(lambda value: tuple(value.split(";")))
    frame["source_date"] = pd.to_datetime(frame["source_date"], format="%Y-%m-%d")
    return frame.set_index("case_id")


def responses_path() -> Path:
    return data_dir() / "responses.csv"


def load_responses(path: str | Path | None = None) -> pd.DataFrame:
    """Every response to the article, in thread order, indexed by its number; ``case_ids`` is a tuple of ids.

    Each response either feeds cases or is excluded with a reason, never both and never neither.
    """
    path = Path(path) if path is not None else responses_path()
    frame = read_checked_csv(path, RESPONSE_SCHEMA, unique=["response"], optional=["case_ids", "excluded"])
    for row_number, row in enumerate(frame.itertuples(index=False), start=1):
        if bool(row.case_ids.strip()) == bool(row.excluded.strip()):
            raise DataFileError(f"{path}, row {row_number} (line {row_number + 1}): give either case_ids or an "
                                "excluded reason, not both and not neither")
    frame["case_ids"] = frame["case_ids"].map(lambda value: tuple(value.split(";")) if value else ())
    frame["date"] = pd.to_datetime(frame["date"], format="%Y-%m-%d")
    frame["response"] = frame["response"].astype(int)
    return frame.set_index("response")


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
