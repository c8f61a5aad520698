"""Branching scenarios: a case told in decisions, where each choice has consequences the learner can see.

A scenario is data (``data/scenarios/<id>.json``, schema v2 in ``data/README.md``), so an author can write one
without Python. This module holds everything about it that is not a view:

* :func:`validate` finds **every** problem of a file, each a :class:`Problem` naming its node and choice, so
  ``pm-course scenario check`` can list them all at once. Problems come in two kinds. Those that make a file
  unplayable or misleading (an unknown next node, an unreachable node, a dead end, a loop, bad points, an effect
  on an undeclared state variable...) are *blocking*: :func:`load_scenario` refuses the file with one
  :class:`~course.errors.DataFileError`, which a widget shows as a one-line message. The course's authoring rules
  (2 to 4 choices, a best path of at least 4 decisions, 3 endings, 2 recovery paths, a misconception on every
  below-best choice, known case ids...) are checked by the same function but do not stop a learner from playing:
  the tests and the ``check`` command hold authors to them.
* :class:`ScenarioRun` is one walk through a scenario: the path (choice ids), the state after every step, the
  points, the debrief; the best path and its states come from :class:`Scenario`.
* :func:`strip_key` makes the public form of a graded scenario (``"graded": true``): the same story and
  consequences, with no points, explanations, misconceptions or outcomes, which stay in the instructor's version.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from course.content.json_data import notebook_cells, read_json
from course.content.misconceptions import Misconception, load_misconceptions
from course.content.sections import SectionLink
from course.errors import DataFileError
from course.paths import LESSONS_DIR

if TYPE_CHECKING:
    from course.plots import AccessibleFigure

ROLES = ("product_manager", "project_manager", "program_manager", "executive", "product_marketing_manager")
OUTCOMES = ("success", "partial", "failure")
OUTCOME_NAMES = {"success": "Success", "partial": "Partial success", "failure": "Failure"}
GOOD_OUTCOMES = ("success", "partial")
BETTER = ("lower", "higher")
MAX_POINTS = 3
MIN_CHOICES, MAX_CHOICES = 2, 4
MIN_BEST_DECISIONS = 4
MIN_ENDINGS = 3
MIN_RECOVERY_PATHS = 2
KEY_FIELDS = ("points", "explanation", "misconception")

# Problems that make a file unplayable or misleading for a learner; every other kind is an authoring rule.
BLOCKING = frozenset({"format", "start", "unknown-next", "unreachable", "dead-end", "loop", "ending-with-choices",
                      "bad-points", "unknown-variable", "outcome"})
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_VARIABLE = re.compile(r"[a-z][a-z0-9_]*")
_LESSON = re.compile(r"\d\d-[a-z0-9-]+")


# --- the parsed form --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StateVariable:
    """One thing every choice can move, e.g. weeks late, cost against budget, customer value, trust."""

    id: str
    label: str
    start: float
    unit: str
    better: str  # "lower" or "higher"

    def show(self, value: float) -> str:
        """The value with its unit, e.g. ``3 weeks`` (``1 week``)."""
        unit = self.unit
        if abs(value) == 1 and unit.endswith("s") and not unit.endswith("ss"):
            unit = unit[:-1]
        return f"{_number(value)} {unit}".strip()


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    next: str
    effects: Mapping[str, float]
    points: int | None = None  # None in the public form of a graded scenario
    explanation: str | None = None
    misconception: str | None = None


@dataclass(frozen=True)
class Node:
    id: str
    text: str
    choices: tuple[Choice, ...] = ()
    ending: bool = False
    outcome: str | None = None  # success, partial or failure; only on endings (absent in a public graded form)

    def choice(self, choice_id: str) -> Choice | None:
        return next((choice for choice in self.choices if choice.id == choice_id), None)

    @property
    def top_points(self) -> int | None:
        """The most points any choice here earns (None without a key)."""
        points = [choice.points for choice in self.choices if choice.points is not None]
        return max(points) if points else None

    def best_choices(self) -> tuple[Choice, ...]:
        """The choices that earn the most points here (more than one when they tie)."""
        top = self.top_points
        return tuple(choice for choice in self.choices if top is not None and choice.points == top)


@dataclass(frozen=True)
class Shape:
    """The figures the authoring rules are about."""

    best_decisions: int
    best_points: int
    endings: int
    recovery_paths: int

    def summary(self) -> str:
        return (f"{self.best_decisions} decisions on the best path ({self.best_points} points), "
                f"{self.endings} endings, {self.recovery_paths} recovery paths")


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    start: str
    nodes: Mapping[str, Node]
    state: tuple[StateVariable, ...]
    lesson: str | None = None
    role: str | None = None
    role_text: str = ""
    cases: tuple[str, ...] = ()
    see: SectionLink | None = None
    graded: bool = False
    principles: tuple[int, ...] = ()
    misconceptions: Mapping[str, Misconception] = field(default_factory=dict)

    @property
    def has_key(self) -> bool:
        """False for the public form of a graded scenario, whose points live in the instructor's version."""
        return any(choice.points is not None for node in self.nodes.values() for choice in node.choices)

    def variable(self, variable_id: str) -> StateVariable:
        return next(variable for variable in self.state if variable.id == variable_id)

    def start_state(self) -> dict[str, float]:
        return {variable.id: variable.start for variable in self.state}

    def endings(self) -> list[Node]:
        """The endings reachable from the start, in file order."""
        reachable = _reachable({n.id: [c.next for c in n.choices] for n in self.nodes.values()}, self.start)
        return [node for node in self.nodes.values() if node.ending and node.id in reachable]

    def follow(self, path: Sequence[str]) -> list[tuple[Node, Choice]]:
        """The (node, choice) pairs of ``path`` (choice ids from the start); ValueError on a choice not offered."""
        node, steps = self.nodes[self.start], []
        for choice_id in path:
            choice = node.choice(choice_id)
            if choice is None:
                raise ValueError(f"node '{node.id}' has no choice '{choice_id}'")
            steps.append((node, choice))
            node = self.nodes[choice.next]
        return steps

    def states_along(self, path: Sequence[str]) -> list[dict[str, float]]:
        """The state at the start and after each choice of ``path`` (one more entry than choices)."""
        states = [self.start_state()]
        for _, choice in self.follow(path):
            states.append(_apply(states[-1], choice.effects))
        return states

    def points_for(self, path: Sequence[str]) -> int:
        """Points earned by the choices of ``path`` (partial paths earn the points of the decisions taken)."""
        return sum(choice.points or 0 for _, choice in self.follow(path))

    def best_points(self, node_id: str | None = None) -> int:
        """The most points any path from ``node_id`` (default: the start) can earn."""
        return self._best_from[node_id or self.start][0]

    def best_path(self, node_id: str | None = None) -> tuple[str, ...]:
        """The choice ids of the path with the most points; ties go to the better ending, then to file order."""
        return self._best_from[node_id or self.start][2]

    @cached_property
    def _best_from(self) -> dict[str, tuple[int, int, tuple[str, ...]]]:
        """Per node: (points, outcome rank of the ending reached, choice ids) of its best continuation."""
        rank = {"success": 2, "partial": 1, "failure": 0}
        best: dict[str, tuple[int, int, tuple[str, ...]]] = {}
        for node_id in _topological(self.nodes, self.start):
            node = self.nodes[node_id]
            if node.ending or not node.choices:
                best[node_id] = (0, rank.get(node.outcome or "", 0), ())
                continue
            options = []
            for choice in node.choices:
                points, outcome, rest = best[choice.next]
                options.append((points + (choice.points or 0), outcome, (choice.id, *rest)))
            best[node_id] = max(options, key=lambda option: option[:2])  # max keeps the first of equals
        return best

    def recovery_paths(self) -> int:
        """How many paths take a below-best choice at one of their first two decisions and still end well.

        Ending well means a success or partial ending.
        """
        good = self._good_paths_from
        count = 0
        first = self.nodes[self.start]
        for choice in first.choices:
            if _below_best(first, choice):
                count += good[choice.next]
                continue
            second = self.nodes[choice.next]
            count += sum(good[later.next] for later in second.choices if _below_best(second, later))
        return count

    @cached_property
    def _good_paths_from(self) -> dict[str, int]:
        """Per node: how many paths from it end in a success or partial ending."""
        count: dict[str, int] = {}
        for node_id in _topological(self.nodes, self.start):
            node = self.nodes[node_id]
            count[node_id] = (int(node.outcome in GOOD_OUTCOMES) if node.ending
                              else sum(count[choice.next] for choice in node.choices))
        return count

    def shape(self) -> Shape:
        return Shape(len(self.best_path()), self.best_points(), len(self.endings()), self.recovery_paths())

    def decision_nodes(self) -> list[Node]:
        """The reachable nodes with choices, in file order."""
        reachable = _reachable({n.id: [c.next for c in n.choices] for n in self.nodes.values()}, self.start)
        return [node for node in self.nodes.values() if node.choices and node.id in reachable]


