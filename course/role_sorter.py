"""The role sorter: statements of work, each to be assigned to the role accountable for it.

Statements come from ``data/role_statements.csv`` (with their key, for self-checks in
lessons) or are given without a key (graded assignments, where the key lives only in the
instructor's hidden tests).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .cases import load_cases
from .errors import DataFileError
from .feedback import Feedback, SectionLink
from .paths import data_dir
from .roles import SORTABLE_ROLES, role_name
from .tables import any_text, matches, one_of, read_checked_csv

SCHEMA = {
    "statement_id": matches(r"s\d\d", "a statement id such as 's07'"),
    "statement": any_text,
    "role": one_of(*SORTABLE_ROLES),
    "explanation": any_text,
    "case_id": matches(r"[a-z0-9]+(?:-[a-z0-9]+)*", "a case id from cases.csv"),
}


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    role: str | None = None
    explanation: str | None = None
    see: SectionLink | None = None


def load_statements(path: str | Path | None = None) -> list[Statement]:
    """The statements of the role sorter, each linked to the lesson that teaches its case."""
    frame = read_checked_csv(path if path is not None else data_dir() / "role_statements.csv", SCHEMA,
                             unique=["statement_id"])
    cases = load_cases()
    statements = []
    for row in frame.itertuples(index=False):
        if row.case_id not in cases.index:
            raise DataFileError(f"role statement {row.statement_id}: no case {row.case_id} in cases.csv")
        see = SectionLink(cases.at[row.case_id, "lesson"], cases.at[row.case_id, "section"])
        statements.append(Statement(row.statement_id, row.statement, row.role, row.explanation, see))
    return statements


def check_role(statement: Statement, role: str | None) -> Feedback | None:
    """Feedback on one assignment of a role; None when unanswered or when the statement has no key here."""
    if not role or statement.role is None:
        return None
    if role not in SORTABLE_ROLES:
        return Feedback(False, (f"'{role}' is not one of the roles to choose from.",), statement.see)
    if role == statement.role:
        return Feedback(True, (statement.explanation or "",), statement.see)
    why = (f"This is not the {role_name(role).lower()}'s work. It belongs to the "
           f"{role_name(statement.role).lower()}: {statement.explanation}")
    return Feedback(False, (why,), statement.see)
