"""Outside checks of cases.ipynb: instructor only, never released (see course/grading/outside_checks.py).

Each judge receives plain data brought back from the student's kernel and mirrors the hidden
test of the same grade id, so an honest notebook scores the same inside and outside.
"""
from course.grading.outside_checks import Checks, share_of_matches

checks = Checks("cases.ipynb", setup='''
from course.answers import AnswerStore
''')


@checks.cell("case_judgements", judgements='AnswerStore().answers_for("a4-cases")')
def _judgements(r):
    return share_of_matches(r.judgements, {"career": "c", "subset": "b", "government": "a", "small": "c",
                                           "pl": ["a", "c"]})


@checks.cell("raci_rows", grid='AnswerStore().answers_for("a4-raci")')
def _raci(r):
    return share_of_matches(r.grid, {
        "roadmap": {"product_manager": "A", "project_manager": "C", "program_manager": "I"},
        "release": {"product_manager": "C", "project_manager": "A", "program_manager": "I"},
        "sync": {"product_manager": "I", "project_manager": "R", "program_manager": "A"},
    })