def _below_best(node: Node, choice: Choice) -> bool:
    return choice.points is not None and node.top_points is not None and choice.points < node.top_points


def _apply(state: Mapping[str, float], effects: Mapping[str, float]) -> dict[str, float]:
    after = dict(state)
    for variable_id, change in effects.items():
        after[variable_id] = _tidy(after[variable_id] + change)
    return after


def _tidy(value: float) -> float:
    """Sums of decimals without float noise (0.1 + 0.2 is 0.3), whole numbers as int."""
    rounded = round(value, 6)
    return int(rounded) if float(rounded).is_integer() else rounded


def _number(value: float) -> str:
    return f"{_tidy(value):,}" if isinstance(_tidy(value), int) else f"{_tidy(value):,.6g}"


# --- consequences and the debrief ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Change:
    """One state variable moved by one choice."""

    variable: StateVariable
    before: float
    after: float

    @property
    def direction(self) -> str:
        """'better' or 'worse' for the learner's side, as the variable's ``better`` says."""
        went_up = self.after > self.before
        return "better" if went_up == (self.variable.better == "higher") else "worse"

    def text(self, arrow: str = "→") -> str:
        """E.g. ``Weeks late 0 → 3 weeks (worse)``."""
        return (f"{self.variable.label} {_number(self.before)} {arrow} {self.variable.show(self.after)} "
                f"({self.direction})")


