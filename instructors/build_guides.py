"""Keep the data-driven parts of the facilitator guides in step with the lessons and the item bank.

Each guide in ``instructors/guides/<lesson>.md`` is written by hand, except two blocks between markers:

* ``goals``: the lesson's objectives, copied from its "What you will be able to do" section;
* ``misconceptions``: every misconception the lesson's items target (quiz options, role-sorter swaps, below-best
  scenario choices), in the catalogue's words (``data/misconceptions.csv``), with the items that target it and how to
  address it in class (``instructors/misconception_moves.csv``, one move per misconception, written by hand).

A reviewer who retags an item or rewords a belief runs ``python instructors/build_guides.py`` and every guide follows;
``--check`` only reports the guides that are out of date (the test suite runs it), and a misconception without a move
is named, so a new tag cannot reach a guide without advice on how to address it.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from course.content.lesson_notebooks import (  # noqa: E402
    QUIZ,
    ROLE_SORTER,
    SCENARIO,
    lesson_ids,
    lesson_path,
    widget_uses,
)
from course.content.misconceptions import load_misconceptions  # noqa: E402
from course.exercises.lesson_items import lesson_items  # noqa: E402

GUIDES = HERE / "guides"
MOVES = HERE / "misconception_moves.csv"
BLOCK = re.compile(r"(<!-- begin generated: (?P<name>[a-z]+)[^>]*-->\n)(?P<body>.*?)"
                   r"(<!-- end generated: (?P=name) -->)", re.DOTALL)
OBJECTIVES_HEADING = "## What you will be able to do"


def guide_path(lesson: str) -> Path:
    return GUIDES / f"{lesson}.md"


def objectives(lesson: str) -> list[str]:
    """The lesson's numbered objectives, as written in its notebook (continuation lines joined)."""
    notebook = nbformat.read(str(lesson_path(lesson)), as_version=4)
    for cell in notebook.cells:
        if cell.cell_type != "markdown" or OBJECTIVES_HEADING not in cell.source:
            continue
        after = cell.source.split(OBJECTIVES_HEADING, 1)[1]
        found: list[str] = []
        for line in after.splitlines():
            if line.startswith("#"):
                break
            if re.match(r"\d+\. ", line):
                found.append(line.strip())
            elif found and line.startswith("   ") and line.strip():
                found[-1] += " " + line.strip()
            elif found and not line.strip():
                break
        return found
    return []


def load_moves(path: Path = MOVES) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as stream:
        return {row["misconception_id"]: row["move"].strip() for row in csv.DictReader(stream)}


@dataclass
class Target:
    """Where one misconception is targeted in a lesson: per widget ("Check", "scenario program-forms"), its items."""

    misconception: str
    taught: dict[str, list[str]] = field(default_factory=dict)  # check, diagnostic, final, role sorter, scenario
    warm_up: dict[str, list[str]] = field(default_factory=dict)


def targets(lesson: str) -> list[Target]:
    """Every misconception the lesson's items target, those the lesson teaches first, then the warm-up's."""
    from course.exercises.scenario import load_scenario

    found: dict[str, Target] = {}

    def note(misconception: str, widget: str, item: str, warm_up: bool) -> None:
        target = found.setdefault(misconception, Target(misconception))
        items = (target.warm_up if warm_up else target.taught).setdefault(widget, [])
        if item not in items:
            items.append(item)

    for entry in lesson_items(lesson):
        if entry.kind == QUIZ:
            widget, _, number = entry.label.rpartition(" ")
            for option in entry.options:
                if option.misconception:
                    note(option.misconception, widget, number, entry.purpose == "warm-up")
        elif entry.kind == ROLE_SORTER:
            for option in entry.options:
                if option.misconception:
                    note(option.misconception, "role sorter", entry.item_id, False)
    for use in widget_uses(lesson):
        if use.kind != SCENARIO:
            continue
        scenario = load_scenario(use.name)
        for node in scenario.decision_nodes():
            for choice in node.choices:
                below = node.top_points is not None and (choice.points or 0) < node.top_points
                if choice.misconception and below:
                    note(choice.misconception, f"scenario {scenario.id}", f"“{choice.label}”", False)
    taught = sorted((t for t in found.values() if t.taught),
                    key=lambda t: (-sum(map(len, t.taught.values())), t.misconception))
    warm = sorted((t for t in found.values() if not t.taught), key=lambda t: t.misconception)
    return taught + warm


