"""Graded widgets whose items differ from student to student: a public pool, a few items drawn per student.

Two students side by side must not see the same graded questions, or one can simply copy the other's clicks.
So every widget an assignment grades draws its items from a *pool* at least three times larger
(``data/pools/<widget id>.json``, schema in ``data/README.md``). The pool holds only what students may see:
prompts, options, statements, activities; never a key. Keys live with the instructor
(``solutions/<assignment>/misconceptions.json``) and are read only by the grader, outside the student's kernel.

Which items a student gets is :func:`course.exercises.shuffling.pick` of the pool (per group, when the pool has
groups, so every student meets one variant of each case) under the student's seed (:meth:`AnswerStore.seed`: ``user:<hub
user name>`` on a JupyterHub, else a random seed kept in the answer file). The draw is recorded in the answer file's
``pools`` section (seed and item ids) the first time the widget is built, and reused afterwards, so the items never
change for a student and the grader knows what was drawn. The grader does not trust that record blindly: see
:mod:`course.grading.nbgrader_plugins.widget_judging`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from course.content.json_data import read_json
from course.content.roles import ROLE_NAMES
from course.errors import DataFileError
from course.exercises.quiz import MULTIPLE, SINGLE, Option, Question, Quiz
from course.exercises.raci import Activity, RaciExercise
from course.exercises.role_sorter import Statement
from course.exercises.shuffling import pick
from course.learner.answers import AnswerFileError, AnswerStore

POOLS_SECTION = "pools"
KINDS = ("quiz", "statements", "raci")
MIN_POOL_FACTOR = 3  # a pool holds at least three times the items a student sees


@dataclass(frozen=True)
class PoolItem:
    id: str
    text: str
    group: str = ""
    kind: str = SINGLE  # quiz items only
    options: tuple[tuple[str, str], ...] = ()  # (key, text), quiz items only


@dataclass(frozen=True)
class Pool:
    """A graded widget's public pool: ``show`` items per student (per group when items carry groups)."""

    id: str
    kind: str
    title: str
    show: int
    items: tuple[PoolItem, ...]
    situation: str = ""
    roles: tuple[str, ...] = field(default=())

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(item.group for item in self.items))

    @property
    def shown_count(self) -> int:
        """How many items one student sees."""
        return self.show * len(self.groups)

    def item(self, item_id: str) -> PoolItem:
        return next(item for item in self.items if item.id == item_id)

    def draw(self, seed: str) -> list[str]:
        """The ids of the items ``seed`` draws, in pool order: a pure function, so the grader can redo it."""
        chosen: set[str] = set()
        for group in self.groups:
            members = [item.id for item in self.items if item.group == group]
            chosen.update(pick(members, self.show, seed, self.id, group))
        return [item.id for item in self.items if item.id in chosen]

    def is_draw(self, item_ids: Any) -> bool:
        """Whether ``item_ids`` (e.g. read back from an answer file) is a possible draw of this pool."""
        if not isinstance(item_ids, list) or not all(isinstance(i, str) for i in item_ids):
            return False
        known = {item.id: item.group for item in self.items}
        if len(set(item_ids)) != len(item_ids) or not set(item_ids) <= set(known):
            return False
        per_group = [sum(1 for i in item_ids if known[i] == group) for group in self.groups]
        return all(count == self.show for count in per_group)


def pool_path(pool_id: str) -> Path:
    from course.paths import data_dir

    return data_dir() / "pools" / f"{pool_id}.json"


def load_pool(pool_id_or_path: str | Path) -> Pool:
    """A pool by widget id (``data/pools/<id>.json``) or path, checked; :class:`DataFileError` names what is wrong."""
    raw, path = read_json(pool_id_or_path, "pools", "pool file")
    return parse_pool(raw, source=str(path))