@dataclass(frozen=True)
class Step:
    """One decision taken: where, which choice, and the state before and after it."""

    number: int
    node: Node
    choice: Choice
    before: Mapping[str, float]
    after: Mapping[str, float]

    def changes(self, variables: Sequence[StateVariable]) -> list[Change]:
        return [Change(variable, self.before[variable.id], self.after[variable.id]) for variable in variables
                if self.before[variable.id] != self.after[variable.id]]


@dataclass(frozen=True)
class DebriefLine:
    """What the debrief says about one decision: its points against the best, why, and the belief behind it."""

    number: int
    node: Node
    choice: Choice
    points: int
    top_points: int
    best_labels: tuple[str, ...]
    misconception: Misconception | None

    @property
    def below_best(self) -> bool:
        return self.points < self.top_points

    def text(self) -> str:
        parts = [f"Decision {self.number}: “{self.choice.label}” earned {self.points} of {self.top_points} points."]
        if self.choice.explanation:
            parts.append(self.choice.explanation)
        if self.below_best:
            parts.append("The strongest choice here: " + " or ".join(f"“{label}”" for label in self.best_labels) + ".")
        if self.misconception:
            parts.append(f"The belief behind your choice: {self.misconception.belief} "
                         f"Review {self.misconception.see.text()}.")
        return " ".join(parts)


class ScenarioRun:
    """One walk through a scenario: the choices made so far (their ids), the node reached, the state and the score."""

    def __init__(self, scenario: Scenario, path: Iterable[str] = ()):
        self.scenario = scenario
        self.path: list[str] = []
        self._node_id = scenario.start
        for choice_id in path:
            if self.finished or self.current.choice(choice_id) is None:
                break
            self.choose(choice_id)

    @property
    def current(self) -> Node:
        return self.scenario.nodes[self._node_id]

    @property
    def finished(self) -> bool:
        return self.current.ending

    @property
    def ending(self) -> Node | None:
        return self.current if self.finished else None

    def choose(self, choice_id: str) -> Step:
        """Take the choice ``choice_id`` at the current node and return the step it makes."""
        node = self.current
        if node.ending:
            raise ValueError("the scenario has ended; play again to take another path")
        choice = node.choice(choice_id)
        if choice is None:
            raise ValueError(f"node '{node.id}' offers no choice '{choice_id}'; "
                             f"it offers {', '.join(c.id for c in node.choices)}")
        self.path.append(choice_id)
        self._node_id = choice.next
        return self.steps()[-1]

    def replay(self) -> None:
        """Back to the start with an empty path."""
        self.path = []
        self._node_id = self.scenario.start

    def steps(self) -> list[Step]:
        states = self.scenario.states_along(self.path)
        return [Step(number, node, choice, states[number - 1], states[number])
                for number, (node, choice) in enumerate(self.scenario.follow(self.path), start=1)]

    def states(self) -> list[dict[str, float]]:
        """The state at the start and after each choice taken."""
        return self.scenario.states_along(self.path)

    @property
    def state(self) -> dict[str, float]:
        return self.states()[-1]

    @property
    def points(self) -> int | None:
        """Points earned so far; None for the public form of a graded scenario."""
        return self.scenario.points_for(self.path) if self.scenario.has_key else None

    def best_path(self) -> tuple[str, ...]:
        return self.scenario.best_path()

    def best_states(self) -> list[dict[str, float]]:
        return self.scenario.states_along(self.best_path())

    def debrief(self) -> list[DebriefLine]:
        """One line per decision taken (empty without a key: the instructor's feedback brings it)."""
        if not self.scenario.has_key:
            return []
        lines = []
        for step in self.steps():
            best = step.node.best_choices()
            lines.append(DebriefLine(step.number, step.node, step.choice, step.choice.points or 0,
                                     step.node.top_points or 0, tuple(choice.label for choice in best),
                                     self.scenario.misconceptions.get(step.choice.misconception or "")))
        return lines

    def plot(self) -> AccessibleFigure:
        """The state variables along this path against the best path, with alt text."""
        from course.plots import scenario_paths

        return scenario_paths(self.scenario, self.path)


