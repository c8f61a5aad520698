"""Does the scenario engine find every problem an author can make, and do the course's scenarios keep its rules?

The validator is tested on small in-memory changes of a fixture scenario (``tests/files/scenarios/handover.json``),
one per kind of problem, each naming its node and choice; the shipped files in ``data/scenarios/`` must have no
problem at all; the logic (path, state, best path, debrief, plot) is tested without a view; and so is the
``pm-course scenario`` command.
"""
from __future__ import annotations

import copy
import io
import json
import re

import pytest

from course.cli import main
from course.content.misconceptions import load_misconceptions
from course.errors import DataFileError
from course.exercises.scenario import (
    ScenarioRun,
    case_ids,
    load_scenario,
    parse_scenario,
    restorable_path,
    strip_key,
    validate,
)

from .conftest import REPO
from .test_lessons import cells, headings, source

FIXTURE = REPO / "tests" / "files" / "scenarios" / "handover.json"
SHIPPED = sorted((REPO / "data" / "scenarios").glob("*.json"))
ROLE_OF_LESSON = {"01": "project_manager", "02": "product_manager", "03": "program_manager", "04": "executive",
                  "05": "product_manager", "06": "project_manager", "07": "program_manager", "08": "executive"}
BEST = ["agree-goals", "rank-and-cut", "hand-over", "new-project"]


def fixture() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def changed(change) -> dict:
    content = copy.deepcopy(fixture())
    change(content)
    return content


def choice(content: dict, node: str, choice_id: str) -> dict:
    return next(c for c in content["nodes"][node]["choices"] if c["id"] == choice_id)


def problems_of(content: dict) -> list[tuple[str, str | None, str | None]]:
    return [(problem.kind, problem.node, problem.choice) for problem in validate(content)]


# --- the validator ---------------------------------------------------------------------------------------------

def test_the_fixture_has_no_problem_and_the_shape_the_rules_ask_for():
    """Is the fixture itself clean: 4 decisions on the best path, 3 endings, 12 recovery paths?"""
    assert validate(fixture()) == []
    shape = load_scenario(FIXTURE).shape()
    assert (shape.best_decisions, shape.best_points, shape.endings, shape.recovery_paths) == (4, 12, 3, 12)


def _truncate_after_launch(s):
    s["nodes"]["launch"]["choices"][0]["next"] = "partial-end"
    s["nodes"]["launch"]["choices"][1]["next"] = "success-end"
    del s["nodes"]["after"]


def _no_recovery(s):
    for node, choice_id in (("kickoff", "start-building"), ("kickoff", "take-over"), ("scope", "add-all")):
        choice(s, node, choice_id)["next"] = "fail-end"
    del s["nodes"]["drifting"], s["nodes"]["rescue"]


def _best_always_first(s):
    for node in s["nodes"].values():
        node.get("choices", []).sort(key=lambda c: -c["points"])


def _one_choice(s):
    s["nodes"]["scope"]["choices"] = [choice(s, "scope", "rank-and-cut")]


def _two_endings(s):
    choice(s, "after", "squeeze-in")["next"] = "fail-end"
    del s["nodes"]["partial-end"]


