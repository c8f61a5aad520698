"""Marking graded widgets in the grader's process: which of a student's answers are right, on which items.

A graded widget's items are drawn per student from a pool (:mod:`course.exercises.variants`), and its key never enters
the student's kernel. So the test cell's hidden part, which runs in the kernel, counts answered items
(:func:`course.exercises.widget_checks.answered_points`, no key), and the outside check
(``solutions/<assignment>/outside_checks.py``) marks the answers in the grader's own process with :func:`judge_pool`,
against the key in the instructor's ``misconceptions.json``.

Which items are marked: the items drawn for the student. The answer file records the draw (seed and items), but
the student controls that file, so the grader redoes the draw from the recorded seed, and trusts the seed only
when it is the student's own: a seed ``user:<name>`` (a JupyterHub user name, which is also nbgrader's student id)
of *another* student means the answer file was copied from that student, and then the student's own items (drawn
from ``user:<their id>``) are marked, so answers to the other student's items earn nothing, and the feedback and
the grading summary say so. A file with no record (answers typed into the notebook, or no file handed in) is marked
on the draw of ``user:<student id>``, the hub's seed.

A recorded ``random:`` seed (what a learner's own JupyterLab draws from, without a hub) is the student's to write:
trying seeds until one draws a neighbour's items, whose answers are then copied, took a few hundred tries. On a
JupyterHub, where every student's items come from ``user:<hub name>``, the instructor sets
``JudgeOutsideKernel.draw_from_student_id`` (``own_draw_only`` here; on in ``deploy/jupyterhub``): every student is
then marked on the draw of their own id, whatever the file records.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from course.content.json_data import read_json_file, read_record
from course.exercises.quiz import chosen_keys
from course.exercises.variants import POOLS_SECTION, load_pool
from course.grading.nbgrader_plugins.outside_checks import Verdict, same
from course.learner.answers import ANSWER_FILE_NAME
from course.printable import printable

VERDICTS_GLOB = "*.outside-checks.json"

MARKED = "Marked by the grader, outside your notebook"


def same_answer(given: Any, expected: Any) -> bool:
    """Whether a saved answer is the key's: the one rule of the grader, its outside checks and the class report.
    A multiple-select answer is the set of keys chosen (order and repeats do not count); any other answer must equal
    the key in type and value all the way down (:func:`.outside_checks.same`: ``True`` is not ``1``)."""
    if isinstance(expected, (list, tuple, set, frozenset)):
        return chosen_keys(given) == chosen_keys(expected)
    return same(given, expected)


def points_for_matches(answers: Mapping[str, Any], key: Mapping[str, Any], points: float) -> float:
    """``points`` shared equally among the items of ``key``, earned for each answer equal to the key's."""
    if not key:
        return 0.0
    right = sum(1 for item, expected in key.items() if same_answer(answers.get(item), expected))
    return round(points * right / len(key), 4)


def read_handed_in(folder: Path) -> dict[str, Any]:
    """The answer file in a submission folder as plain data, read as every handed-in file is
    (:func:`course.grading.pipeline.submission_files.read_json`: a regular file, never through a link, at most
    1 MB, JSON of bounded depth); empty when there is none or it cannot be trusted to be a JSON object. Grader side
    only: the student's kernel never calls it, so it never imports the pipeline."""
    from course.grading.pipeline.submission_files import MAX_ANSWER_FILE_BYTES, read_json

    content, _ = read_json(Path(folder) / ANSWER_FILE_NAME, MAX_ANSWER_FILE_BYTES)
    return content if isinstance(content, dict) else {}