def restorable_path(scenario: Scenario, saved: Any) -> tuple[list[str], str | None]:
    """The part of a saved path that still fits the scenario, and a note for the learner when some was dropped.

    A path saved by a v1 scenario (choice indexes, not ids) or by an older version of the file is not an error:
    the learner keeps what still fits and is told so.
    """
    if saved is None or saved == []:
        return [], None
    if not isinstance(saved, list) or not all(isinstance(item, str) for item in saved):
        return [], "Your earlier path was saved by an older version of this scenario, so it starts again."
    run = ScenarioRun(scenario, saved)
    if len(run.path) < len(saved):
        return run.path, ("This scenario changed since you last played; your path is kept up to the first decision "
                          "that no longer exists.")
    return run.path, None


# --- problems and validation -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario file, with the node and choice it is about."""

    kind: str
    message: str
    node: str | None = None
    choice: str | None = None

    @property
    def blocking(self) -> bool:
        """Whether the file cannot be played as it is (else it breaks an authoring rule)."""
        return self.kind in BLOCKING

    def located(self, source: str | None = None) -> str:
        """``FILE: node 'x', choice 'y': message``, leaving out what is not known."""
        where = [f"node '{self.node}'"] if self.node is not None else []
        if self.choice is not None:
            where.append(f"choice {self.choice}" if self.choice.startswith("#") else f"choice '{self.choice}'")
        return ": ".join(part for part in (source, ", ".join(where), self.message) if part)


def case_ids() -> set[str]:
    """The case ids of ``data/cases.csv``; DataFileError when it cannot be read."""
    from course.content.cases import load_cases

    return set(load_cases().index)