PROBLEMS = {
    "unknown next node": (lambda s: choice(s, "kickoff", "agree-goals").update(next="nowhere"),
                          ("unknown-next", "kickoff", "agree-goals"), "leads to unknown node 'nowhere'"),
    "unreachable node": (lambda s: s["nodes"].update(orphan={"text": "Never seen", "ending": True,
                                                             "outcome": "failure"}),
                         ("unreachable", "orphan", None), "cannot be reached from the start node 'kickoff'"),
    "dead end": (lambda s: [s["nodes"]["partial-end"].pop(key) for key in ("ending", "outcome")],
                 ("dead-end", "partial-end", None), "is a dead end"),
    "loop": (lambda s: choice(s, "after", "squeeze-in").update(next="launch"),
             ("loop", "after", "squeeze-in"), "closing a loop (launch → after → launch)"),
    "ending with choices": (lambda s: s["nodes"]["success-end"].update(choices=[choice(s, "after", "new-project")]),
                            ("ending-with-choices", "success-end", None), "is an ending but has choices"),
    "points above 3": (lambda s: choice(s, "scope", "add-all").update(points=5),
                       ("bad-points", "scope", "add-all"), "'points' must be a whole number from 0 to 3, not 5"),
    "points missing": (lambda s: choice(s, "scope", "add-all").pop("points"),
                       ("bad-points", "scope", "add-all"), "'points' must be a whole number from 0 to 3"),
    "effect on an unknown variable": (lambda s: choice(s, "launch", "stay-on").update(effects={"morale": -1}),
                                      ("unknown-variable", "launch", "stay-on"),
                                      "unknown state variable 'morale' (declared: weeks_late, cost_k, trust)"),
    "choice that changes nothing": (lambda s: choice(s, "launch", "stay-on").update(effects={"cost_k": 0}),
                                    ("no-effect", "launch", "stay-on"), "changes no state variable"),
    "below-best choice without misconception": (lambda s: choice(s, "scope", "add-all").pop("misconception"),
                                                ("missing-misconception", "scope", "add-all"),
                                                "earns 1 of the 3 points the best choice here earns"),
    "misconception not in the catalogue": (lambda s: choice(s, "scope", "add-all").update(misconception="nope"),
                                           ("unknown-misconception", "scope", "add-all"),
                                           "misconception 'nope' is not in data/misconceptions.csv"),
    "unknown case id": (lambda s: s.update(cases=["lifecycle-view", "no-such-case"]),
                        ("unknown-case", None, None), "case 'no-such-case' is not in data/cases.csv"),
    "too few choices": (_one_choice, ("choice-count", "scope", None), "has 1 choice; a decision needs 2 to 4"),
    "too many choices": (lambda s: s["nodes"]["scope"]["choices"].extend(
        [dict(choice(s, "scope", "add-all"), id=f"extra-{n}") for n in range(3)]),
        ("choice-count", "scope", None), "has 5 choices; a decision needs 2 to 4"),
    "best path too short": (_truncate_after_launch, ("short-best-path", "kickoff", None),
                            "the best path (agree-goals → rank-and-cut → hand-over) has 3 decisions"),
    "too few endings": (_two_endings, ("few-endings", None, None), "only 2 distinct endings (success-end, fail-end)"),
    "too few recovery paths": (_no_recovery, ("few-recovery-paths", "kickoff", None), "only 0 recovery paths"),
    "best choice always first": (_best_always_first, ("best-position", None, None),
                                 "the best choice is stored at position 1 at every decision"),
    "unknown start": (lambda s: s.update(start="begin"), ("start", None, None),
                      "the start node 'begin' does not exist"),
    "ending without outcome": (lambda s: s["nodes"]["fail-end"].pop("outcome"), ("outcome", "fail-end", None),
                               "an ending needs an 'outcome'"),
    "choice without id": (lambda s: s["nodes"]["rescue"]["choices"][1].pop("id"), ("format", "rescue", "#2"),
                          "missing 'id'"),
    "unknown role": (lambda s: s.update(role="scrum_master"), ("metadata", None, None), "not 'scrum_master'"),
    "review link to a missing heading": (lambda s: s["see"].update(section="No such heading"), ("see", None, None),
                                         "'see' names section 'No such heading', which is not an H2 heading of "
                                         "lesson '01-two-pms'"),
}


@pytest.mark.parametrize("name", PROBLEMS)
def test_each_kind_of_problem_is_found_and_names_its_node(name):
    """Does the validator find this problem, naming the node and choice, in a one-line message?"""
    change, where, words = PROBLEMS[name]
    problems = validate(changed(change))
    found = [p for p in problems if (p.kind, p.node, p.choice) == where]
    assert found, f"expected {where}, got {[(p.kind, p.node, p.choice) for p in problems]}"
    line = found[0].located("s.json")
    assert words in line and "\n" not in line
    node, choice_id = where[1], where[2]
    prefix = "s.json: " + ", ".join(
        part for part in ([f"node '{node}'"] if node else []) + (
            [f"choice {choice_id}" if choice_id.startswith("#") else f"choice '{choice_id}'"] if choice_id else []))
    assert line.startswith(prefix)