def items_to_mark(pool_id: str, student: str | None, handed_in: Mapping[str, Any],
                  own_draw_only: bool = False) -> tuple[list[str], str]:
    """The pool items this student is marked on, and a note when they are not the ones the answer file records;
    with ``own_draw_only``, always the draw of ``user:<student id>`` (see the module's docstring)."""
    pool = load_pool(pool_id)
    sections = handed_in.get(POOLS_SECTION) if isinstance(handed_in, Mapping) else None
    record = sections.get(pool_id) if isinstance(sections, Mapping) else None
    record = record if isinstance(record, Mapping) else {}
    seed = record.get("seed") if isinstance(record.get("seed"), str) and record.get("seed") else None
    own_seed = f"user:{student}" if student else None
    if seed is None:
        return pool.draw(own_seed or "user:"), ""
    if seed.startswith("user:") and own_seed and seed != own_seed:
        other = printable(seed.removeprefix("user:"), 40)
        return pool.draw(own_seed), (
            f"Your answer file was made for another student ({other}): its items are that student's, not yours. "
            f"Your own items were marked, so answers to the other student's items earn nothing.")
    if own_draw_only and own_seed:
        seed = own_seed
    items = pool.draw(seed)
    if record.get("items") is not None and record.get("items") != items:
        return items, ("The items recorded in your answer file are not the ones drawn for you; the items drawn "
                       "for you were marked.")
    return items, ""


def judge_pool(pool_id: str, answers: Any, key: Mapping[str, Any], student: str | None,
               handed_in: Mapping[str, Any], own_draw_only: bool = False) -> Verdict:
    """Mark a graded widget's ``answers`` on the student's own items (see the module's docstring); outside checks
    pass ``own_draw_only=r.own_draw_only``."""
    items, why = items_to_mark(pool_id, student, handed_in, own_draw_only)
    given = answers if isinstance(answers, Mapping) else {}
    right = [item for item in items if same_answer(given.get(item), key[item]["correct"])]
    missing = [item for item in items if not given.get(item)]
    note = f"{MARKED}: {len(right)} of your {len(items)} items right"
    wrong = [item for item in items if item not in right and item not in missing]
    details = []
    if wrong:
        details.append(f"not right: {', '.join(wrong)}")
    if missing:
        details.append(f"not answered: {', '.join(missing)}")
    note += f" ({'; '.join(details)})." if details else "."
    if why:
        note = f"{why} {note}"
    return Verdict(len(right) / len(items) if items else 0.0, note, decides=True)


def load_key(folder: Path, widget_id: str) -> dict[str, Any]:
    """One widget's key from an instructor folder's ``misconceptions.json``: item id to {correct, misconceptions}."""
    return read_json_file(Path(folder) / "misconceptions.json", "answer key")[widget_id]


def grading_notes(folder: Path) -> list[str]:
    """For the grading summary: each graded widget whose answer file was not the student's own, and why."""
    notes = []
    for path in sorted(Path(folder).glob(VERDICTS_GLOB)):
        for grade_id, verdict in sorted(read_record(path).items()):
            note = verdict.get("note", "") if isinstance(verdict, dict) else ""
            if isinstance(note, str) and note and not note.startswith(MARKED):
                notes.append(f"{grade_id}: {note.split(': its items')[0].split('; the items')[0]}")
    return notes


def judge_scenario(full_form: Path, answers: Any, handed_in: Mapping[str, Any]) -> Verdict:
    """Mark a graded scenario's recorded path with its full form (points per decision, as the file defines them):
    the share of the best path's points the path earned, with the debrief of every decision as the note."""
    from course.exercises.scenario import OUTCOME_NAMES, ScenarioRun, load_scenario

    scenario = load_scenario(full_form)
    widget_id = f"scenario-{scenario.id}"
    recorded = handed_in.get("answers", {}).get(widget_id) if isinstance(handed_in.get("answers"), Mapping) else None
    saved = recorded if isinstance(recorded, Mapping) else answers if isinstance(answers, Mapping) else {}
    path = saved.get("path") if isinstance(saved.get("path"), list) else []
    run = ScenarioRun(scenario, [step for step in path if isinstance(step, str)])
    best = scenario.best_points()
    earned = scenario.points_for(run.path)
    if not run.path:
        return Verdict(0.0, f"{MARKED}: you took no decision in “{scenario.title}”, so it earns 0 of {best} points.",
                       decides=True)
    where = (f"you reached the ending “{OUTCOME_NAMES[run.ending.outcome]}”" if run.finished
             else "you stopped before an ending, so only the decisions you took count")
    lines = [f"{MARKED}: your path through “{scenario.title}” earned {earned} of the best path's {best} points; "
             f"{where}."] + [line.text() for line in run.debrief()]
    return Verdict(earned / best, "\n".join(lines), decides=True)
