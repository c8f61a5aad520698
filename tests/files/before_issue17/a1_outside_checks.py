"""Outside checks of roles.ipynb AS THEY WERE BEFORE ISSUE 17 (probes read the notebook's own `activities`): used
only by tests/grading/test_isolation.py to grade attacks with the old grader (the mutation check). Never grade with it.

Each judge receives plain data brought back from the student's kernel and mirrors the hidden
test of the same grade id, so an honest notebook scores the same inside and outside.
"""
from course.content.roles import ROLE_NAMES
from course.grading.nbgrader_plugins.outside_checks import Checks, same

checks = Checks("roles.ipynb", setup='''
import pandas as pd

def traits_table():
    return [(d, r, f) for d in ("one-time", "ongoing")
            for r in ("one project", "interdependent projects", "product line")
            for f in ("what", "delivery", "market")]

def call(function, *arguments):
    try:
        return {"value": function(*arguments)}
    except Exception as error:
        return {"raised": [klass.__name__ for klass in type(error).__mro__], "message": str(error)}

unseen = pd.DataFrame({"activity_id": ["z9", "z1"], "duration": ["ongoing", "one-time"],
                       "reach": ["one project", "product line"], "focus": ["market", "delivery"], "note": ["", ""]})

def leaves_input_unchanged():
    # a table classify has never seen: the notebook's demo cell has already passed `activities` through it
    from course.paths import data_dir
    fresh = pd.read_csv(data_dir() / "activities.csv")
    as_read = fresh.copy()
    classify(fresh)
    return fresh.equals(as_read)
''')

EXPECTED = {
    ("one-time", "one project", "delivery"): "project_manager",
    ("ongoing", "interdependent projects", "delivery"): "program_manager",
    ("one-time", "interdependent projects", "delivery"): "program_manager",
    ("ongoing", "product line", "delivery"): "program_manager",
    ("one-time", "product line", "delivery"): "project_manager",
    ("ongoing", "one project", "delivery"): "project_manager",
}
for _duration in ("one-time", "ongoing"):
    for _reach in ("one project", "interdependent projects", "product line"):
        EXPECTED[(_duration, _reach, "what")] = "product_manager"
        EXPECTED[(_duration, _reach, "market")] = "product_marketing_manager"


@checks.cell("responsible_role_form", simplest='responsible_role("one-time", "one project", "delivery")')
def _form(r):
    return same(r.simplest, "project_manager")


@checks.cell("responsible_role_what_and_market",
             every_role='[[d, r, f, responsible_role(d, r, f)] for d, r, f in traits_table() if f != "delivery"]')
def _what_and_market(r):
    return isinstance(r.every_role, list) and len(r.every_role) == 12 and \
        all(same(role, EXPECTED[(d, reach, f)]) for d, reach, f, role in r.every_role)


@checks.cell("responsible_role_delivery",
             delivery='[[d, r, f, responsible_role(d, r, f)] for d, r, f in traits_table() if f == "delivery"]')
def _delivery(r):
    return isinstance(r.delivery, list) and len(r.delivery) == 6 and \
        all(same(role, EXPECTED[(d, reach, f)]) for d, reach, f, role in r.delivery)


@checks.cell("responsible_role_bad_input",
             bad_duration='call(responsible_role, "sometimes", "one project", "delivery")',
             bad_reach='call(responsible_role, "ongoing", "a galaxy", "what")',
             bad_focus='call(responsible_role, "ongoing", "one project", "vibes")')
def _bad_input(r):
    def names(outcome, trait):
        return isinstance(outcome, dict) and "ValueError" in outcome.get("raised", []) and \
            trait in outcome.get("message", "")
    return names(r.bad_duration, "duration") and names(r.bad_reach, "reach") and names(r.bad_focus, "focus")


@checks.cell("classify_form",
             classified='[[str(k), v] for k, v in classify(activities).items()]',
             activity_ids='list(activities["activity_id"])',
             unchanged='leaves_input_unchanged()')
def _classify_form(r):
    return isinstance(r.classified, list) and isinstance(r.activity_ids, list) and \
        [pair[0] for pair in r.classified] == r.activity_ids and r.unchanged is True and \
        all(isinstance(pair[1], str) and pair[1] in ROLE_NAMES for pair in r.classified)


@checks.cell("classify_roles",
             own_roles='{row.activity_id: responsible_role(row.duration, row.reach, row.focus) '
                       'for row in activities.itertuples()}',
             unseen_classified='classify(unseen).to_dict()',
             unseen_own_roles='{"z9": responsible_role("ongoing", "one project", "market"), '
                              '"z1": responsible_role("one-time", "product line", "delivery")}')
def _classify_roles(r):
    """Like the hidden test, against the student's own responsible_role: one mistake is not counted twice."""
    if not isinstance(r.classified, list) or not isinstance(r.own_roles, dict):
        return False
    return same(dict(map(tuple, r.classified)), r.own_roles) and same(r.unseen_classified, r.unseen_own_roles)


@checks.cell("role_sorter_roles",
             sorted_roles='__import__("course.exercises.variants").exercises.variants.given_answers("a1-role-sorter", '
                          'globals().get("role_sorter_answers"))')
def _role_sorter(r):
    """A graded widget whose statements are drawn per student: marked here, on the student's own statements."""
    from pathlib import Path

    from course.grading.nbgrader_plugins.widget_judging import judge_pool, load_key

    return judge_pool("a1-role-sorter", r.sorted_roles, load_key(Path(__file__).resolve().parent, "a1-role-sorter"),
                      r.student, r.handed_in)