def test_every_problem_is_reported_not_only_the_first():
    """With three independent mistakes in one file, are all three reported?"""
    def three(s):
        choice(s, "kickoff", "agree-goals")["next"] = "nowhere"
        choice(s, "launch", "stay-on")["effects"] = {"morale": 1}
        choice(s, "scope", "add-all")["points"] = -1
    kinds = {(kind, node) for kind, node, _ in problems_of(changed(three))}
    assert {("unknown-next", "kickoff"), ("unknown-variable", "launch"), ("bad-points", "scope")} <= kinds


def test_loading_for_the_learner_raises_one_error_naming_the_first_blocking_problem():
    """Is a file that cannot be played refused with one one-line error that says how many more problems there are?"""
    def two(s):
        choice(s, "drifting", "push-on")["next"] = "nowhere"
        choice(s, "launch", "stay-on")["next"] = "kickoff"
    assert problems_of(changed(two)) == [("unknown-next", "drifting", "push-on"), ("loop", "launch", "stay-on")]
    with pytest.raises(DataFileError) as caught:
        parse_scenario(changed(two), source="s.json")
    message = str(caught.value)
    assert message.startswith("s.json: node 'drifting', choice 'push-on': leads to unknown node 'nowhere'")
    assert "(and 1 more; 'pm-course scenario check s.json' lists them all)" in message and "\n" not in message


def test_an_authoring_rule_does_not_stop_a_learner_from_playing():
    """Does a file that only breaks an authoring rule (here: a missing misconception) still load and play?"""
    content = changed(lambda s: choice(s, "scope", "add-all").pop("misconception"))
    assert problems_of(content) == [("missing-misconception", "scope", "add-all")]
    assert ScenarioRun(parse_scenario(content), BEST).finished


def test_a_v1_file_is_refused_with_a_message_naming_what_v2_needs():
    """Is a schema v1 scenario (no state, choices without ids) reported, not crashed on?"""
    v1 = {"id": "old", "title": "Old", "start": "a", "nodes": {
        "a": {"text": "Go?", "choices": [{"label": "Yes", "next": "b", "points": 1, "explanation": "Fine."}]},
        "b": {"text": "Done.", "ending": True}}}
    kinds = {kind for kind, _, _ in problems_of(v1)}
    assert {"format", "metadata", "outcome"} <= kinds
    with pytest.raises(DataFileError, match="'state' must be a non-empty object"):
        parse_scenario(v1)


# --- the public form of a graded scenario ----------------------------------------------------------------------

def test_the_public_form_keeps_the_story_and_drops_the_key():
    """Does strip_key drop points, explanations, misconceptions and outcomes, and still validate and play?"""
    public = strip_key(fixture())
    text = json.dumps(public)
    assert public["graded"] is True
    assert not any(f'"{key}"' in text for key in ("points", "explanation", "misconception", "outcome"))
    assert validate(public) == []
    scenario = parse_scenario(public)
    assert not scenario.has_key
    run = ScenarioRun(scenario, ["take-over", "hand-back", "stay-on", "squeeze-in"])
    assert run.finished and run.points is None and run.debrief() == []
    assert run.state == {"weeks_late": 1, "cost_k": 35, "trust": 4}, "consequences are still shown"
    assert fixture()["nodes"]["kickoff"]["choices"][0]["points"] == 1, "the full form is left unchanged"


