"""Outside checks of portfolio.ipynb: instructor only, never released
(see course/grading/nbgrader_plugins/outside_checks.py).

Each judge receives plain data brought back from the student's kernel and mirrors the hidden
test of the same grade id, so an honest notebook scores the same inside and outside.
"""
from course.content.portfolio import load_portfolio
from course.grading.nbgrader_plugins.outside_checks import Checks, same

checks = Checks("portfolio.ipynb", setup='''
import pandas as pd
from course.content.portfolio import load_portfolio

def portfolio_table():
    # loaded afresh for every call: never the notebook's `portfolio`, which the student may have changed
    return load_portfolio()

edge = pd.DataFrame({
    "project_id": ["X1", "X2", "X3"],
    "deadline": pd.to_datetime(["2024-01-31", "2024-01-31", "2024-01-31"]),
    "end": pd.to_datetime(["2024-01-31", "2024-02-01", "2024-01-30"]),
    "budget_k": [100.0, 100.0, 100.0],
    "actual_cost_k": [100.0, 99.5, 100.5],
})
unseen_hollow = pd.DataFrame({
    "project_id": ["Q2", "Q1", "Q3"],
    "deadline": pd.to_datetime(["2024-05-01"] * 3),
    "end": pd.to_datetime(["2024-05-01", "2024-04-01", "2024-06-01"]),
    "budget_k": [50.0, 50.0, 50.0],
    "actual_cost_k": [50.0, 40.0, 40.0],
    "goals_met": [False, False, False],
})
unseen_overlaps = pd.DataFrame({
    "product": ["Touch", "Touch", "Apart", "Apart", "Solo"],
    "start": pd.to_datetime(["2024-01-01", "2024-02-01", "2024-01-01", "2024-03-01", "2024-01-01"]),
    "end": pd.to_datetime(["2024-02-01", "2024-03-01", "2024-02-01", "2024-04-01", "2024-12-01"]),
})
unseen_programs = pd.DataFrame({
    "project_id": ["A", "B", "C", "D", "E", "F", "G"],
    "depends_on": [(), ("A",), ("B",), (), ("D", "Z"), (), ("E",)],
    "start": pd.to_datetime(["2024-01-01", "2024-03-01", "2024-06-30", "2024-01-01", "2024-04-01", "2024-02-01",
                             "2024-05-01"]),
    "end": pd.to_datetime(["2024-03-31", "2024-06-30", "2024-09-30", "2024-02-28", "2024-05-31", "2024-04-30",
                           "2024-08-31"]),
})

def flags(frame):
    copy = frame.copy()
    flagged = add_delivery_flags(copy)
    return {"columns_added_to_input": "on_time" in copy.columns,
            "dtypes": [str(flagged["on_time"].dtype), str(flagged["on_budget"].dtype)],
            "rows": len(flagged),
            "on_time": {str(k): bool(v) for k, v in flagged.set_index("project_id")["on_time"].items()},
            "on_budget": {str(k): bool(v) for k, v in flagged.set_index("project_id")["on_budget"].items()}}

def counts(frame):
    table = managers_per_product(frame)
    return {"columns": [str(c) for c in table.columns], "index_name": table.index.name,
            "product_managers": {str(k): int(v) for k, v in table["product_managers"].items()},
            "project_managers": {str(k): int(v) for k, v in table["project_managers"].items()}}
''')

# what the grader itself knows of the probes' input (read here, in the grader's process)
PORTFOLIO = load_portfolio()


@checks.cell("delivery_flags_form", flags_portfolio="flags(portfolio_table())")
def _flags_form(r):
    f = r.flags_portfolio
    return isinstance(f, dict) and f["columns_added_to_input"] is False and f["dtypes"] == ["bool", "bool"] \
        and same(f["rows"], len(PORTFOLIO)) and f["on_time"].get("P01") is True


@checks.cell("delivery_flags_boundaries", flags_edge="flags(edge)")
def _flags_boundaries(r):
    f, p = r.flags_edge, r.flags_portfolio
    return isinstance(f, dict) and isinstance(p, dict) and \
        same(f["on_time"], {"X1": True, "X2": False, "X3": True}) and \
        same(f["on_budget"], {"X1": True, "X2": True, "X3": False}) and \
        sum(1 for value in p["on_time"].values() if value) == 17


def _sorted_ids(value, prefix):
    return isinstance(value, list) and value == sorted(value) and \
        all(isinstance(item, str) and item.startswith(prefix) for item in value)


@checks.cell("hollow_successes_form", hollow="hollow_successes(portfolio_table())",
             hollow_is_list="type(hollow_successes(portfolio_table())) is list")
def _hollow_form(r):
    return r.hollow_is_list is True and _sorted_ids(r.hollow, "P")


@checks.cell("hollow_successes_values", hollow_unseen="hollow_successes(unseen_hollow)")
def _hollow_values(r):
    return same(r.hollow, ["P03", "P12", "P23", "P25"]) and same(r.hollow_unseen, ["Q1", "Q2"])


@checks.cell("overlapping_products_form", overlaps="overlapping_products(portfolio_table())",
             overlaps_is_list="type(overlapping_products(portfolio_table())) is list")
def _overlaps_form(r):
    return r.overlaps_is_list is True and isinstance(r.overlaps, list) and r.overlaps == sorted(r.overlaps) \
        and set(r.overlaps) <= set(PORTFOLIO["product"])


@checks.cell("overlapping_products_values", overlaps_unseen="overlapping_products(unseen_overlaps)")
def _overlaps_values(r):
    return same(r.overlaps, ["Clinic Records", "Ledger", "Ledger Mobile"]) and same(r.overlaps_unseen, ["Touch"])


@checks.cell("programs_form", groups="programs(portfolio_table())",
             groups_are_lists="type(programs(portfolio_table())) is list and "
                              "all(type(g) is list for g in programs(portfolio_table()))")
def _programs_form(r):
    g = r.groups
    return r.groups_are_lists is True and isinstance(g, list) and g == sorted(g) and \
        all(isinstance(group, list) and len(group) >= 2 and group == sorted(group) for group in g)


@checks.cell("programs_portfolio")
def _programs_portfolio(r):
    return same(r.groups, [["P05", "P06"], ["P10", "P11"], ["P17", "P18", "P19", "P20"]])


@checks.cell("programs_unseen", groups_unseen="programs(unseen_programs)")
def _programs_unseen(r):
    return same(r.groups_unseen, [["A", "B", "C"], ["E", "G"]])


@checks.cell("managers_per_product_values", managers="counts(portfolio_table())")
def _managers(r):
    m = r.managers
    return isinstance(m, dict) and m["columns"] == ["product_managers", "project_managers"] and \
        m["index_name"] == "product" and \
        same(m["product_managers"], {"Clinic Records": 1, "Ledger": 1, "Ledger Mobile": 1, "Shopfront": 1}) and \
        same(m["project_managers"], {"Clinic Records": 3, "Ledger": 5, "Ledger Mobile": 4, "Shopfront": 3})
