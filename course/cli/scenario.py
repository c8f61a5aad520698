"""Check and play branching scenarios (data/scenarios/<id>.json, schema v2 in data/README.md).

  pm-course scenario check data/scenarios/*.json
      Lists every problem of every file, one line each, as FILE: node 'x', choice 'y': message
      (an unknown next node, an unreachable node, a dead end, a loop, bad points, an effect on an
      undeclared state variable, a below-best choice without a misconception, a best path shorter
      than 4 decisions, fewer than 3 endings or 2 recovery paths, ...). Exit status 1 if there is
      any, else 0 with one OK line per file giving its shape.

  pm-course scenario play data/scenarios/sales-promise.json
      Plays the scenario in the terminal for a read-through: numbered choices in the file's order,
      each choice's explanation and consequences, and the debrief at the end.
      --path a,b,c plays those choice ids without asking; --best plays the best path.
"""
from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from course.errors import CourseError
from course.exercises.scenario import OUTCOME_NAMES, Scenario, ScenarioRun, check_file, load_scenario

HELP = "check scenario files for every problem, or play one in the terminal"
WIDTH = 100


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION")
    check = actions.add_parser(
        "check", help="list every problem of scenario files (exit status 1 if any)",
        description="List every problem of each scenario file, one line each, naming the node and choice; "
                    "exit status 1 if there is any, else print each file's shape (decisions on the best path, "
                    "endings, recovery paths).")
    check.add_argument("files", nargs="+", metavar="FILE",
                       help="a scenario file (.json), a scenario id from data/scenarios, or a folder of .json files")
    play = actions.add_parser(
        "play", help="play a scenario in the terminal",
        description="Play a scenario in the terminal: type the number of a choice (or its id); q quits.")
    play.add_argument("file", metavar="FILE", help="a scenario file (.json) or a scenario id from data/scenarios")
    scripted = play.add_mutually_exclusive_group()
    scripted.add_argument("--path", metavar="ID,ID,...",
                          help="choice ids (or numbers) separated by commas, played without asking; the rest is "
                               "asked for")
    scripted.add_argument("--best", action="store_true", help="play the best path without asking")
    parser.set_defaults(scenario_parser=parser)


def run(args: argparse.Namespace) -> int:
    if args.action == "check":
        return check(args.files)
    if args.action == "play":
        return play(args.file, args.path.split(",") if args.path else None, args.best)
    args.scenario_parser.print_help()
    return 2


def check(names: list[str]) -> int:
    files = _expand(names)
    failed = 0
    for name in files:
        path, problems, scenario = check_file(name)
        for problem in problems:
            print(problem.located(str(path)))
        if problems:
            failed += 1
        elif scenario is not None and scenario.has_key:
            print(f"{path}: OK: {scenario.shape().summary()}")
        elif scenario is not None:
            print(f"{path}: OK: public form of a graded scenario, {len(scenario.decision_nodes())} decisions and "
                  f"{len(scenario.endings())} endings; its key is in the instructor's version")
    if len(files) > 1:
        print(f"{len(files)} files checked, {failed} with problems")
    return 1 if failed else 0


def _expand(names: list[str]) -> list[str]:
    files: list[str] = []
    for name in names:
        folder = Path(name)
        if folder.is_dir():
            found = sorted(str(path) for path in folder.glob("*.json"))
            if not found:
                raise CourseError(f"{folder}: no .json scenario files in this folder")
            files += found
        else:
            files.append(name)
    return files


def play(name: str, scripted: list[str] | None = None, best: bool = False) -> int:
    scenario = load_scenario(name)
    if best and not scenario.has_key:
        raise CourseError(f"{name}: the public form of a graded scenario has no best path (no points)")
    queue = list(scenario.best_path() if best else scripted or [])
    run = ScenarioRun(scenario)
    _say(f"== {scenario.title} ==")
    if scenario.role_text:
        _say(f"Your role. {scenario.role_text}")
    while not run.finished:
        node = run.current
        print()
        print(_state_text(scenario, run.state))
        print()
        _say(f"Decision {len(run.path) + 1}. {node.text}")
        for number, choice in enumerate(node.choices, start=1):
            _say(choice.label, f"  {number}. ", "     ")
        answer = queue.pop(0).strip() if queue else _ask(len(node.choices))
        if answer is None:
            print(f"Stopped after {len(run.path)} decision{'s' * (len(run.path) != 1)}.")
            return 0
        choice_id = (node.choices[int(answer) - 1].id if answer.isdigit() and 1 <= int(answer) <= len(node.choices)
                     else answer)
        try:
            step = run.choose(choice_id)
        except ValueError as error:
            raise CourseError(f"{name}: {error}") from None
        print()
        _say(f"You chose: {step.choice.label}")
        if step.choice.explanation:
            _say(step.choice.explanation)
        for change in step.changes(scenario.state):
            print(f"  {change.text(arrow='->')}")
    _ending(scenario, run)
    return 0


def _ask(count: int) -> str | None:
    while True:
        try:
            answer = input(f"Your choice (1-{count}, q to quit): ").strip()
        except EOFError:
            print()
            return None
        if answer.lower() in ("q", "quit"):
            return None
        if answer.isdigit() and 1 <= int(answer) <= count:
            return answer
        print(f"Type a number from 1 to {count}, or q.")


def _ending(scenario: Scenario, run: ScenarioRun) -> None:
    node = run.current
    print()
    print(_state_text(scenario, run.state))
    print()
    _say(f"== {OUTCOME_NAMES[node.outcome]} ==" if node.outcome else "== The end ==")
    _say(node.text)
    if not scenario.has_key:
        _say("This is the public form of a graded scenario: the debrief comes with the instructor's feedback.")
        return
    best = scenario.best_points()
    print()
    _say(f"Your path earned {run.points} of {best} points (the best path earns {best}).")
    _say("Debrief:")
    for line in run.debrief():
        _say(line.text(), "  - ", "    ")
    if run.path != list(scenario.best_path()):
        labels = [choice.label for _, choice in scenario.follow(scenario.best_path())]
        _say("The best path: " + " -> ".join(labels))
    if scenario.see:
        _say(f"Review {scenario.see.text()}.")


def _state_text(scenario: Scenario, state: dict[str, float]) -> str:
    """The state as a small table: one line per variable, its value, and which way is better."""
    labels = max(len(variable.label) for variable in scenario.state)
    values = max(len(variable.show(state[variable.id])) for variable in scenario.state)
    return "\n".join(f"  {variable.label:<{labels}}  {variable.show(state[variable.id]):<{values}}  "
                     f"({variable.better} is better)" for variable in scenario.state)


def _say(text: str, first: str = "", rest: str = "") -> None:
    """Print ``text`` wrapped to the terminal's usual width, never breaking a hyphenated id."""
    print(textwrap.fill(text, WIDTH, break_on_hyphens=False, initial_indent=first, subsequent_indent=rest))