class _Checker:
    """Collects problems while walking the raw file."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, kind: str, message: str, node: str | None = None, choice: str | None = None) -> None:
        self.problems.append(Problem(kind, message, node, choice))

    def text(self, raw: Mapping[str, Any], key: str, kind: str = "format", node: str | None = None,
             choice: str | None = None) -> str | None:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            self.add(kind, f"missing '{key}' (non-empty text)" if value is None else f"'{key}' must be non-empty text",
                     node, choice)
            return None
        return value


def validate(content: Any, cases: Iterable[str] | None = None,
             misconceptions: Mapping[str, Any] | Iterable[str] | None = None,
             lessons: Path | None = LESSONS_DIR) -> list[Problem]:
    """Every problem of a scenario file's content, in file order, then the whole-scenario rules.

    ``cases`` and ``misconceptions`` are the known ids (default: the course's ``data/cases.csv`` and
    ``data/misconceptions.csv``); ``see`` must name an H2 heading of a notebook in ``lessons`` (None: not
    checked). The whole-scenario rules (best path, endings, recovery paths, where the best choice sits) are
    checked once nothing blocks playing the file: on a graph with a loop or an unknown node they mean nothing.
    """
    checker = _Checker()
    if not isinstance(content, dict):
        checker.add("format", "the top level must be an object with id, title, start, state and nodes")
        return checker.problems
    _check_top_level(content, checker, cases, lessons)
    variables = _check_state(content.get("state"), checker)
    nodes = content.get("nodes")
    if not isinstance(nodes, dict) or not nodes:
        checker.add("format", "'nodes' must be a non-empty object of node id to node")
        return checker.problems
    graded = content.get("graded") is True
    public = graded and not any(isinstance(choice, dict) and "points" in choice for raw in nodes.values()
                                if isinstance(raw, dict) and isinstance(raw.get("choices"), list)
                                for choice in raw["choices"])
    known_misconceptions = _known_misconceptions(misconceptions, checker)
    edges: dict[str, list[tuple[str, str]]] = {}
    for node_id, raw in nodes.items():
        edges[node_id] = _check_node(node_id, raw, variables, public, known_misconceptions, checker)
    _check_graph(content.get("start"), nodes, edges, checker)
    if not any(problem.blocking for problem in checker.problems) and not public:
        _check_shape(_build(content, {}), checker)
    return checker.problems


def _check_top_level(content: dict, checker: _Checker, cases: Iterable[str] | None, lessons: Path | None) -> None:
    for key in ("id", "title"):
        checker.text(content, key)
    start = content.get("start")
    if not isinstance(start, str) or not start:
        checker.add("format", "missing 'start' (the id of the first node)")
    if "graded" in content and not isinstance(content["graded"], bool):
        checker.add("format", "'graded' must be true or false")
    lesson = checker.text(content, "lesson", "metadata")
    if lesson and not _LESSON.fullmatch(lesson):
        checker.add("metadata", f"'lesson' must be a lesson id such as '05-who-decides-what', not '{lesson}'")
    role = content.get("role")
    if role not in ROLES:
        checker.add("metadata", f"'role' must be one of {', '.join(ROLES)}" + (f", not '{role}'" if role else ""))
    checker.text(content, "role_text", "metadata")
    see = content.get("see")
    if not (isinstance(see, dict) and isinstance(see.get("lesson"), str) and isinstance(see.get("section"), str)):
        checker.add("metadata", "'see' must be an object with the 'lesson' and 'section' the debrief links to")
    elif lessons is not None:
        notebook = lessons / f"{see['lesson']}.ipynb"
        if not notebook.is_file():
            checker.add("see", f"'see' names lesson '{see['lesson']}', which does not exist")
        elif see["section"] not in _h2_headings(notebook):
            checker.add("see", f"'see' names section '{see['section']}', which is not an H2 heading of lesson "
                               f"'{see['lesson']}'")
    principles = content.get("principles", [])
    if not (isinstance(principles, list) and all(isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 9
                                                 for p in principles)):
        checker.add("metadata", "'principles' must be a list of the article's principle numbers, 1 to 9")
    named = content.get("cases")
    if not isinstance(named, list) or not named or not all(isinstance(case, str) for case in named):
        checker.add("unknown-case", "'cases' must be a non-empty list of case ids from data/cases.csv")
        return
    try:
        known = set(cases) if cases is not None else case_ids()
    except DataFileError as error:
        checker.add("unknown-case", f"the case ids cannot be checked: {error}")
        return
    for case in named:
        if case not in known:
            checker.add("unknown-case", f"case '{case}' is not in data/cases.csv")


def _h2_headings(notebook: Path) -> list[str]:
    text = "\n".join(cell["source"] for cell in notebook_cells(notebook) if cell.get("cell_type") == "markdown")
    return [heading.strip() for heading in re.findall(r"^##\s+(.+)$", text, re.M)]


def _check_state(raw: Any, checker: _Checker) -> dict[str, str]:
    """The declared state variables (id to its 'better'), reporting each malformed one."""
    if not isinstance(raw, dict) or not raw:
        checker.add("format", "'state' must be a non-empty object of variable id to "
                              "{label, start, unit, better}")
        return {}
    variables = {}
    for variable_id, spec in raw.items():
        where = f"state variable '{variable_id}'"
        if not _VARIABLE.fullmatch(str(variable_id)):
            checker.add("format", f"{where}: an id must be lower-case letters, digits and underscores")
        if not isinstance(spec, dict):
            checker.add("format", f"{where} must be an object with label, start, unit and better")
            continue
        if not isinstance(spec.get("label"), str) or not spec["label"].strip():
            checker.add("format", f"{where}: missing 'label' (what the learner reads, e.g. 'Weeks late')")
        if not _is_number(spec.get("start")):
            checker.add("format", f"{where}: 'start' must be a number")
        if not isinstance(spec.get("unit"), str):
            checker.add("format", f"{where}: 'unit' must be text (may be empty)")
        if spec.get("better") not in BETTER:
            checker.add("format", f"{where}: 'better' must be 'lower' or 'higher'")
        variables[variable_id] = spec.get("better")
    return variables


def _known_misconceptions(misconceptions: Mapping[str, Any] | Iterable[str] | None,
                          checker: _Checker) -> set[str] | None:
    if misconceptions is not None:
        return set(misconceptions)
    try:
        return set(load_misconceptions())
    except DataFileError as error:
        checker.add("unknown-misconception", f"the misconception ids cannot be checked: {error}")
        return None


def _check_node(node_id: str, raw: Any, variables: Mapping[str, str], public: bool,
                known_misconceptions: set[str] | None, checker: _Checker) -> list[tuple[str, str]]:
    """Check one node and its choices; return its (choice id or '#n', next node) edges."""
    if not isinstance(raw, dict):
        checker.add("format", "must be an object with 'text' and 'choices' (or 'ending': true)", node_id)
        return []
    checker.text(raw, "text", node=node_id)
    ending = raw.get("ending", False)
    if not isinstance(ending, bool):
        checker.add("format", "'ending' must be true or false", node_id)
        ending = bool(ending)
    choices = raw.get("choices", [])
    if not isinstance(choices, list):
        checker.add("format", "'choices' must be a list", node_id)
        choices = []
    outcome = raw.get("outcome")
    if ending:
        if choices:
            checker.add("ending-with-choices", "is an ending but has choices; an ending must have none", node_id)
        if outcome is None and not public:
            checker.add("outcome", f"an ending needs an 'outcome': {', '.join(OUTCOMES)}", node_id)
        elif outcome is not None and outcome not in OUTCOMES:
            checker.add("outcome", f"'outcome' must be one of {', '.join(OUTCOMES)}, not '{outcome}'", node_id)
    else:
        if outcome is not None:
            checker.add("outcome", "has an 'outcome' but is not an ending (add \"ending\": true or drop it)", node_id)
        if not choices:
            checker.add("dead-end", "is a dead end: it has no choices and is not marked as an ending", node_id)
        elif not MIN_CHOICES <= len(choices) <= MAX_CHOICES:
            checker.add("choice-count", f"has {len(choices)} choice{'s' * (len(choices) != 1)}; a decision "
                                        f"needs {MIN_CHOICES} to {MAX_CHOICES}", node_id)
    edges, seen_ids, points_here = [], set(), []
    for number, choice in enumerate(choices, start=1):
        name = f"#{number}"
        if not isinstance(choice, dict):
            checker.add("format", "must be an object with id, label, next, effects and points", node_id, name)
            continue
        choice_id = choice.get("id")
        if isinstance(choice_id, str) and _SLUG.fullmatch(choice_id):
            if choice_id in seen_ids:
                checker.add("format", "this id is used by an earlier choice of the node", node_id, choice_id)
            seen_ids.add(choice_id)
            name = choice_id
        else:
            checker.add("format", "missing 'id' (a lower-case slug such as 'ask-for-estimate')"
                        if choice_id is None else f"'id' must be a lower-case slug, not {choice_id!r}", node_id, name)
        checker.text(choice, "label", node=node_id, choice=name)
        target = choice.get("next")
        if not isinstance(target, str) or not target:
            checker.add("format", "missing 'next' (the node this choice leads to)", node_id, name)
        else:
            edges.append((name, target))
        _check_effects(choice.get("effects"), variables, checker, node_id, name)
        if public:
            for key in KEY_FIELDS:
                if key in choice:
                    checker.add("key-in-public-form", f"the public form of a graded scenario must not carry '{key}': "
                                                      "the key stays in the instructor's version", node_id, name)
            continue
        points = choice.get("points")
        if isinstance(points, int) and not isinstance(points, bool) and 0 <= points <= MAX_POINTS:
            points_here.append((name, points, choice.get("misconception")))
        else:
            checker.add("bad-points", f"'points' must be a whole number from 0 to {MAX_POINTS}"
                        + ("" if points is None and "points" not in choice else f", not {points!r}"), node_id, name)
        checker.text(choice, "explanation", node=node_id, choice=name)
        misconception = choice.get("misconception")
        if misconception is not None:
            if not isinstance(misconception, str) or not misconception:
                checker.add("unknown-misconception", "'misconception' must be a catalogue id", node_id, name)
            elif known_misconceptions is not None and misconception not in known_misconceptions:
                checker.add("unknown-misconception", f"misconception '{misconception}' is not in "
                                                     "data/misconceptions.csv", node_id, name)
    if points_here:
        top = max(points for _, points, _ in points_here)
        for name, points, misconception in points_here:
            if points < top and not misconception:
                checker.add("missing-misconception", f"earns {points} of the {top} points the best choice here "
                                                     "earns, so it needs a 'misconception' id", node_id, name)
            if points == top and misconception:
                checker.add("missing-misconception", f"is a best choice ({points} points) but names misconception "
                                                     f"'{misconception}'; only below-best choices name one",
                            node_id, name)
    return edges


def _check_effects(effects: Any, variables: Mapping[str, str], checker: _Checker, node_id: str, name: str) -> None:
    if effects is None:
        effects = {}
    if not isinstance(effects, dict):
        checker.add("format", "'effects' must be an object of state variable to change", node_id, name)
        return
    for variable_id, change in effects.items():
        if variable_id not in variables:
            declared = ", ".join(variables) or "none"
            checker.add("unknown-variable", f"'effects' names unknown state variable '{variable_id}' "
                                            f"(declared: {declared})", node_id, name)
        if not _is_number(change):
            checker.add("format", f"the effect on '{variable_id}' must be a number, not {change!r}", node_id, name)
    if not any(_is_number(change) and change != 0 for change in effects.values()):
        checker.add("no-effect", "changes no state variable; every choice must change at least one", node_id, name)


def _check_graph(start: Any, nodes: Mapping[str, Any], edges: Mapping[str, list[tuple[str, str]]],
                 checker: _Checker) -> None:
    for node_id, node_edges in edges.items():
        for name, target in node_edges:
            if target not in nodes:
                checker.add("unknown-next", f"leads to unknown node '{target}'", node_id, name)
    if not isinstance(start, str) or not start:
        return
    if start not in nodes:
        checker.add("start", f"the start node '{start}' does not exist")
        return
    known_edges = {node_id: [target for _, target in node_edges if target in nodes]
                   for node_id, node_edges in edges.items()}
    reachable = _reachable(known_edges, start)
    for node_id in nodes:
        if node_id not in reachable:
            checker.add("unreachable", f"cannot be reached from the start node '{start}'", node_id)
    for node_id, name, target, cycle in _back_edges(edges, nodes, start):
        checker.add("loop", f"leads back to '{target}', closing a loop ({' → '.join(cycle)}); every path must "
                            "reach an ending", node_id, name)


def _check_shape(scenario: Scenario, checker: _Checker) -> None:
    """The whole-scenario authoring rules, on a scenario already known to be playable."""
    best = scenario.best_path()
    if len(best) < MIN_BEST_DECISIONS:
        checker.add("short-best-path", f"the best path ({' → '.join(best) or 'no decision'}) has {len(best)} "
                                       f"decision{'s' * (len(best) != 1)}; it needs at least {MIN_BEST_DECISIONS}",
                    scenario.start)
    endings = scenario.endings()
    if len(endings) < MIN_ENDINGS:
        checker.add("few-endings", f"only {len(endings)} distinct ending{'s' * (len(endings) != 1)} "
                                   f"({', '.join(node.id for node in endings)}); at least {MIN_ENDINGS} are needed")
    recoveries = scenario.recovery_paths()
    if recoveries < MIN_RECOVERY_PATHS:
        checker.add("few-recovery-paths", f"only {recoveries} recovery path{'s' * (recoveries != 1)}; at least "
                                          f"{MIN_RECOVERY_PATHS} paths must take a below-best choice at one of their "
                                          "first two decisions and still reach a success or partial ending",
                    scenario.start)
    decisions = scenario.decision_nodes()
    if len(decisions) >= 2:
        shared = set.intersection(*({index for index, choice in enumerate(node.choices)
                                     if choice.id in {best.id for best in node.best_choices()}}
                                    for node in decisions))
        if shared:
            position = min(shared) + 1
            checker.add("best-position", f"the best choice is stored at position {position} at every decision "
                                         f"({len(decisions)} nodes); vary where it sits")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _reachable(edges: Mapping[str, Iterable[str]], start: str) -> set[str]:
    seen, frontier = {start}, [start]
    while frontier:
        for target in edges.get(frontier.pop(), ()):
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen


def _back_edges(edges: Mapping[str, list[tuple[str, str]]], nodes: Mapping[str, Any],
                start: str) -> list[tuple[str, str, str, list[str]]]:
    """Every choice that closes a loop: (node, choice, node it returns to, the loop), found depth first."""
    status: dict[str, str] = {}
    trail: list[str] = []
    found = []

    def visit(node_id: str) -> None:
        status[node_id] = "open"
        trail.append(node_id)
        for name, target in edges.get(node_id, []):
            if target not in nodes:
                continue
            if status.get(target) == "open":
                found.append((node_id, name, target, trail[trail.index(target):] + [target]))
            elif target not in status:
                visit(target)
        status[node_id] = "done"
        trail.pop()

    visit(start)
    return found


def _topological(nodes: Mapping[str, Node], start: str) -> list[str]:
    """The reachable nodes, each after every node its choices lead to (endings first)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(node_id: str) -> None:
        seen.add(node_id)
        for choice in nodes[node_id].choices:
            if choice.next not in seen:
                visit(choice.next)
        order.append(node_id)

    visit(start)
    return order