def _where(places: dict[str, list[str]]) -> str:
    """``Check Q2, Q5; scenario program-forms (“Wait”, “Merge”)``."""
    parts = []
    for widget, items in places.items():
        if widget.startswith("scenario "):
            parts.append(f"{widget} ({', '.join(items)})")
        else:
            parts.append(f"{widget} {', '.join(items)}")
    return "; ".join(parts)


def goals_block(lesson: str) -> str:
    listed = objectives(lesson)
    if not listed:
        return "The lesson states no numbered objectives.\n"
    return "By the end of the session learners can (the lesson's own objectives):\n\n" + "\n".join(listed) + "\n"


def misconceptions_block(lesson: str) -> str:
    catalogue = load_misconceptions()
    moves = load_moves()
    found = targets(lesson)
    if not found:
        return ("This lesson has no quiz, role sorter or scenario of its own, so no item targets a misconception "
                "here.\n")
    missing = [t.misconception for t in found if t.misconception not in moves]
    if missing:
        raise SystemExit(f"no move in {MOVES.name} for: {', '.join(missing)}")
    unknown = [t.misconception for t in found if t.misconception not in catalogue]
    if unknown:
        raise SystemExit(f"items of {lesson} name misconceptions missing from data/misconceptions.csv: "
                         f"{', '.join(unknown)}")
    lines = ["Each entry: the id (as the live view and `pm-course report` show it), the belief in the catalogue's "
             "words, the items that target it, where the course corrects it, and a move for the room.", ""]
    taught = [t for t in found if t.taught]
    warm = [t for t in found if not t.taught]
    if taught:
        lines += [f"**Targeted by this lesson's own items** ({len(taught)}):", ""]
        lines += [_entry(t, t.taught, catalogue, moves, lesson) for t in taught]
    if warm:
        lines += ["", f"**Probed only by the warm-up** (earlier lessons; {len(warm)}):", ""]
        lines += [_entry(t, t.warm_up, catalogue, moves, lesson) for t in warm]
    return "\n".join(lines) + "\n"


def _entry(target: Target, where: dict[str, list[str]], catalogue, moves: dict[str, str], lesson: str) -> str:
    item = catalogue[target.misconception]
    place = "this lesson" if item.lesson == lesson else f"lesson {item.lesson}"
    return (f"- **`{target.misconception}`**: “{item.belief}” Targeted by {_where(where)}. Corrected in {place}, "
            f"*{item.section}*.\n  **Address it:** {moves[target.misconception]}")


def render(lesson: str, text: str) -> str:
    """The guide's text with its generated blocks brought up to date."""
    makers = {"goals": goals_block, "misconceptions": misconceptions_block}

    def replace(match: re.Match) -> str:
        maker = makers.get(match["name"])
        if maker is None:
            return match.group(0)
        return f"{match.group(1)}{maker(lesson)}{match.group(4)}"

    return BLOCK.sub(replace, text)


def stale_guides() -> list[str]:
    """The lessons whose guide is missing or whose generated blocks differ from what the data gives now."""
    stale = []
    for lesson in lesson_ids():
        path = guide_path(lesson)
        if not path.is_file():
            stale.append(f"{lesson} (no guide)")
            continue
        text = path.read_text(encoding="utf-8")
        if render(lesson, text) != text:
            stale.append(lesson)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report guides that are out of date")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_guides()
        for lesson in stale:
            print(f"out of date: {lesson}")
        return 1 if stale else 0
    for lesson in lesson_ids():
        path = guide_path(lesson)
        if not path.is_file():
            print(f"no guide for {lesson}: write {path.relative_to(REPO)} first")
            continue
        text = path.read_text(encoding="utf-8")
        updated = render(lesson, text)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            print(f"updated {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
