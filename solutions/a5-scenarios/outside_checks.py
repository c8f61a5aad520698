"""Outside checks of scenarios.ipynb: instructor only, never released
(see course/grading/nbgrader_plugins/outside_checks.py).

Both parts are graded scenarios: the student plays their public form (data/scenarios/, no points), and the in-kernel
tests only see that a decision was taken. These checks mark the recorded path in the grader's process with the full form
in scenario-keys/ beside this file: points per decision as the file defines them, partial credit for a partial or
recovering path, and every decision's debrief in the feedback (course/grading/nbgrader_plugins/widget_judging.py).
"""
from pathlib import Path

from course.grading.nbgrader_plugins.outside_checks import Checks
from course.grading.nbgrader_plugins.widget_judging import judge_scenario

KEYS = Path(__file__).resolve().parent / "scenario-keys"

checks = Checks("scenarios.ipynb", setup='''
from course.learner.answers import AnswerStore
''')


@checks.cell("agency_path", agency='AnswerStore().answers_for("scenario-agency-benefits-program")')
def _agency(r):
    return judge_scenario(KEYS / "agency-benefits-program.json", r.agency, r.handed_in)


@checks.cell("studio_path", studio='AnswerStore().answers_for("scenario-studio-update")')
def _studio(r):
    return judge_scenario(KEYS / "studio-update.json", r.studio, r.handed_in)
