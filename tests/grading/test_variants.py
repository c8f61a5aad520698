"""Graded widgets draw their items per student: is each student marked on exactly their own items, by
'nbgrader autograde' and 'pm-course grade' alike, and is a copied answer file caught?"""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from course.cli import main
from course.exercises.variants import load_pool, pool_quiz, pool_raci
from course.grading.pipeline.gradebook import default_db_url, item_scores
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from course.learner.answers import ANSWER_FILE_NAME
from course.widgets import QuizWidget, RaciBuilder

pytestmark = pytest.mark.slow
ASSIGNMENT = "a4-cases"
KEY = json.loads((Path(__file__).resolve().parents[2] / "solutions" / ASSIGNMENT / "misconceptions.json").read_text())


def _answer_as(monkeypatch, folder: Path, student: str, wrong_questions: int, wrong_rows: int) -> None:
    """A student on a JupyterHub answers the widgets: all right but the first few questions and rows."""
    monkeypatch.setenv("JUPYTERHUB_USER", student)
    quiz = QuizWidget(pool_quiz("a4-cases", folder), folder=folder)
    for number, question in enumerate(quiz.quiz.questions):
        right = KEY["a4-cases"][question.id]["correct"]
        wrong = next(option.key for option in question.options if option.key not in right)
        quiz.answer(question.id, wrong if number < wrong_questions else right)
    grid = RaciBuilder(pool_raci("a4-raci", folder), widget_id="a4-raci", folder=folder)
    for number, activity in enumerate(grid.exercise.activities):
        for role, letter in KEY["a4-raci"][activity.id]["correct"].items():
            grid.set(activity.id, role, ("I" if letter == "C" else "C") if number < wrong_rows and letter in "CI"
                     else letter)
    monkeypatch.delenv("JUPYTERHUB_USER")


def _expected(student: str, answers_of: str, wrong_questions: int, wrong_rows: int) -> dict[str, float]:
    """Points on ``student``'s own items when the answers are those ``answers_of`` gave to theirs."""
    points = {}
    for widget, grade_id in (("a4-cases", "case_judgements"), ("a4-raci", "raci_rows")):
        given = load_pool(widget).draw(f"user:{answers_of}")
        wrong = wrong_questions if widget == "a4-cases" else wrong_rows
        right_given = set(given[wrong:])
        own = load_pool(widget).draw(f"user:{student}")
        points[grade_id] = float(sum(1 for item in own if item in right_given))
    return points