def test_a_public_form_that_leaks_part_of_the_key_is_reported():
    """Does an explanation left in a graded scenario's public form count as a leak of the key?"""
    public = strip_key(fixture())
    public["nodes"]["scope"]["choices"][1]["explanation"] = "Right!"
    assert problems_of(public) == [("key-in-public-form", "scope", "rank-and-cut")]


# --- the logic, without a view ---------------------------------------------------------------------------------

def test_best_path_states_and_points_come_from_the_logic():
    """Does the best path earn every point, with its state after each decision?"""
    scenario = load_scenario(FIXTURE)
    assert list(scenario.best_path()) == BEST
    assert scenario.best_points() == 12
    assert [state["trust"] for state in scenario.states_along(BEST)] == [5, 6, 7, 8, 9]


def test_a_recovering_path_its_consequences_and_debrief():
    """Does a path with an early mistake show each consequence and explain each below-best choice?"""
    run = ScenarioRun(load_scenario(FIXTURE))
    step = run.choose("take-over")
    assert [change.text() for change in step.changes(run.scenario.state)] == ["Team trust 5 → 3 of 10 (worse)"]
    step = run.choose("hand-back")
    assert [change.text("->") for change in step.changes(run.scenario.state)] == [
        "Weeks late 0 -> 1 week (worse)", "Team trust 3 -> 4 of 10 (better)"]
    run.choose("hand-over")
    run.choose("new-project")
    assert run.finished and run.current.outcome == "success"
    assert run.points == 8 and run.path == ["take-over", "hand-back", "hand-over", "new-project"]
    assert [state["trust"] for state in run.states()] == [5, 3, 4, 5, 6]
    first = run.debrief()[0]
    assert first.below_best and first.misconception.id == "project-manager-decides-what"
    assert "earned 0 of 3 points" in first.text() and "“Agree the release's goals" in first.text()
    assert "Review lesson 05-who-decides-what" in first.text()
    assert not run.debrief()[1].below_best
    with pytest.raises(ValueError, match="ended"):
        run.choose("new-project")
    run.replay()
    assert run.path == [] and run.current.id == "kickoff"


def test_a_choice_not_offered_is_refused():
    """Is a choice id that the current node does not offer refused with the ids it does offer?"""
    with pytest.raises(ValueError, match="offers no choice 'hand-over'; it offers start-building, agree-goals"):
        ScenarioRun(load_scenario(FIXTURE)).choose("hand-over")


def test_a_saved_path_is_restored_as_far_as_it_still_fits():
    """Are v1 index paths dropped with a note, and paths from an older file kept up to the first unknown choice?"""
    scenario = load_scenario(FIXTURE)
    assert restorable_path(scenario, BEST[:2]) == (BEST[:2], None)
    path, note = restorable_path(scenario, [0, 1])
    assert path == [] and "older version" in note
    path, note = restorable_path(scenario, ["agree-goals", "gone", "hand-over"])
    assert path == ["agree-goals"] and "changed" in note


def test_the_path_plot_compares_with_the_best_path_and_has_alt_text():
    """Does the logic draw one panel per state variable, both paths, and alt text giving the end values?"""
    run = ScenarioRun(load_scenario(FIXTURE), ["take-over", "hand-back", "stay-on", "squeeze-in"])
    figure = run.plot()
    assert len(figure.figure.axes) == 3
    assert all(len(axes.lines) == 2 for axes in figure.figure.axes), "your path and the best path"
    assert "Team trust ended at 4 of 10 on your path and 9 of 10 on the best path" in figure.alt
    assert 'alt="Line charts' in figure._repr_html_()
    assert figure.png().startswith(b"\x89PNG")


def test_the_public_form_plots_the_path_taken_only():
    """Without a key, does the plot show the path taken and no best path?"""
    run = ScenarioRun(parse_scenario(strip_key(fixture())), BEST)
    figure = run.plot()
    assert all(len(axes.lines) == 1 for axes in figure.figure.axes)
    assert "best path" not in figure.alt and "Team trust went from 5 of 10 to 9 of 10" in figure.alt


