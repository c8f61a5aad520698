"""The roles the course tells apart, with the names learners see."""
from __future__ import annotations

ROLE_NAMES: dict[str, str] = {
    "product_manager": "Product manager",
    "project_manager": "Project manager",
    "program_manager": "Program manager",
    "product_marketing_manager": "Product marketing manager",
    "project_team": "Project team",
    "sales": "Sales",
}

#: The four roles a statement of work is sorted into.
SORTABLE_ROLES = ("product_manager", "project_manager", "program_manager", "product_marketing_manager")


def role_name(role: str) -> str:
    """The learner-facing name of ``role`` (the id itself when it is unknown)."""
    return ROLE_NAMES.get(role, role)
