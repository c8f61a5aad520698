"""Branching scenarios: a case told in steps, where each choice changes what comes next.

A scenario is data (``data/scenarios/<name>.json``, schema in ``data/README.md``), so an
instructor can write one without Python. :func:`parse_scenario` refuses a broken one with
an error that names the node: an unknown next node, a node that cannot be reached from the
start, a dead end that is not an ending, a loop, or an ending that has choices.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataFileError
from .feedback import SectionLink
from .json_data import read_json


@dataclass(frozen=True)
class Choice:
    label: str
    next: str
    points: int
    explanation: str


@dataclass(frozen=True)
class Node:
    id: str
    text: str
    choices: tuple[Choice, ...]
    ending: bool


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    start: str
    nodes: dict[str, Node]
    see: SectionLink | None

    def best_points(self, node_id: str | None = None) -> int:
        """The most points any path from ``node_id`` (default: the start) can earn."""
        return _best(self, node_id or self.start)


def _best(scenario: Scenario, node_id: str) -> int:
    node = scenario.nodes[node_id]
    return max((choice.points + _best(scenario, choice.next) for choice in node.choices), default=0)


def load_scenario(name_or_path: str | Path) -> Scenario:
    content, path = read_json(name_or_path, "scenarios", "scenario")
    return parse_scenario(content, source=str(path))


def parse_scenario(content: Any, source: str = "scenario") -> Scenario:
    def fail(message: str) -> DataFileError:
        return DataFileError(f"{source}: {message}")

    if not isinstance(content, dict):
        raise fail("the top level must be an object with id, title, start and nodes")
    for key in ("id", "title", "start", "nodes"):
        if key not in content:
            raise fail(f"missing '{key}'")
    if not isinstance(content["nodes"], dict) or not content["nodes"]:
        raise fail("'nodes' must be a non-empty object of node id to node")
    nodes = {}
    for node_id, raw in content["nodes"].items():
        if not isinstance(raw, dict) or not raw.get("text"):
            raise fail(f"node '{node_id}' needs a 'text'")
        ending = bool(raw.get("ending", False))
        choices = []
        for number, choice in enumerate(raw.get("choices", []), start=1):
            if not isinstance(choice, dict) or not all(choice.get(k) for k in ("label", "next", "explanation")):
                raise fail(f"node '{node_id}', choice {number}: needs 'label', 'next' and 'explanation'")
            points = choice.get("points", 0)
            if not isinstance(points, int) or points < 0:
                raise fail(f"node '{node_id}', choice {number}: 'points' must be a whole number, 0 or more")
            choices.append(Choice(choice["label"], choice["next"], points, choice["explanation"]))
        if ending and choices:
            raise fail(f"node '{node_id}' is an ending but has choices")
        if not ending and not choices:
            raise fail(f"node '{node_id}' is a dead end: it has no choices and is not marked as an ending")
        nodes[node_id] = Node(node_id, raw["text"], tuple(choices), ending)
    if content["start"] not in nodes:
        raise fail(f"the start node '{content['start']}' does not exist")
    for node in nodes.values():
        for number, choice in enumerate(node.choices, start=1):
            if choice.next not in nodes:
                raise fail(f"node '{node.id}', choice {number} leads to unknown node '{choice.next}'")
    reachable = _reachable(nodes, content["start"])
    unreachable = [node_id for node_id in nodes if node_id not in reachable]
    if unreachable:
        raise fail(f"node(s) {', '.join(repr(n) for n in unreachable)} cannot be reached from the start")
    loop = _find_loop(nodes, content["start"])
    if loop:
        raise fail(f"the choices form a loop: {' → '.join(loop)}; every path must lead to an ending")
    see = content.get("see")
    link = SectionLink(see["lesson"], see["section"]) if isinstance(see, dict) and see.get("lesson") else None
    return Scenario(str(content["id"]), str(content["title"]), content["start"], nodes, link)


def _reachable(nodes: dict[str, Node], start: str) -> set[str]:
    seen, frontier = {start}, [start]
    while frontier:
        for choice in nodes[frontier.pop()].choices:
            if choice.next not in seen:
                seen.add(choice.next)
                frontier.append(choice.next)
    return seen


def _find_loop(nodes: dict[str, Node], start: str) -> list[str] | None:
    state: dict[str, str] = {}
    trail: list[str] = []

    def visit(node_id: str) -> list[str] | None:
        state[node_id] = "open"
        trail.append(node_id)
        for choice in nodes[node_id].choices:
            if state.get(choice.next) == "open":
                return trail[trail.index(choice.next):] + [choice.next]
            if choice.next not in state:
                found = visit(choice.next)
                if found:
                    return found
        state[node_id] = "done"
        trail.pop()
        return None

    return visit(start)


class ScenarioRun:
    """One walk through a scenario: the choices made so far, the node reached, and the score."""

    def __init__(self, scenario: Scenario, path: list[int] | None = None):
        self.scenario = scenario
        self.path: list[int] = []
        for index in path or []:
            if self.finished or not 0 <= index < len(self.current.choices):
                break
            self.choose(index)

    @property
    def current(self) -> Node:
        node = self.scenario.nodes[self.scenario.start]
        for index in self.path:
            node = self.scenario.nodes[node.choices[index].next]
        return node

    @property
    def finished(self) -> bool:
        return self.current.ending

    def choose(self, index: int) -> Node:
        node = self.current
        if node.ending:
            raise ValueError("the scenario has ended; restart it to play again")
        if not 0 <= index < len(node.choices):
            raise ValueError(f"choose 0 to {len(node.choices) - 1}")
        self.path.append(index)
        return self.current

    def steps(self) -> list[tuple[Node, Choice]]:
        node, steps = self.scenario.nodes[self.scenario.start], []
        for index in self.path:
            steps.append((node, node.choices[index]))
            node = self.scenario.nodes[node.choices[index].next]
        return steps

    @property
    def points(self) -> int:
        return sum(choice.points for _, choice in self.steps())

    def debrief(self) -> list[str]:
        """One line per choice made: what was chosen, its points, and why."""
        return [f"{choice.label} ({choice.points} of {max(c.points for c in node.choices)} points): "
                f"{choice.explanation}" for node, choice in self.steps()]
