"""a5's graded scenarios: does each path earn exactly the points the instructor's scenario file gives it, by
'nbgrader autograde' and 'pm-course grade' alike, with no key in what students get?"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from course.cli import main
from course.exercises.scenario import load_scenario, strip_key
from course.grading.pipeline.gradebook import default_db_url, item_scores
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from course.widgets import ScenarioPlayer

from ..conftest import REPO

pytestmark = pytest.mark.slow
ASSIGNMENT = "a5-scenarios"
KEYS = REPO / "solutions" / ASSIGNMENT / "scenario-keys"
PATHS = {  # per student, per scenario: the choice ids taken
    "best": {"agency-benefits-program": ["program", "shared-goals", "move-training", "manual-rare"],
             "studio-update": ["goals-first", "assess", "pm-tells", "fix-first"]},
    "recovering": {"agency-benefits-program": ["biggest-pm", "appoint-now", "move-training", "manual-rare"],
                   "studio-update": ["cut-to-fit", "reset-goal", "pm-tells", "fix-first"]},
    "worst": {"agency-benefits-program": ["independent", "blame"], "studio-update": ["all-eight", "push-on"]},
}
CELLS = {"agency-benefits-program": "agency_path", "studio-update": "studio_path"}


def file_points(student: str) -> dict[str, float]:
    """The points the full form of each scenario gives the student's path (what the grade must equal)."""
    return {CELLS[scenario_id]: float(load_scenario(KEYS / f"{scenario_id}.json").points_for(path))
            for scenario_id, path in PATHS[student].items()}


def test_the_paths_cover_best_recovery_and_worst():
    """Is 'best' the file's best path, 'recovering' a below-best start that still ends well, 'worst' 0 points?"""
    for scenario_id in CELLS:
        scenario = load_scenario(KEYS / f"{scenario_id}.json")
        assert tuple(PATHS["best"][scenario_id]) == scenario.best_path()
        assert scenario.nodes[scenario.follow(PATHS["worst"][scenario_id])[-1][1].next].outcome == "failure"
        recovering = scenario.follow(PATHS["recovering"][scenario_id])
        assert recovering[0][1].points < recovering[0][0].top_points
        assert scenario.nodes[recovering[-1][1].next].outcome in ("success", "partial")
    assert file_points("best") == {"agency_path": 12.0, "studio_path": 12.0}
    assert file_points("recovering") == {"agency_path": 9.0, "studio_path": 9.0}
    assert file_points("worst") == {"agency_path": 0.0, "studio_path": 0.0}


def test_the_public_forms_are_the_engines_strip_of_the_instructors_files():
    """Do students get exactly strip_key of the full forms, and never the full forms themselves?"""
    for path in KEYS.glob("*.json"):
        full = json.loads(path.read_text(encoding="utf-8"))
        public = json.loads((REPO / "data" / "scenarios" / path.name).read_text(encoding="utf-8"))
        assert public == strip_key(full) and public["graded"] is True
    assert not (REPO / "exercises" / ASSIGNMENT / "scenario-keys").exists()


@pytest.fixture(scope="module")
def scenario_class(generated_template, tmp_path_factory):
    """Three students who played the scenarios in the released notebook's folder, by clicking."""
    root = tmp_path_factory.mktemp("scenarios") / "course"
    shutil.copytree(generated_template, root)
    assert not (root / "exercises" / ASSIGNMENT / "scenario-keys").exists(), "a full form was released"
    released = nbformat.read(str(root / "exercises" / ASSIGNMENT / "scenarios.ipynb"), as_version=4)
    for student, paths in PATHS.items():
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(released, str(folder / "scenarios.ipynb"))
        for scenario_id, path in paths.items():
            player = ScenarioPlayer(scenario_id, folder=folder)
            assert player.locked, "a graded scenario's public form has no key and no replay"
            for choice_id in path:
                player.choose(choice_id)
    return root


def _scores(root: Path, student: str) -> dict[str, float]:
    scores = item_scores(default_db_url(root), ASSIGNMENT, student)
    return {name: scores[name].auto_score for name in CELLS.values()}


def test_nbgrader_autograde_gives_each_path_the_files_points(scenario_class, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(scenario_class, root)
    run_nbgrader(root, "autograde", ASSIGNMENT, "--force")
    for student in PATHS:
        assert _scores(root, student) == file_points(student), student
    assert not item_scores(default_db_url(root), ASSIGNMENT, "best")["reflection"].autograded


def test_pm_course_grade_gives_the_same_points_and_feedback_explains_each_decision(scenario_class, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(scenario_class, root)
    assert main(["grade", ASSIGNMENT, "--course", str(root), "--workers", "2", "--quiet"]) == 0
    for student in PATHS:
        assert _scores(root, student) == file_points(student), student
    feedback = (root / "feedback" / "recovering" / ASSIGNMENT / "scenarios.html").read_text(encoding="utf-8")
    assert "earned 9 of the best path" in feedback and "Decision 1:" in feedback
    assert "played_points" not in feedback and "Rubric" not in feedback
    assert main(["report", ASSIGNMENT, "--course", str(root)]) == 0
    out = root / "reports" / ASSIGNMENT
    funnel = pd.read_csv(out / "funnel_agency-benefits-program.csv", keep_default_na=False).set_index("choice")
    assert funnel.loc[["program", "biggest-pm", "independent"], "took"].tolist() == [1, 1, 1]
    assert (funnel.loc["program", "reached"], funnel.loc["program", "ended"]) == (3, "end-success 1")
    assert funnel.loc["independent", "misconception"] == "dependencies-need-no-coordination"
    assert funnel.loc["blame", "ended"] == "end-failure 1" and funnel.loc["appoint-now", "took"] == 1
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<img src="funnel_studio-update.png" alt="Decision funnel of' in html

