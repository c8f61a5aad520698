"""Points decided where the student's code cannot reach.

nbgrader's tests run inside the student's kernel, and whatever runs there the student's code
controls: an input or AST transformer can rewrite the tests before they run, a patched
``isinstance`` or an object whose ``==`` is always true makes assertions pass, a custom
exception hook swallows failures. So the tests stay the student-facing check, and the points
are decided again outside:

1. after the student's notebook ran, one more cell (the *probe*) calls the student's functions
   on inputs the student has not seen and prints the results as JSON: plain data only, so no
   object of the student's survives the trip;
2. the grader, in its own process, parses that JSON and *judges* it with the instructor's
   checks (``solutions/<assignment>/outside_checks.py``, never released), comparing types and
   values;
3. a test cell keeps the smaller of its two scores: a passing test whose outside check fails
   earns what the outside check gives, with a message saying why.

Faking the probe's output gains nothing: the expected values never enter the kernel (hidden tests
are kept out of it, :class:`course.grading.nbgrader_plugins.preprocessors.WithholdHiddenTests`), so a student who
prints the right answers has computed them. Probes read no data of the notebook's, only call its
functions, on inputs of their own (:class:`Checks`).
"""
from __future__ import annotations

import functools
import json
import math
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

CHECKS_FILE = "outside_checks.py"
PROBE_MARK = "pm-course-probe-results:"


@dataclass(frozen=True)
class Raised:
    """A probe whose expression raised: the exception's class name and message."""

    name: str
    message: str


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # a probe with no result: the notebook never printed one


class UnknownProbe(Exception):
    """A judge read a probe its notebook's checks do not define: a misspelt name in the instructor's checks, which
    would otherwise read as a probe with no result for every student. Not an AttributeError, so that neither
    ``getattr(results, name, default)`` nor ``hasattr`` in a judge can hide it."""

    def __init__(self, name: str, known: frozenset[str]):
        super().__init__(f"reads the probe {name!r}, which this notebook's checks do not define (they define "
                         f"{', '.join(sorted(known)) or 'none'})")


class Results:
    """The probes' plain results, by name, as attributes: a value, a :class:`Raised`, or ``MISSING``.

    Beside them, what the grader knows without the kernel: ``student`` (nbgrader's student id, None when unknown),
    ``handed_in`` (the answer file as the student handed it in, read by the grader; empty when there is none) and
    ``own_draw_only`` (the instructor's ``JudgeOutsideKernel.draw_from_student_id``: graded widgets are marked on
    the items drawn from the student's id, whatever seed the answer file records; pass it to ``judge_pool``).

    Given ``probes`` (the names the checks define), reading any other name raises :class:`UnknownProbe`.
    """

    def __init__(self, values: Mapping[str, Any], student: str | None = None,
                 handed_in: Mapping[str, Any] | None = None, own_draw_only: bool = False,
                 probes: Iterable[str] | None = None):
        self._values = dict(values)
        self.student = student
        self.handed_in = dict(handed_in or {})
        self.own_draw_only = own_draw_only
        self._probes = None if probes is None else frozenset(probes)
        self._read: set[str] = set()  # the probes a judge read, to tell its own error from a student's odd answer

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> Any:
        if self._probes is not None and name not in self._probes:
            raise UnknownProbe(name, self._probes)
        self._read.add(name)
        return self._values.get(name, MISSING)

    def _read_only_plain_answers(self) -> bool:
        """Whether every probe read since the last reset came back with a value (none raised or went missing)."""
        return all(self._values.get(name, MISSING) is not MISSING and not isinstance(self._values[name], Raised)
                   for name in self._read)


@dataclass(frozen=True)
class Verdict:
    """What a judge may return instead of a bare share: the share, and a sentence for the student's feedback.

    ``decides`` marks a cell whose in-kernel test holds no key (a graded widget): its in-kernel score only counts
    what was answered, so the outside share is the cell's score, and the note (how many were right, and why) is
    shown in place of the test's own output whatever the score.
    """

    share: float
    note: str = ""
    decides: bool = False
    # for the instructor, never the student: why the check itself failed (its judge raised on plain answers, read a
    # probe the checks do not define, or returned no share); the cell then scores 0, and grading says so
    error: str = ""


