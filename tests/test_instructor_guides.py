"""Facilitator guides (instructors/guides): one per lesson, complete, timed, and in step with the item bank.

An instructor relies on a guide in front of a room: its plan must add up to the session it announces, every
misconception it names must be the catalogue's, it must cover every misconception the lesson's own items target
(so the live view never shows a belief the guide is silent on), and the follow-up work must exist.
"""
from __future__ import annotations

import importlib.util
import re
import sys

import nbformat
import pytest

from course.content.lesson_notebooks import lesson_ids, lesson_path
from course.content.misconceptions import load_misconceptions
from course.exercises.lesson_items import lesson_items

from .conftest import REPO

GUIDES = REPO / "instructors" / "guides"
SECTIONS = ("Goals", "Before the session", "Timed plan", "Pauses for quizzes and the scenario", "Discussion prompts",
            "Misconceptions to address", "Follow-up work")
NAMED_MISCONCEPTION = re.compile(r"\*\*`([a-z0-9-]+)`\*\*")
PLAN_ROW = re.compile(r"^\| (\d+):(\d\d) \| (\d+) \| ([^|]+) \|")


def _builder():
    spec = importlib.util.spec_from_file_location("build_guides", REPO / "instructors" / "build_guides.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_guides", module)  # its dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def _guide(lesson: str) -> str:
    path = GUIDES / f"{lesson}.md"
    assert path.is_file(), f"no facilitator guide for {lesson}: write {path.relative_to(REPO)}"
    return path.read_text(encoding="utf-8")


def _sections(text: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return {title.strip(): body for title, body in zip(parts[1::2], parts[2::2], strict=True)}


@pytest.mark.parametrize("lesson", lesson_ids())
def test_every_section_is_there(lesson):
    sections = _sections(_guide(lesson))
    missing = [name for name in SECTIONS if name not in sections]
    assert not missing, f"{lesson}: the guide lacks {missing}"
    empty = [name for name in SECTIONS if len(sections[name].strip()) < 40]
    assert not empty, f"{lesson}: sections with no content: {empty}"


@pytest.mark.parametrize("lesson", lesson_ids())
def test_the_timed_plan_adds_up_to_the_session(lesson):
    text = _guide(lesson)
    announced = re.search(r"Session length: \*\*(\d+) minutes\*\*", text)
    assert announced, f"{lesson}: the guide does not state its session length"
    total = int(announced[1])
    assert 60 <= total <= 90, f"{lesson}: a {total}-minute session; guides plan 60 to 90 minutes"
    plan = _sections(text)["Timed plan"]
    assert f"Total: **{total} minutes**" in plan, f"{lesson}: the plan's total differs from the session length"
    rows = [PLAN_ROW.match(line) for line in plan.splitlines() if PLAN_ROW.match(line)]
    assert len(rows) >= 5, f"{lesson}: a plan of {len(rows)} parts"
    clock = 0
    for row in rows:
        start = int(row[1]) * 60 + int(row[2])
        assert start == clock, f"{lesson}: '{row[4].strip()}' starts at {row[1]}:{row[2]}, expected {clock} min"
        assert int(row[3]) > 0
        clock += int(row[3])
    assert clock == total, f"{lesson}: the parts add up to {clock} minutes, not {total}"


@pytest.mark.parametrize("lesson", lesson_ids())
def test_named_misconceptions_exist_and_cover_the_lessons_items(lesson):
    text = _guide(lesson)
    catalogue = load_misconceptions()
    named = set(NAMED_MISCONCEPTION.findall(text))
    unknown = named - set(catalogue)
    assert not unknown, f"{lesson}: the guide names misconceptions not in data/misconceptions.csv: {sorted(unknown)}"
    targeted = {misconception for item in lesson_items(lesson) if item.purpose != "warm-up"
                for misconception in item.misconceptions}
    uncovered = targeted - named
    assert not uncovered, f"{lesson}: the lesson's items target {sorted(uncovered)}, which the guide never names"
    section = _sections(text)["Misconceptions to address"]
    for misconception in named & targeted:
        assert catalogue[misconception].belief in section, f"{lesson}: {misconception} not in the catalogue's words"


def test_the_generated_parts_are_up_to_date():
    """Goals and misconceptions follow the lessons and the bank: `python instructors/build_guides.py` rewrites them."""
    stale = _builder().stale_guides()
    assert not stale, f"run 'python instructors/build_guides.py': out of date: {stale}"


@pytest.mark.parametrize("lesson", lesson_ids())
def test_every_discuss_prompt_has_what_a_good_answer_contains(lesson):
    notebook = nbformat.read(str(lesson_path(lesson)), as_version=4)
    prompts = sum(cell.source.count("**Discuss.**") for cell in notebook.cells if cell.cell_type == "markdown")
    discussion = _sections(_guide(lesson))["Discussion prompts"]
    entries = re.split(r"^### ", discussion, flags=re.MULTILINE)[1:]
    assert len(entries) >= max(prompts, 1), f"{lesson}: {prompts} Discuss prompts, {len(entries)} in the guide"
    for entry in entries:
        assert "**A good answer contains:**" in entry and "\n- " in entry, \
            f"{lesson}: prompt '{entry.splitlines()[0]}' does not say what a good answer contains"


@pytest.mark.parametrize("lesson", lesson_ids())
def test_follow_up_work_names_assignment_parts_that_exist(lesson):
    follow_up = _sections(_guide(lesson))["Follow-up work"]
    parts = re.findall(r"\*\*(a\d-[a-z-]+), Part ([A-Z]): ([^*]+)\*\*", follow_up)
    assert parts, f"{lesson}: the follow-up names no assignment part"
    for assignment, letter, title in parts:
        headings = [line for notebook in (REPO / "solutions" / assignment).glob("*.ipynb")
                    for cell in nbformat.read(str(notebook), as_version=4).cells if cell.cell_type == "markdown"
                    for line in cell.source.splitlines() if line.startswith(f"## Part {letter}: ")]
        assert headings, f"{lesson}: {assignment} has no Part {letter}"
        assert headings[0].startswith(f"## Part {letter}: {title.strip()}"), \
            f"{lesson}: {assignment} Part {letter} is '{headings[0]}', the guide says '{title}'"


def test_guides_are_not_shipped_to_learners():
    """The wheel carries the course package, the exercises and the data: never the instructors' folder."""
    pyproject = (REPO / "pyproject.toml").read_text()
    wheel = pyproject.split("[tool.hatch.build.targets.wheel]", 1)[1].split("[tool.hatch.build.targets.sdist]", 1)[0]
    assert 'packages = ["course"]' in wheel and "instructors" not in wheel
    assert not (REPO / "course" / "instructors").exists()
