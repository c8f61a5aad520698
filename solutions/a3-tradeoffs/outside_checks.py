"""Outside checks of tradeoffs.ipynb: instructor only, never released
(see course/grading/nbgrader_plugins/outside_checks.py).

Each judge receives plain data brought back from the student's kernel and mirrors the hidden
test of the same grade id, so an honest notebook scores the same inside and outside.
"""
import pandas as pd

from course.grading.nbgrader_plugins.outside_checks import Checks
from course.paths import data_dir

CAPACITY_WEEKS = 16  # the notebook's capacity; a probe never reads the notebook's own variable

checks = Checks("tradeoffs.ipynb", setup='''
import pandas as pd
from course.paths import data_dir

def requests_table():
    # read afresh for every call: never the notebook's `requests`, which the student may have changed
    return pd.read_csv(data_dir() / "feature_requests.csv", keep_default_na=False)

def unseen_table():
    return pd.DataFrame({"request_id": ["u1", "u2", "u3", "u4"], "value": [60, 50, 50, 1],
                         "effort_weeks": [6, 5, 5, 1]})

def scope_of(frame, capacity):
    scope = choose_scope(frame, capacity)
    return {"is_set": type(scope) is set, "ids": sorted(str(i) for i in scope)}

def slip_of(capacity, promised):
    slip = promise_slip(requests_table(), capacity, promised)
    scope = choose_scope(requests_table(), capacity)
    return {"type": type(slip).__name__, "weeks": int(slip), "scope": sorted(str(i) for i in scope)}
''')

# what the grader itself knows of the probes' input (read here, in the grader's process)
TABLE = pd.read_csv(data_dir() / "feature_requests.csv", keep_default_na=False)[
    ["request_id", "value", "effort_weeks"]].to_dict("records")


def _total(table, ids, column):
    return sum(row[column] for row in table if row["request_id"] in ids)


@checks.cell("choose_scope_fits", scope=f"scope_of(requests_table(), {CAPACITY_WEEKS})")
def _fits(r):
    s = r.scope
    return isinstance(s, dict) and s["is_set"] is True and set(s["ids"]) <= {row["request_id"] for row in TABLE} \
        and _total(TABLE, s["ids"], "effort_weeks") <= CAPACITY_WEEKS


@checks.cell("choose_scope_best_value", scope_9="scope_of(requests_table(), 9)",
             scope_unseen="scope_of(unseen_table(), 10)")
def _best_value(r):
    unseen = [{"request_id": "u1", "value": 60, "effort_weeks": 6},
              {"request_id": "u2", "value": 50, "effort_weeks": 5},
              {"request_id": "u3", "value": 50, "effort_weeks": 5},
              {"request_id": "u4", "value": 1, "effort_weeks": 1}]
    if not all(isinstance(x, dict) for x in (r.scope, r.scope_9, r.scope_unseen)):
        return False
    return _total(TABLE, r.scope["ids"], "value") == 200 and _total(TABLE, r.scope_9["ids"], "value") == 120 \
        and _total(unseen, r.scope_unseen["ids"], "value") == 100 \
        and _total(unseen, r.scope_unseen["ids"], "effort_weeks") <= 10


@checks.cell("promise_slip_form", slip_r02=f'slip_of({CAPACITY_WEEKS}, "r02")')
def _slip_form(r):
    return isinstance(r.slip_r02, dict) and r.slip_r02["type"] == "int" and r.slip_r02["weeks"] >= 0


SLIP_CASES = ((CAPACITY_WEEKS, "r02"), (CAPACITY_WEEKS, "r04"), (30, "r06"), (9, "r12"), (9, "r03"))


@checks.cell("promise_slip_values", slips=f"[slip_of(c, p) for c, p in {SLIP_CASES!r}]")
def _slip_values(r):
    """The slip must follow from the student's own scope (an error in choose_scope is not counted twice)."""
    if not isinstance(r.slips, list) or len(r.slips) != 5:
        return False
    for (capacity, promised), slip in zip(SLIP_CASES, r.slips, strict=True):
        expected = max(0, _total(TABLE, set(slip["scope"]) | {promised}, "effort_weeks") - capacity)
        if slip["weeks"] != expected:
            return False
    return True


@checks.cell("decision_owners",
             owners='__import__("course.exercises.variants").exercises.variants.given_answers("a3-decision-owners", '
                    'globals().get("decision_owner_answers"))')
def _owners(r):
    """A graded widget whose questions are drawn per student: marked here, on the student's own questions."""
    from pathlib import Path

    from course.grading.nbgrader_plugins.widget_judging import judge_pool, load_key

    return judge_pool("a3-decision-owners", r.owners, load_key(Path(__file__).resolve().parent,
                                                               "a3-decision-owners"), r.student, r.handed_in,
                      own_draw_only=r.own_draw_only)