def parse_pool(raw: Any, source: str = "pool") -> Pool:
    def fail(message: str) -> DataFileError:
        return DataFileError(f"{source}: {message}")

    if not isinstance(raw, dict):
        raise fail("must be an object with id, kind, title, show and items")
    for key in ("id", "kind", "title", "show", "items"):
        if key not in raw:
            raise fail(f"missing '{key}'")
    if raw["kind"] not in KINDS:
        raise fail(f"kind must be one of {', '.join(KINDS)}, not {raw['kind']!r}")
    if not isinstance(raw["show"], int) or raw["show"] < 1:
        raise fail("'show' must be a whole number of at least 1")
    if not isinstance(raw["items"], list) or not raw["items"]:
        raise fail("'items' must be a non-empty list")
    items = []
    for number, entry in enumerate(raw["items"], start=1):
        if not isinstance(entry, dict) or not entry.get("id") or not (entry.get("text") or entry.get("prompt")):
            raise fail(f"item {number} needs an 'id' and a 'text' (or 'prompt')")
        if "correct" in entry or any(isinstance(o, dict) and "correct" in o for o in entry.get("options", [])):
            raise fail(f"item {entry['id']} carries a key: keys belong in the instructor's solutions/ only")
        options: tuple[tuple[str, str], ...] = ()
        if raw["kind"] == "quiz":
            if entry.get("kind", SINGLE) not in (SINGLE, MULTIPLE):
                raise fail(f"item {entry['id']}: kind must be '{SINGLE}' or '{MULTIPLE}'")
            listed = entry.get("options")
            if not isinstance(listed, list) or not 3 <= len(listed) <= 5 or \
                    not all(isinstance(o, dict) and o.get("key") and o.get("text") for o in listed):
                raise fail(f"item {entry['id']}: needs 3 to 5 options, each with a key and a text")
            options = tuple((str(o["key"]), str(o["text"])) for o in listed)
            if len({key for key, _ in options}) != len(options):
                raise fail(f"item {entry['id']}: two options share a key")
        items.append(PoolItem(str(entry["id"]), str(entry.get("prompt") or entry.get("text")),
                              str(entry.get("group", "")), str(entry.get("kind", SINGLE)), options))
    if len({item.id for item in items}) != len(items):
        raise fail("two items share an id")
    roles = tuple(raw.get("roles", ()))
    if raw["kind"] == "raci" and (not roles or not set(roles) <= set(ROLE_NAMES)):
        raise fail(f"a RACI pool needs 'roles', each one of {', '.join(ROLE_NAMES)}")
    pool = Pool(str(raw["id"]), raw["kind"], str(raw["title"]), raw["show"], tuple(items),
                str(raw.get("situation", "")), roles)
    for group in pool.groups:
        size = sum(1 for item in items if item.group == group)
        if size < MIN_POOL_FACTOR * pool.show:
            raise fail(f"group {group or '(all items)'} has {size} items: a pool needs at least "
                       f"{MIN_POOL_FACTOR} times the {pool.show} a student sees")
    return pool


def drawn_items(pool: Pool, folder: str | Path | None = None) -> list[str]:
    """The items this student sees: the draw recorded in the answer file, else a new draw, recorded.

    Reusing the record keeps the items stable when the notebook is reopened, and makes the grading run show what
    the student saw. A record that is not a possible draw of the pool (hand-edited, or from an older pool) is
    replaced by a fresh draw.
    """
    store = AnswerStore(folder)
    try:
        record = store.section_for(POOLS_SECTION, pool.id)
    except AnswerFileError:
        record = {}
    if pool.is_draw(record.get("items")) and isinstance(record.get("seed"), str):
        return list(record["items"])
    seed = store.seed()
    items = pool.draw(seed)
    try:
        store.keep(POOLS_SECTION, pool.id, {"seed": seed, "items": items})
    except (OSError, AnswerFileError):  # a read-only folder or a damaged file: the widget says so when it saves
        pass
    return items


def pool_quiz(pool_id: str, folder: str | Path | None = None) -> Quiz:
    """The student's questions of a quiz pool, without a key, as a :class:`~course.exercises.quiz.Quiz` for
    ``QuizWidget``."""
    pool = _pool_of_kind(pool_id, "quiz")
    questions = []
    for item_id in drawn_items(pool, folder):
        item = pool.item(item_id)
        options = tuple(Option(key, text) for key, text in item.options)
        questions.append(Question(item.id, item.text, item.kind, options))
    return Quiz(pool.id, pool.title, tuple(questions))


