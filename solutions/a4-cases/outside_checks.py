"""Outside checks of cases.ipynb: instructor only, never released
(see course/grading/nbgrader_plugins/outside_checks.py).

Both parts are graded widgets whose items are drawn per student from a pool (course/exercises/variants.py). Their
in-kernel tests only count answered items; these checks mark the answers in the grader's process, on the items drawn for
the student, against the key in misconceptions.json beside this file
(course/grading/nbgrader_plugins/widget_judging.py).
"""
from pathlib import Path

from course.grading.nbgrader_plugins.outside_checks import Checks
from course.grading.nbgrader_plugins.widget_judging import judge_pool, load_key

HERE = Path(__file__).resolve().parent

checks = Checks("cases.ipynb", setup='''
from course.exercises.variants import given_answers
''')


@checks.cell("case_judgements", judgements='given_answers("a4-cases", globals().get("case_answers"))')
def _judgements(r):
    return judge_pool("a4-cases", r.judgements, load_key(HERE, "a4-cases"), r.student, r.handed_in,
                      own_draw_only=r.own_draw_only)


@checks.cell("raci_rows", grid='given_answers("a4-raci", globals().get("raci_answers"))')
def _raci(r):
    return judge_pool("a4-raci", r.grid, load_key(HERE, "a4-raci"), r.student, r.handed_in,
                      own_draw_only=r.own_draw_only)
