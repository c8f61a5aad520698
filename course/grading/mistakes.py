"""Plausible student mistakes, each a small edit to one solution cell of the instructor version.

Used by the tests (each mistake must lose exactly its points) and by the benchmark's
synthetic class (answers of mixed quality, reproducible from a seed).
"""
from __future__ import annotations

# name: (assignment, notebook, solution cell, text to replace, replacement, {grade cell: expected score})
MISTAKES: dict[str, tuple] = {
    "a1-forgets-interdependent-projects": (
        "a1-roles", "roles.ipynb", "responsible_role",
        '    if reach == "interdependent projects":\n        return "program_manager"\n', "",
        {"responsible_role_delivery": 0}),
    "a1-no-input-check": (
        "a1-roles", "roles.ipynb", "responsible_role",
        "            raise ValueError", "            pass  # ValueError", {"responsible_role_bad_input": 0}),
    "a1-classify-returns-a-list": (
        "a1-roles", "roles.ipynb", "classify",
        '    return pd.Series(roles, index=activities["activity_id"].to_numpy(), name="role")', "    return roles",
        {"classify_form": 0, "classify_roles": 0}),
    "a1-classify-loses-the-index": (
        "a1-roles", "roles.ipynb", "classify",
        'index=activities["activity_id"].to_numpy(), ', "", {"classify_form": 0, "classify_roles": 0}),
    "a1-one-statement-wrong": (
        "a1-roles", "roles.ipynb", "role_sorter_answers",
        '"c4": "project_manager"', '"c4": "product_manager"', {"role_sorter_roles": 3}),
    "a2-changes-its-input": (
        "a2-portfolio", "portfolio.ipynb", "add_delivery_flags",
        "flagged = portfolio.copy()", "flagged = portfolio", {"delivery_flags_form": 0}),
    "a2-overlap-excludes-touching-dates": (
        "a2-portfolio", "portfolio.ipynb", "overlapping_products",
        "first.start <= second.end and second.start <= first.end",
        "first.start < second.end and second.start < first.end", {"overlapping_products_values": 0}),
    "a2-programs-only-direct-links": (
        "a2-portfolio", "portfolio.ipynb", "programs",
        "            for other in links[frontier.pop()] - group:\n                group.add(other)\n"
        "                frontier.append(other)",
        "            for other in links[frontier.pop()] - group:\n                group.add(other)",
        {"programs_portfolio": 0, "programs_unseen": 0}),
    "a2-counts-rows-not-people": (
        "a2-portfolio", "portfolio.ipynb", "managers_per_product",
        '("project_manager", "nunique")', '("project_manager", "count")', {"managers_per_product_values": 0}),
    "a3-greedy-by-value-per-week": (
        "a3-tradeoffs", "tradeoffs.ipynb", "choose_scope",
        "    rows = list(requests.itertuples())",
        "    best, used = set(), 0\n"
        "    for row in sorted(requests.itertuples(), key=lambda r: -r.value / r.effort_weeks):\n"
        "        if used + row.effort_weeks <= capacity_weeks:\n"
        "            best.add(row.request_id)\n"
        "            used += row.effort_weeks\n"
        "    return best\n"
        "    rows = list(requests.itertuples())",
        {"choose_scope_best_value": 0}),
    "a3-counts-a-promise-already-in-scope-twice": (
        "a3-tradeoffs", "tradeoffs.ipynb", "promise_slip",
        'scope = choose_scope(requests, capacity_weeks) | {promised_id}\n'
        '    effort = int(requests.loc[requests["request_id"].isin(scope), "effort_weeks"].sum())',
        'scope = choose_scope(requests, capacity_weeks)\n'
        '    effort = int(requests.loc[requests["request_id"].isin(scope), "effort_weeks"].sum())\n'
        '    effort += int(requests.loc[requests["request_id"] == promised_id, "effort_weeks"].sum())',
        {"promise_slip_values": 0}),
    "a3-program-manager-owns-the-slip": (
        "a3-tradeoffs", "tradeoffs.ipynb", "decision_owner_answers",
        '"slip": "project"', '"slip": "program"', {"decision_owners": 2}),
    "a4-half-the-pl-options": (
        "a4-cases", "cases.ipynb", "case_answers", '"pl": ["a", "c"]', '"pl": ["a"]', {"case_judgements": 4}),
    "a4-two-accountables": (
        "a4-cases", "cases.ipynb", "raci_answers",
        '"sync": {"product_manager": "I", "project_manager": "R"', '"sync": {"product_manager": "I", "project_manager": "A"',
        {"raci_rows": 2}),
}


def apply_mistake(notebook, name: str):
    """Edit ``notebook`` (a filled-in student notebook) in place to make mistake ``name``; returns it."""
    _, _, grade_id, old, new, _ = MISTAKES[name]
    cell = next(c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    if old not in cell.source:
        raise ValueError(f"mistake {name}: its text is not in cell {grade_id}; update course/grading/mistakes.py")
    cell.source = cell.source.replace(old, new)
    return notebook