# --- loading ---------------------------------------------------------------------------------------------------

def _build(content: dict, catalogue: Mapping[str, Misconception]) -> Scenario:
    """The Scenario of content that has no blocking problem (other rules may still be broken)."""
    nodes = {}
    for node_id, raw in content["nodes"].items():
        choices = tuple(
            Choice(choice["id"], choice["label"], choice["next"],
                   MappingProxyType({k: v for k, v in (choice.get("effects") or {}).items()}),
                   choice.get("points"), choice.get("explanation"), choice.get("misconception"))
            for choice in raw.get("choices", []))
        nodes[node_id] = Node(node_id, raw["text"], choices, bool(raw.get("ending", False)), raw.get("outcome"))
    state = tuple(StateVariable(variable_id, spec["label"], _tidy(spec["start"]), spec["unit"], spec["better"])
                  for variable_id, spec in content["state"].items())
    see = content.get("see")
    link = (SectionLink(see["lesson"], see["section"]) if isinstance(see, dict)
            and isinstance(see.get("lesson"), str) and isinstance(see.get("section"), str) else None)
    named = {choice.misconception for node in nodes.values() for choice in node.choices if choice.misconception}
    role = content.get("role")
    return Scenario(
        id=str(content["id"]), title=str(content["title"]), start=content["start"], nodes=MappingProxyType(nodes),
        state=state, lesson=content.get("lesson") if isinstance(content.get("lesson"), str) else None,
        role=role if role in ROLES else None,
        role_text=content.get("role_text") if isinstance(content.get("role_text"), str) else "",
        cases=tuple(case for case in content.get("cases", []) if isinstance(case, str))
        if isinstance(content.get("cases"), list) else (),
        see=link, graded=content.get("graded") is True,
        principles=tuple(content.get("principles", [])) if isinstance(content.get("principles"), list) else (),
        misconceptions=MappingProxyType({key: catalogue[key] for key in named if key in catalogue}))


