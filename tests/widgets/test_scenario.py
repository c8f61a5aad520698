"""Does the scenario player show each decision's consequence, save and restore the path, and shuffle stably?"""
from __future__ import annotations

import json

import pytest

from course.exercises.scenario import load_scenario, parse_scenario, strip_key
from course.exercises.shuffling import shuffled
from course.learner.answers import ANSWER_FILE_NAME
from course.widgets import ScenarioPlayer

from ..conftest import REPO

FIXTURE = REPO / "tests" / "files" / "scenarios" / "handover.json"
RECOVERY = ["take-over", "hand-back", "stay-on", "squeeze-in"]


def player(folder, scenario=FIXTURE, **kwargs) -> ScenarioPlayer:
    return ScenarioPlayer(scenario, folder=folder, **kwargs)


def saved(folder) -> dict:
    return json.loads((folder / ANSWER_FILE_NAME).read_text())


def labels(shown: ScenarioPlayer) -> list[str]:
    return [button.description for button in shown.choice_buttons]


def test_the_first_decision_shows_role_state_step_and_labelled_buttons(tmp_path):
    """Does the player open with the learner's role, the state table, the step and one labelled button per choice?"""
    shown = player(tmp_path)
    header = shown.children[0].value
    assert "Your role." in header and "project manager of a hypothetical game studio" in header
    assert "<caption" in shown.state_html and "<th scope=\"row\" style=\"text-align:left\">Team trust</th>" \
        in shown.state_html and "<td>5 of 10</td>" in shown.state_html
    assert "Decision 1." in shown.story_html and "level editor in 12 weeks" in shown.story_html
    kickoff = load_scenario(FIXTURE).nodes["kickoff"]
    assert sorted(labels(shown)) == sorted(choice.label for choice in kickoff.choices)
    for number, button in enumerate(shown.choice_buttons, start=1):
        assert button.description and button.tooltip.startswith(f"Choice {number} of 3: {button.description}")
    assert shown.consequence_html == "" and shown.ending_html == ""


def test_a_choice_shows_its_explanation_and_state_change_then_the_next_step(tmp_path):
    """After a click, does the learner read why, what changed (better or worse) and the next decision?"""
    shown = player(tmp_path)
    next(button for button in shown.choice_buttons if button.description.startswith("Choose the editor")).click()
    assert "Deciding what the product does is the product manager" in shown.consequence_html
    assert "Team trust 5 → 3 of 10 (worse)" in shown.consequence_html
    assert 'role="status"' in shown.consequence_html
    assert "<td>3 of 10</td>" in shown.state_html and "after 1 decision)" in shown.state_html
    assert "Decision 2." in shown.story_html and "not yours to choose" in shown.story_html
    assert sorted(labels(shown)) == ["Hand the feature decisions back and re-plan",
                                     "Keep control: you know the schedule best"]


def test_an_ending_shows_outcome_score_debrief_plot_and_review_link(tmp_path):
    """At an ending, does the learner see the outcome, points of the best, the debrief, the plot and a section link?"""
    shown = player(tmp_path)
    for choice_id in RECOVERY:
        shown.choose(choice_id)
    ending = shown.ending_html
    assert "Outcome: Partial success" in ending
    assert "Your path earned 3 of 12 points</b> (the best path earns 12)" in ending
    assert ending.count("<li>") == 4, "one debrief line per decision"
    assert "The belief behind your choice: <i>The project manager decides which features" in ending
    assert "The best path:</b> “Agree the release&#x27;s goals" in ending
    assert "Review lesson 01-two-pms, section “Who stays when the project ends”" in ending
    assert shown.choice_buttons == ()
    html = shown.plot.outputs[0]["data"]["text/html"]
    assert 'alt="Line charts, one per state variable' in html and "on the best path" in html


def test_a_saved_path_is_restored_on_reopening(tmp_path):
    """Does a re-created player resume at the same decision, with the last consequence shown?"""
    shown = player(tmp_path)
    shown.choose("agree-goals")
    shown.choose("add-all")
    assert saved(tmp_path)["answers"]["scenario-handover"] == {"path": ["agree-goals", "add-all"]}
    reopened = player(tmp_path)
    assert reopened.run.path == ["agree-goals", "add-all"]
    assert "Weeks late 0 → 3 weeks (worse)" in reopened.consequence_html
    assert "Decision 3." in reopened.story_html and "<td>3 weeks</td>" in reopened.state_html
    assert "Your earlier decisions (1)" in reopened.history_html


def test_the_first_complete_path_is_recorded_and_replay_starts_afresh(tmp_path):
    """Is the first complete path kept in 'attempts' while Play again clears the current path and a second run?"""
    shown = player(tmp_path)
    assert shown.replay_button.layout.display == "none", "nothing to replay before the first choice"
    for choice_id in RECOVERY:
        shown.choose(choice_id)
    first = {"path": RECOVERY, "ending": "partial-end"}
    assert saved(tmp_path)["attempts"]["scenario-handover"] == first
    assert saved(tmp_path)["answers"]["scenario-handover"] == {"path": RECOVERY, "ending": "partial-end"}
    shown.replay_button.click()
    assert shown.run.path == [] and "Decision 1." in shown.story_html and shown.ending_html == ""
    assert shown.plot.outputs == ()
    for choice_id in ["agree-goals", "rank-and-cut", "hand-over", "new-project"]:
        shown.choose(choice_id)
    assert "12 of 12 points" in shown.ending_html
    assert saved(tmp_path)["attempts"]["scenario-handover"] == first, "replays never change the first path"
    assert player(tmp_path).run.finished, "a finished path is restored finished"