# --- the course's own scenario files ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_scenario_can_be_played(path):
    """Does the file load for a learner: no unknown node, unreachable node, dead end, loop or bad points?"""
    problems = [p for p in validate(json.loads(path.read_text(encoding="utf-8"))) if p.blocking]
    assert not problems, "\n".join(f"[{p.kind}] {p.located(path.name)}" for p in problems)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_scenario_meets_the_authoring_rules(path):
    """Does the file keep every shape rule: 2-4 choices, 4 decisions on the best path, 3 endings, 2 recoveries...?"""
    problems = validate(json.loads(path.read_text(encoding="utf-8")))
    assert not problems, "\n".join(f"[{p.kind}] {p.located(path.name)}" for p in problems)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_scenario_names_known_cases_and_misconceptions(path):
    """Is every case id in data/cases.csv and every misconception in data/misconceptions.csv?"""
    content = json.loads(path.read_text(encoding="utf-8"))
    assert content.get("cases"), f"{path.name}: no 'cases' cited"
    assert set(content["cases"]) <= case_ids(), f"{path.name}: unknown cases {set(content['cases']) - case_ids()}"
    named = {c.get("misconception") for node in content["nodes"].values() for c in node.get("choices", [])} - {None}
    unknown = named - set(load_misconceptions())
    assert not unknown, f"{path.name}: misconceptions not in data/misconceptions.csv: {sorted(unknown)}"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_shipped_scenario_links_to_a_real_section_of_its_lesson(path):
    """Does the debrief's 'review' link name a lesson that exists and one of its H2 headings?"""
    content = json.loads(path.read_text(encoding="utf-8"))
    see = content.get("see") or {}
    lesson = REPO / "course" / "lessons" / f"{see.get('lesson')}.ipynb"
    assert lesson.is_file(), f"{path.name}: 'see' names missing lesson {see.get('lesson')}"
    assert see.get("section") in headings(lesson), f"{path.name}: no heading '{see.get('section')}' in {lesson.name}"


def test_every_lesson_has_its_scenario_with_the_planned_role():
    """Does each lesson 01-08 have a scenario, with the role the course plans for it, shown in that lesson?"""
    by_lesson: dict[str, list[tuple[str, str]]] = {}
    for path in SHIPPED:
        content = json.loads(path.read_text(encoding="utf-8"))
        by_lesson.setdefault(str(content.get("lesson", ""))[:2], []).append((content.get("id"), content.get("role")))
    for number, role in ROLE_OF_LESSON.items():
        found = by_lesson.get(number, [])
        assert any(found_role == role for _, found_role in found), (
            f"lesson {number}: no scenario with role {role} in data/scenarios (found {found})")
        lesson = next((REPO / "course" / "lessons").glob(f"{number}-*.ipynb"))
        code = "\n".join(source(cell) for cell in cells(lesson) if cell["cell_type"] == "code")
        shown = set(re.findall(r'ScenarioPlayer\("([^"]+)"', code))
        assert shown & {scenario_id for scenario_id, _ in found}, f"{lesson.name} shows none of its scenarios {found}"


# --- pm-course scenario ------------------------------------------------------------------------------------------

def test_check_says_ok_with_the_shape_and_exit_status_0(capsys):
    """Does 'scenario check' on a clean file print one OK line with its shape figures and exit 0?"""
    assert main(["scenario", "check", str(FIXTURE)]) == 0
    assert capsys.readouterr().out.strip() == (
        f"{FIXTURE}: OK: 4 decisions on the best path (12 points), 3 endings, 12 recovery paths")


