"""The role sorter: statements of work, each to be assigned to the role accountable for it.

Statements come from ``data/role_statements.csv`` (with their key, for self-checks in
lessons) or are given without a key (graded assignments, where the key lives only in the
instructor's hidden tests).

A choice is judged when the learner presses Check. A first miss says what the chosen role does (so
the learner can see it is not this work), the belief such a choice often rests on, and where to
review; the right role and why come after a second miss or on request (:func:`check_role`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from course.content.cases import load_cases
from course.content.roles import SORTABLE_ROLES, role_name
from course.content.sections import SectionLink
from course.content.tables import any_text, matches, one_of, read_checked_csv
from course.errors import DataFileError
from course.exercises.feedback import Feedback
from course.paths import data_dir

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


#: What each role does, said to a learner who chose it for work that is not its own.
ROLE_WORK = {
    "product_manager": "answers for a product over its whole life: what it should do, for whom and why",
    "project_manager": "delivers one piece of work with a goal, scope, deadline and budget, then moves on",
    "program_manager": "keeps several interdependent projects that run at the same time in step",
    "product_marketing_manager": "faces the market: positioning, pricing and the messages of a launch",
}

#: (chosen role, right role) to the catalogue's misconception a learner making that swap often holds.
SWAPS = {
    ("project_manager", "product_manager"): "project-manager-decides-what",
    ("program_manager", "product_manager"): "program-manager-decides-what",
    ("product_marketing_manager", "product_manager"): "marketing-is-a-pm",
    ("product_manager", "project_manager"): "product-manager-runs-projects",
    ("program_manager", "project_manager"): "any-big-work-is-a-program",
    ("product_marketing_manager", "project_manager"): "marketing-delivers",
    ("product_manager", "program_manager"): "product-manager-runs-projects",
    ("project_manager", "program_manager"): "cross-project-is-one-project",
    ("product_marketing_manager", "program_manager"): "marketing-delivers",
    ("product_manager", "product_marketing_manager"): "marketing-is-a-pm",
    ("project_manager", "product_marketing_manager"): "project-manager-markets",
}


def is_right_role(statement: Statement, role: str | None) -> bool | None:
    """Whether ``role`` is the statement's role; None when unanswered or without a key here."""
    if not role or statement.role is None:
        return None
    return role == statement.role


def check_role(statement: Statement, role: str | None, reveal: bool = False,
               beliefs: Mapping[str, str] | None = None) -> Feedback | None:
    """Feedback on one assignment of a role; None when unanswered or when the statement has no key here.

    A wrong role is explained by what that role does (and the belief behind the swap, when ``beliefs``
    maps misconception ids to beliefs); the right role and why are added only when ``reveal`` is true.
    """
    if not role or statement.role is None:
        return None
    if role not in SORTABLE_ROLES:
        return Feedback(False, (f"'{role}' is not one of the roles to choose from.",), statement.see)
    if role == statement.role:
        return Feedback(True, (statement.explanation or "",), statement.see)
    why = [f"The {role_name(role).lower()} {ROLE_WORK[role]}; this statement asks for something else."]
    belief = (beliefs or {}).get(SWAPS.get((role, statement.role), ""))
    if belief:
        why.append(f"The belief behind this choice: “{belief}”")
    if reveal:
        return Feedback(False, tuple(why), statement.see, answer=the_role(statement))
    return Feedback(False, tuple(why), statement.see,
                    hint="Ask whether the work is deciding what and why, delivering one piece of work, keeping "
                         "several projects in step, or telling the market.")


def the_role(statement: Statement) -> tuple[str, ...]:
    """The right role and why, as shown once the answer may be seen."""
    return (f"the {role_name(statement.role).lower()}. {statement.explanation or ''}".strip(),)


def answer_only(statement: Statement) -> Feedback | None:
    """The right role shown on request while no checked choice stands; None without a key."""
    return Feedback(None, (), statement.see, answer=the_role(statement)) if statement.role else None