@pytest.fixture(scope="module")
def variant_class(generated_template, tmp_path_factory):
    """ada answers her items all right, grace hers with two questions and one row wrong, bob hands in ada's file."""
    root = tmp_path_factory.mktemp("variants") / "course"
    shutil.copytree(generated_template, root)
    released = nbformat.read(str(root / "exercises" / ASSIGNMENT / "cases.ipynb"), as_version=4)
    folders = {}
    for student in ("ada", "grace", "bob"):
        folders[student] = root / "submitted" / student / ASSIGNMENT
        folders[student].mkdir(parents=True)
        nbformat.write(released, str(folders[student] / "cases.ipynb"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        _answer_as(monkeypatch, folders["ada"], "ada", 0, 0)
        _answer_as(monkeypatch, folders["grace"], "grace", 2, 1)
    shutil.copy(folders["ada"] / ANSWER_FILE_NAME, folders["bob"] / ANSWER_FILE_NAME)
    return root


EXPECTED = {"ada": _expected("ada", "ada", 0, 0), "grace": _expected("grace", "grace", 2, 1),
            "bob": _expected("bob", "ada", 0, 0)}


def test_two_students_side_by_side_get_different_items():
    """Do ada and grace see different questions and activities, drawn from pools three times larger?"""
    for widget in ("a4-cases", "a4-raci"):
        pool = load_pool(widget)
        assert len(pool.items) >= 3 * pool.shown_count
        assert pool.draw("user:ada") != pool.draw("user:grace")
    assert EXPECTED["ada"] == {"case_judgements": 5.0, "raci_rows": 3.0}
    assert EXPECTED["grace"] == {"case_judgements": 3.0, "raci_rows": 2.0}
    assert EXPECTED["bob"]["case_judgements"] < 5, "bob's own items must differ from ada's for this test to mean much"


def _scores(root: Path, student: str) -> dict[str, float]:
    scores = item_scores(default_db_url(root), ASSIGNMENT, student)
    return {name: scores[name].auto_score for name in ("case_judgements", "raci_rows")}


def _feedback_notes(root: Path, student: str) -> str:
    notebook = nbformat.read(str(root / "autograded" / student / ASSIGNMENT / "cases.ipynb"), as_version=4)
    return json.dumps([cell.get("outputs", []) for cell in notebook.cells
                       if cell.metadata.get("nbgrader", {}).get("grade_id") in ("case_judgements", "raci_rows")])


def test_nbgrader_autograde_marks_each_student_on_their_own_items(variant_class, tmp_path):
    """Through 'nbgrader autograde': exact points on each student's own items; bob's copy is named as ada's."""
    root = tmp_path / "course"
    shutil.copytree(variant_class, root)
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force")
    for student, expected in EXPECTED.items():
        assert _scores(root, student) == expected, student
    assert "another student (ada)" in _feedback_notes(root, "bob")
    assert "another student" not in _feedback_notes(root, "ada") + _feedback_notes(root, "grace")
    assert "not right: " in _feedback_notes(root, "grace")


@pytest.fixture(scope="module")
def graded_by_pm_course(variant_class, tmp_path_factory) -> Path:
    """The class graded by 'pm-course grade' (sandboxed, with feedback), once for the tests that read it."""
    root = tmp_path_factory.mktemp("pm-course-graded") / "course"
    shutil.copytree(variant_class, root)
    assert main(["grade", ASSIGNMENT, "--course", str(root), "--workers", "2", "--quiet"]) == 0
    return root


def test_pm_course_grade_marks_alike_and_the_summary_names_the_copy(graded_by_pm_course):
    """Through 'pm-course grade' (sandboxed, with feedback): the same points, and the summary says whose file bob
    handed in; the key never reaches the student's feedback."""
    root = graded_by_pm_course
    for student, expected in EXPECTED.items():
        assert _scores(root, student) == expected, student
    with open(root / "exports" / ASSIGNMENT / "summary.csv", newline="", encoding="utf-8") as stream:
        notes = {row["student"]: row["notes"] for row in csv.DictReader(stream)}
    assert "another student (ada)" in notes["bob"]
    assert "another student" not in notes["ada"] + notes["grace"]
    feedback = (root / "feedback" / "bob" / ASSIGNMENT / "cases.html").read_text(encoding="utf-8")
    assert "another student (ada)" in feedback
    assert "misconceptions" not in feedback and "answered_points" not in feedback


def test_the_report_analyses_each_pool_item_over_the_students_who_saw_it(graded_by_pm_course):
    """After grading: pool_items.csv has every pool item with the number of students it was drawn for, first-attempt
    p for the items ada and grace saw, and the page shows its plot with alt text."""
    import pandas as pd

    root = graded_by_pm_course
    assert main(["report", ASSIGNMENT, "--course", str(root)]) == 0
    out = root / "reports" / ASSIGNMENT
    table = pd.read_csv(out / "pool_items.csv").set_index("pool_item")
    for widget in ("a4-cases", "a4-raci"):
        pool = load_pool(widget)
        for item in pool.items:
            viewers = [s for s in ("ada", "grace", "bob") if item.id in pool.draw(f"user:{s}")]
            assert table.at[f"{widget}/{item.id}", "seen_by"] == len(viewers), item.id
    ada_first = load_pool("a4-cases").draw("user:ada")[0]
    if ada_first not in load_pool("a4-cases").draw("user:grace") + load_pool("a4-cases").draw("user:bob"):
        assert table.at[f"a4-cases/{ada_first}", "p"] == 1.0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<img src="pool_items.png" alt="Scatter of' in html and (out / "pool_items.png").stat().st_size > 1000

