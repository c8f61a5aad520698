"""Do scenarios play, score and explain, and does a broken scenario file get its own clear error?"""
from __future__ import annotations

import copy
import json

import pytest

from course.errors import DataFileError
from course.paths import data_dir
from course.scenario import ScenarioRun, load_scenario, parse_scenario
from course.widgets import ScenarioPlayer

SHIPPED = sorted((data_dir() / "scenarios").glob("*.json"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_scenario_validates(path):
    """Does every scenario file in data/scenarios load, with a best path worth some points?"""
    assert load_scenario(path).best_points() > 0


def test_a_path_is_scored_and_explained():
    """Does the best path earn every point, and does the debrief explain each choice?"""
    run = ScenarioRun(load_scenario("sales-promise"))
    run.choose(0)
    run.choose(0)
    assert run.finished and run.points == run.scenario.best_points() == 4
    assert len(run.debrief()) == 2 and "project manager" in run.debrief()[0]
    with pytest.raises(ValueError, match="ended"):
        run.choose(0)


def test_player_resumes_a_saved_path_and_restarts(tmp_path):
    """Does a reopened player resume where the learner was, and does 'Start again' clear the path?"""
    player = ScenarioPlayer(folder=tmp_path)
    player.choose(1)
    assert "Three weeks later" in player.story_html
    resumed = ScenarioPlayer(folder=tmp_path)
    assert resumed.run.path == [1]
    resumed.choose(1)
    assert "scored 0 of 4 points" in resumed.story_html
    resumed._restart.click()
    assert ScenarioPlayer(folder=tmp_path).run.path == []


def _shipped():
    return json.loads((data_dir() / "scenarios" / "sales-promise.json").read_text())


def _break(change):
    content = copy.deepcopy(_shipped())
    change(content)
    return content


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda s: s["nodes"]["promise"]["choices"][0].update(next="nowhere"),
         "node 'promise', choice 1 leads to unknown node 'nowhere'"),
        (lambda s: s["nodes"].update(orphan={"text": "Never seen", "ending": True}),
         "'orphan' cannot be reached from the start"),
        (lambda s: s["nodes"]["late-end"].pop("ending"), "node 'late-end' is a dead end"),
        (lambda s: s["nodes"]["refused"]["choices"][1].update(next="promise"), "the choices form a loop"),
        (lambda s: s.update(start="begin"), "the start node 'begin' does not exist"),
        (lambda s: s["nodes"]["good-end"].update(choices=[{"label": "x", "next": "promise", "explanation": "y"}]),
         "node 'good-end' is an ending but has choices"),
        (lambda s: s["nodes"]["assessed"]["choices"][0].update(points=-1), "'points' must be a whole number"),
        (lambda s: s.pop("nodes"), "missing 'nodes'"),
    ],
)
def test_a_broken_scenario_gets_its_own_clear_error(change, words):
    """Does each kind of broken scenario produce an error naming the file and the problem?"""
    with pytest.raises(DataFileError) as caught:
        parse_scenario(_break(change), source="my-scenario.json")
    assert str(caught.value).startswith("my-scenario.json: ")
    assert words in str(caught.value)