def parse_scenario(content: Any, source: str = "scenario") -> Scenario:
    """The Scenario of a file's content; one DataFileError (naming the first blocking problem) if it cannot be played.

    Authoring rules that do not stop a learner (too few recovery paths, an unknown case id...) are not raised
    here; :func:`validate` and ``pm-course scenario check`` report them.
    """
    try:
        catalogue = load_misconceptions()
    except DataFileError:
        catalogue = {}
    problems = [problem for problem in validate(content, misconceptions=catalogue or None, lessons=None)
                if problem.blocking]
    if problems:
        more = (f" (and {len(problems) - 1} more; 'pm-course scenario check {source}' lists them all)"
                if len(problems) > 1 else "")
        raise DataFileError(problems[0].located(source) + more)
    return _build(content, catalogue)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario by id (``data/scenarios/<id>.json``) or by path, ready to play; DataFileError if it cannot be."""
    content, path = read_json(name_or_path, "scenarios", "scenario file")
    return parse_scenario(content, source=str(path))


def check_file(name_or_path: str | Path) -> tuple[Path, list[Problem], Scenario | None]:
    """Every problem of a scenario file, and the scenario when it can be played (for the ``check`` command)."""
    try:
        content, path = read_json(name_or_path, "scenarios", "scenario file")
    except DataFileError as error:
        return Path(name_or_path), [Problem("format", str(error).split(": ", 1)[-1])], None
    problems = validate(content)
    if any(problem.blocking for problem in problems):
        return path, problems, None
    try:
        catalogue = load_misconceptions()
    except DataFileError:
        catalogue = {}
    return path, problems, _build(content, catalogue)


def strip_key(content: Mapping[str, Any]) -> dict[str, Any]:
    """The public form of a graded scenario: ``"graded": true``, and no points, explanations, misconceptions or
    ending outcomes, which stay in the instructor's full version (the grader judges the recorded path with it)."""
    public = copy.deepcopy(dict(content))
    public["graded"] = True
    for node in public.get("nodes", {}).values():
        if not isinstance(node, dict):
            continue
        node.pop("outcome", None)
        for choice in node.get("choices", []) or []:
            if isinstance(choice, dict):
                for key in KEY_FIELDS:
                    choice.pop(key, None)
    return public