Judge = Callable[[Results], "float | bool | Verdict"]


@dataclass
class CellCheck:
    grade_id: str
    probes: dict[str, str]
    judge: Judge


@dataclass
class Checks:
    """The outside checks of one notebook: probe expressions and, per graded test cell, a judge.

    ``setup`` is code run in the student's kernel before the probes (building unseen inputs); its names
    live in a namespace of their own, layered over the notebook's functions, so they clobber nothing of the
    student's. Probes see the notebook's functions and classes only, never its data: every input a probe
    passes is built by the setup (best as a function that builds a fresh one per call, so that one call cannot
    change what the next one gets), and a judge compares the results with what the grader knows of that input.
    """

    notebook: str
    setup: str = ""
    cells: dict[str, CellCheck] = field(default_factory=dict)

    def cell(self, grade_id: str, **probes: str) -> Callable[[Judge], Judge]:
        """Decorator: ``@checks.cell("grade_id", name="expression", ...)`` over ``def judge(results)``."""

        def register(judge: Judge) -> Judge:
            if grade_id in self.cells:
                raise ValueError(f"{self.notebook}: the outside check of {grade_id} is defined twice")
            clashes = set(probes) & {name for check in self.cells.values() for name in check.probes}
            if clashes:
                raise ValueError(f"{self.notebook}: probe names used twice: {sorted(clashes)}")
            self.cells[grade_id] = CellCheck(grade_id, dict(probes), judge)
            return judge

        return register

    @property
    def probes(self) -> dict[str, str]:
        return {name: expression for check in self.cells.values() for name, expression in check.probes.items()}

    def probe_source(self) -> str:
        """The cell appended to the student's notebook: run the probes, print their plain results as one line."""
        return _PROBE_TEMPLATE.format(setup=json.dumps(self.setup), probes=json.dumps(self.probes),
                                      mark=json.dumps(PROBE_MARK))

    def judge(self, printed: str) -> dict[str, float | None]:
        """Each checked cell's share of its points (0 to 1), from the probe cell's printed text.

        None for every cell when the text holds no result line, or more than one (the notebook printed a
        line of its own that looks like ours): nothing trustworthy came back.
        """
        return {grade_id: verdict.share if verdict else None
                for grade_id, verdict in self.verdicts(printed).items()}

    def verdicts(self, printed: str, student: str | None = None, handed_in: Mapping[str, Any] | None = None,
                 own_draw_only: bool = False) -> dict[str, Verdict | None]:
        """Each checked cell's :class:`Verdict` (None for every cell when nothing trustworthy came back)."""
        values = read_probe_results(printed)
        if values is None:
            return {grade_id: None for grade_id in self.cells}
        results = Results(values, student, handed_in, own_draw_only, probes=self.probes)
        verdicts = {}
        for grade_id, check in self.cells.items():
            results._read.clear()
            outcome, error = _judged(check.judge, results)
            try:
                verdict = outcome if isinstance(outcome, Verdict) else Verdict(float(outcome))
                share = float(verdict.share)
            except (TypeError, ValueError):
                verdict, share = Verdict(0.0), 0.0
                error = error or (f"its judge returned {outcome!r:.80}, not a share from 0 to 1, True or False, or "
                                  "a Verdict")
            share = min(1.0, max(0.0, share)) if math.isfinite(share) else 0.0
            verdicts[grade_id] = Verdict(share, verdict.note, verdict.decides, error)
        return verdicts


def _judged(judge: Judge, results: Results) -> tuple[Any, str]:
    """What ``judge`` returns, and the instructor's error if it failed: a judge that raises on a student's odd
    answer (a probe that raised, or never answered) has found a failed check; one that raises on plain answers, or
    reads a probe that does not exist, has a bug, which the instructor must hear of (the student scores 0)."""
    try:
        return judge(results), ""
    except UnknownProbe as unknown:
        return 0.0, f"its judge {unknown}"
    except Exception as raised:
        if not results._read_only_plain_answers():
            return 0.0, ""
        return 0.0, f"its judge raised {type(raised).__name__}: {raised}"[:300]