def pool_statements(pool_id: str, folder: str | Path | None = None) -> list[Statement]:
    """The student's statements of a role-sorter pool, without a key, for ``RoleSorterWidget``."""
    pool = _pool_of_kind(pool_id, "statements")
    return [Statement(item_id, pool.item(item_id).text) for item_id in drawn_items(pool, folder)]


def pool_raci(pool_id: str, folder: str | Path | None = None) -> RaciExercise:
    """The student's activities of a RACI pool, without a key, for ``RaciBuilder``."""
    pool = _pool_of_kind(pool_id, "raci")
    activities = tuple(Activity(item_id, pool.item(item_id).text) for item_id in drawn_items(pool, folder))
    return RaciExercise(pool.id, pool.title, pool.situation, pool.roles, activities)


def listing(pool_id: str, folder: str | Path | None = None) -> str:
    """The student's items as plain text with their ids and option keys, for answering by typing."""
    pool = load_pool(pool_id)
    lines = [f"{pool.title}: your items, with the ids to use when you type your answers"]
    for item_id in drawn_items(pool, folder):
        item = pool.item(item_id)
        lines.append(f"- {item.id}: {item.text}")
        lines += [f"    {key}: {text}" for key, text in item.options]
    if pool.kind == "raci":
        lines.append("Roles: " + ", ".join(pool.roles) + "; letters R, A, C, I.")
    return "\n".join(lines)


def _pool_of_kind(pool_id: str, kind: str) -> Pool:
    pool = load_pool(pool_id)
    if pool.kind != kind:
        raise DataFileError(f"pool {pool_id} is a {pool.kind} pool, not a {kind} pool")
    return pool


def given_answers(widget_id: str, answers_in_code: Any = None, folder: str | Path | None = None) -> dict[str, Any]:
    """A graded widget's answers: those saved in the answer file, overridden by those the optional answer function
    returns (a function left unanswered, or one that fails, adds nothing). What the test cells and the grader's
    probe read, so typed answers count even for items the widget did not show in this run."""
    try:
        saved = AnswerStore(folder).answers_for(widget_id)
    except AnswerFileError:
        saved = {}
    typed: Any = None
    if callable(answers_in_code):
        try:
            typed = answers_in_code()
        except Exception:  # NotImplementedError (left as given) or the learner's own error: the widget reports it
            typed = None
    if isinstance(typed, dict):
        saved.update({str(key): value for key, value in typed.items()})
    return saved


def scenario_choices(scenario_id: str, path: Any = ()) -> str:
    """A graded scenario as text, for answering by typing: the decision reached after ``path`` (choice ids) and its
    choices with their ids, or the ending reached. Public form only: no points or explanations."""
    from course.exercises.scenario import ScenarioRun, load_scenario

    run = ScenarioRun(load_scenario(scenario_id), [step for step in path if isinstance(step, str)])
    if run.finished:
        return f"Ending: {run.current.text}"
    lines = [run.current.text] + [f"- {choice.id}: {choice.label}" for choice in run.current.choices]
    return "\n".join(lines)


def play_typed(player: Any, answers_in_code: Any) -> None:
    """Take, in a scenario player, the choices an optional answer function returns (choice ids in order) beyond
    those already taken: the typed alternative to clicking. A function left unanswered, or one that fails, does
    nothing; a choice id not offered stops there."""
    try:
        typed = answers_in_code() if callable(answers_in_code) else None
    except Exception:  # NotImplementedError (left as given) or the learner's own error
        typed = None
    if player.run is None or not isinstance(typed, list) or typed[:len(player.run.path)] != player.run.path:
        return
    for choice_id in typed[len(player.run.path):]:
        if player.run.finished or not isinstance(choice_id, str) or player.run.current.choice(choice_id) is None:
            break
        player.choose(choice_id)