def test_choice_orders_are_stable_for_a_learner_and_differ_between_learners(tmp_path, monkeypatch):
    """Is the order the one shuffled() gives this learner's seed per node, the same on reopening, varied by seed?"""
    scenario = load_scenario(FIXTURE)
    orders = {}
    for learner in ("ada", "grace", "lin", "sam", "kai", "noor"):
        monkeypatch.setenv("JUPYTERHUB_USER", learner)
        folder = tmp_path / learner
        shown = player(folder)
        expected = shuffled(scenario.nodes["kickoff"].choices, f"user:{learner}", "scenario-handover", "kickoff")
        assert labels(shown) == [choice.label for choice in expected]
        assert labels(player(folder)) == labels(shown), "same order when the notebook is opened again"
        orders[learner] = tuple(labels(shown))
    assert len(set(orders.values())) > 1, "learners do not all see the same order"


def test_the_order_differs_per_node_and_is_recorded_in_shown(tmp_path):
    """Are the orders shown kept per node in the 'shown' section, as choice ids?"""
    shown = player(tmp_path)
    seed = saved(tmp_path)["seed"]
    shown.choose("agree-goals")
    record = saved(tmp_path)["shown"]["scenario-handover"]
    scenario = load_scenario(FIXTURE)
    for node_id in ("kickoff", "scope"):
        expected = shuffled(scenario.nodes[node_id].choices, seed, "scenario-handover", node_id)
        assert record[node_id] == [choice.id for choice in expected]


def test_a_path_saved_by_a_v1_scenario_is_ignored_with_a_note(tmp_path):
    """Does an old path of choice indexes start the scenario afresh, saying why, instead of failing?"""
    (tmp_path / ANSWER_FILE_NAME).write_text(json.dumps({"answers": {"scenario-handover": {"path": [0, 1]}}}))
    shown = player(tmp_path)
    assert shown.run.path == [] and "older version of this scenario" in shown.message_html
    assert "Decision 1." in shown.story_html


def test_a_broken_scenario_file_is_a_one_line_message_not_a_traceback(tmp_path):
    """Does a scenario with an unknown next node show one line naming the node, and nothing to click?"""
    content = json.loads(FIXTURE.read_text())
    content["nodes"]["scope"]["choices"][0]["next"] = "nowhere"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(content))
    shown = player(tmp_path, broken)
    assert len(shown.children) == 1 and shown.choice_buttons == (), "only the message, nothing to click"
    assert "This scenario cannot be played:" in shown.message_html
    assert "node &#x27;scope&#x27;, choice &#x27;add-all&#x27;: leads to unknown node &#x27;nowhere&#x27;" \
        in shown.message_html
    assert "\n" not in shown.message_html
    assert "no such scenario file" in player(tmp_path, tmp_path / "missing.json").message_html


def test_a_damaged_answer_file_is_said_and_kept_until_the_learner_chooses(tmp_path):
    """With a damaged answer file, does the player say so, leave the file alone, and write a good one on a choice?"""
    answers = tmp_path / ANSWER_FILE_NAME
    answers.write_text("{not json")
    shown = player(tmp_path)
    assert "damaged" in shown.message_html and answers.read_text() == "{not json"
    shown.choose(shown.run.current.choices[0].id)
    assert saved(tmp_path)["answers"]["scenario-handover"]["path"] == ["start-building"]
    assert shown.message_html == ""


@pytest.fixture
def public(tmp_path):
    path = tmp_path / "handover-public.json"
    path.write_text(json.dumps(strip_key(json.loads(FIXTURE.read_text()))))
    return path


def test_a_graded_scenario_shows_consequences_but_no_key_and_each_decision_is_final(tmp_path, public):
    """In the public form, does the learner see state changes but no explanation, score or replay?"""
    shown = player(tmp_path, public)
    assert "the debrief comes with your instructor's feedback" in shown.children[0].value
    shown.choose("take-over")
    assert "Team trust 5 → 3 of 10 (worse)" in shown.consequence_html
    assert "Deciding what" not in shown.consequence_html
    for choice_id in RECOVERY[1:]:
        shown.choose(choice_id)
    assert "Your path is saved for grading." in shown.ending_html
    assert "points" not in shown.ending_html and "Outcome" not in shown.ending_html
    assert shown.replay_button.layout.display == "none"
    shown.replay()
    assert shown.run.path == RECOVERY, "no replay in a graded scenario"
    assert saved(tmp_path)["attempts"]["scenario-handover"] == {"path": RECOVERY, "ending": "partial-end"}
    html = shown.plot.outputs[0]["data"]["text/html"]
    assert "along your path of 4 decisions" in html and "best path" not in html


def test_the_grader_scores_a_recorded_path_with_the_full_file(tmp_path, public):
    """Does the path recorded by the public form earn, on the instructor's full file, the points that file defines?"""
    shown = player(tmp_path, public)
    for choice_id in RECOVERY:
        shown.choose(choice_id)
    recorded = saved(tmp_path)["attempts"]["scenario-handover"]["path"]
    full = parse_scenario(json.loads(FIXTURE.read_text()))
    assert full.points_for(recorded) == 0 + 2 + 1 + 0
    assert full.points_for(recorded[:2]) == 2, "a path left unfinished earns its decisions' points"