def check_error_line(assignment: str, notebook: str, grade_id: str, error: str) -> str:
    """One line for the instructor naming a check that failed, where it is, and why."""
    return f"outside check {grade_id} of {assignment}/{notebook} (solutions/{assignment}/{CHECKS_FILE}): {error}"


def read_probe_results(printed: str) -> dict[str, Any] | None:
    lines = [line[len(PROBE_MARK):] for line in printed.splitlines() if line.startswith(PROBE_MARK)]
    if len(lines) != 1:
        return None
    try:
        raw = json.loads(lines[0])
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    values: dict[str, Any] = {}
    for name, outcome in raw.items():
        if isinstance(outcome, dict) and set(outcome) == {"value"}:
            values[name] = outcome["value"]
        elif isinstance(outcome, dict) and set(outcome) == {"raised", "message"}:
            values[name] = Raised(str(outcome["raised"]), str(outcome["message"]))
    return values


def same(given: Any, expected: Any) -> bool:
    """Equal in type and value, all the way down (``True`` is not ``1``, ``1`` is not ``1.0``, "a" is not ["a"])."""
    if type(given) is not type(expected):
        return False
    if isinstance(expected, dict):
        return given.keys() == expected.keys() and all(same(given[key], expected[key]) for key in expected)
    if isinstance(expected, list):
        return len(given) == len(expected) and all(same(g, e) for g, e in zip(given, expected, strict=True))
    return given == expected


def share_of_matches(given: Any, key: Mapping[str, Any]) -> float:
    """The share of ``key``'s items answered as in the key: the hidden widget tests' own rule
    (:func:`.widget_judging.points_for_matches`), applied to plain data in the grader."""
    from course.grading.nbgrader_plugins.widget_judging import points_for_matches

    if not key or not isinstance(given, dict):
        return 0.0
    return points_for_matches(given, key, points=len(key)) / len(key)  # one point per item: no rounding


def load_checks(source_folder: Path, notebook: str) -> Checks | None:
    """The instructor's outside checks for ``notebook`` in ``source_folder`` (None when it has none)."""
    path = source_folder / CHECKS_FILE
    if not path.is_file():
        return None
    matching = [checks for checks in _checks_in(str(path.resolve()), path.stat().st_mtime_ns)
                if checks.notebook == notebook]
    return matching[0] if matching else None


@functools.lru_cache(maxsize=32)
def _checks_in(path: str, modified: int) -> tuple[Checks, ...]:
    """Every Checks a checks file defines, read once per version of the file (each notebook needs it twice)."""
    return tuple(value for value in runpy.run_path(path).values() if isinstance(value, Checks))


_PROBE_TEMPLATE = '''\
def __pm_course_probe(setup={setup}, probes={probes}, mark={mark}):
    import json

    def plain(value):
        if isinstance(value, (set, frozenset)):
            return sorted(value, key=repr)
        if isinstance(value, tuple):
            return list(value)
        if callable(getattr(value, "item", None)):
            return value.item()
        if callable(getattr(value, "to_dict", None)):
            return value.to_dict()
        raise TypeError("not plain data: " + type(value).__name__)

    # the student's functions and classes, and nothing else of the notebook's: a probe calls the student's code on
    # inputs the setup builds afresh, never on a table or a number the student could have replaced
    namespace = {{name: value for name, value in globals().items()
                 if callable(value) and not isinstance(value, type(json)) and not name.startswith("_")}}
    namespace["__builtins__"] = __import__("builtins")
    results = {{}}
    try:
        exec(setup, namespace)
    except BaseException as error:
        failed = {{"raised": type(error).__name__, "message": "setup: " + str(error)[:300]}}
        results = {{name: failed for name in probes}}
    else:
        for name, expression in probes.items():
            try:
                results[name] = {{"value": json.loads(json.dumps(eval(expression, namespace), default=plain))}}
            except BaseException as error:
                results[name] = {{"raised": type(error).__name__, "message": str(error)[:300]}}
    print(mark + json.dumps(results))


__pm_course_probe()
'''