def test_check_lists_every_problem_with_file_node_and_choice_and_exits_1(tmp_path, capsys):
    """Does 'scenario check' print FILE: node 'x', choice 'y': message for each problem and exit 1?"""
    def two(s):
        choice(s, "kickoff", "agree-goals")["next"] = "nowhere"
        choice(s, "launch", "stay-on")["effects"] = {"morale": 1}
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(changed(two)))
    assert main(["scenario", "check", str(broken), str(FIXTURE)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert f"{broken}: node 'kickoff', choice 'agree-goals': leads to unknown node 'nowhere'" in lines
    assert any(line.startswith(f"{broken}: node 'launch', choice 'stay-on': 'effects' names unknown state "
                               "variable 'morale'") for line in lines)
    assert f"{FIXTURE}: OK: 4 decisions on the best path (12 points), 3 endings, 12 recovery paths" in lines
    assert lines[-1] == "2 files checked, 1 with problems"


def test_check_reports_a_file_that_is_missing_or_not_json(tmp_path, capsys):
    """Are a missing file and a file that is not JSON each one line, exit status 1, no traceback?"""
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert main(["scenario", "check", str(tmp_path / "missing.json"), str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{tmp_path / 'missing.json'}: no such scenario file" in out
    assert f"{bad}: not valid JSON" in out and "Traceback" not in out


def test_check_reports_the_public_form_as_ok(tmp_path, capsys):
    """Is a graded scenario's public form accepted, with a note that its key is elsewhere?"""
    public = tmp_path / "public.json"
    public.write_text(json.dumps(strip_key(fixture())))
    assert main(["scenario", "check", str(public)]) == 0
    assert "OK: public form of a graded scenario, 6 decisions and 3 endings" in capsys.readouterr().out


def test_play_reads_through_a_scripted_path_to_its_debrief(capsys):
    """Does 'scenario play --path' show numbered choices, consequences, the ending, the score and the debrief?"""
    assert main(["scenario", "play", str(FIXTURE), "--path", "3,hand-back,stay-on,squeeze-in"]) == 0
    out = capsys.readouterr().out
    assert "  3. Choose the editor's features yourself to save time" in out
    assert "  Team trust 5 -> 3 of 10 (worse)" in out
    assert "== Partial success ==" in out and "Your path earned 3 of 12 points" in out
    assert "Decision 1: “Choose the editor's features yourself to save time” earned 0 of 3 points." in out
    assert "The best path: Agree the release's goals with the product manager -> " in out


def test_play_asks_for_numbers_and_stops_on_quit(monkeypatch, capsys):
    """Does interactive play re-ask after a bad answer, take a number, and stop cleanly on q?"""
    monkeypatch.setattr("sys.stdin", io.StringIO("7\n2\nq\n"))
    assert main(["scenario", "play", str(FIXTURE)]) == 0
    out = capsys.readouterr().out
    assert "Type a number from 1 to 3, or q." in out
    assert "You chose: Agree the release's goals with the product manager" in out
    assert "Stopped after 1 decision." in out


def test_play_refuses_an_unknown_choice_and_a_broken_file_in_one_line(tmp_path, capsys):
    """Are a choice id the node does not offer, and a file that cannot be played, one-line errors with status 1?"""
    assert main(["scenario", "play", str(FIXTURE), "--path", "hand-over"]) == 1
    assert "offers no choice 'hand-over'" in capsys.readouterr().err
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(changed(lambda s: s.update(start="begin"))))
    assert main(["scenario", "play", str(broken)]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"pm-course: {broken}: the start node 'begin' does not exist"


def test_help_names_both_actions_and_their_options(capsys):
    """Does --help explain check and play, and does play's help name --path and --best?"""
    assert main(["scenario"]) == 2
    out = capsys.readouterr().out
    assert "check" in out and "play" in out and "exit status 1" in out.replace("\n", " ")
    with pytest.raises(SystemExit):
        main(["scenario", "play", "--help"])
    out = capsys.readouterr().out
    assert "--path" in out and "--best" in out


def test_check_accepts_a_folder(tmp_path, capsys):
    """Does 'scenario check FOLDER' check every .json file in it?"""
    (tmp_path / "a.json").write_text(FIXTURE.read_text())
    (tmp_path / "b.json").write_text(FIXTURE.read_text())
    assert main(["scenario", "check", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "2 files checked, 0 with problems"
