"""The program mapper: group the projects that run together and depend on each other into programs.

A program, as PMI's standards use the word, is a set of related projects managed together because together they
deliver benefits none of them would deliver alone, and they run at the same time. A dependency by itself does not
make a program: a project that starts after the one it needs has finished only takes over its result (a hand-off),
and a chain of hand-offs over several years is not a program. So two projects are *linked* here when one depends on
the other **and** their running periods overlap.

A grouping is right when (1) every link joins two projects of the same program, so no projects that must be kept in
step are planned apart, (2) every program holds projects connected through links inside it, so no unrelated project
is swept in, and (3) a project with no link stands alone (:data:`STAND_ALONE`), hand-offs or not.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping

import pandas as pd

from course.content.sections import SectionLink
from course.exercises.feedback import Feedback

SEE = SectionLink("03-the-third-pm", "Programs: projects that depend on each other")
STAND_ALONE = "stand-alone"


@dataclass(frozen=True)
class MapperProject:
    """A project as the mapper sees it: its prerequisites and, when known, when it ran."""

    id: str
    name: str
    depends_on: tuple[str, ...] = ()
    start: date | None = None
    end: date | None = None

    def runs_alongside(self, other: MapperProject) -> bool:
        """Whether the two projects were under way at the same time (assumed when either has no dates)."""
        if None in (self.start, self.end, other.start, other.end):
            return True
        return self.start <= other.end and other.start <= self.end


def projects_from_portfolio(portfolio: pd.DataFrame, project_ids: Iterable[str]) -> dict[str, MapperProject]:
    """The chosen projects of ``portfolio`` (as loaded by ``load_portfolio``), with their dates, keeping only the
    dependencies among the chosen ones."""
    chosen = list(project_ids)
    rows = portfolio.set_index("project_id").loc[chosen]
    return {project_id: MapperProject(project_id, row.project, tuple(d for d in row.depends_on if d in chosen),
                                      row.start.date(), row.end.date())
            for project_id, row in zip(rows.index, rows.itertuples(), strict=True)}


def _pairs(projects: Mapping[str, MapperProject], overlapping: bool) -> dict[str, set[str]]:
    """For each project, the projects it shares a dependency with, among those that do (or do not) overlap it."""
    found: dict[str, set[str]] = {project_id: set() for project_id in projects}
    for project in projects.values():
        for prerequisite in project.depends_on:
            if prerequisite in projects and project.runs_alongside(projects[prerequisite]) == overlapping:
                found[project.id].add(prerequisite)
                found[prerequisite].add(project.id)
    return found


def links(projects: Mapping[str, MapperProject]) -> dict[str, set[str]]:
    """For each project, the projects it depends on or that depend on it while both are under way."""
    return _pairs(projects, overlapping=True)


def hand_offs(projects: Mapping[str, MapperProject]) -> dict[str, set[str]]:
    """For each project, the projects linked to it by a dependency only across time (one had ended first)."""
    return _pairs(projects, overlapping=False)


def programs(projects: Mapping[str, MapperProject]) -> list[frozenset[str]]:
    """The programs the projects form: groups of two or more connected by links, in order of their first id."""
    linked = links(projects)
    found: list[frozenset[str]] = []
    placed: set[str] = set()
    for project_id in sorted(projects):
        if project_id in placed or not linked[project_id]:
            continue
        group = _component(project_id, set(projects), linked)
        placed |= group
        found.append(frozenset(group))
    return found


def check_grouping(projects: Mapping[str, MapperProject], grouping: Mapping[str, str | None]) -> dict[str, Feedback]:
    """Feedback per grouped project on a learner's grouping (project id to program label, or stand-alone)."""
    linked, handed = links(projects), hand_offs(projects)

    def names(ids: Iterable[str]) -> str:
        return ", ".join(projects[other].name for other in sorted(ids))

    feedback: dict[str, Feedback] = {}
    for project_id, project in projects.items():
        label = grouping.get(project_id)
        if label is None:
            continue
        problems = []
        for other in sorted(linked[project_id]):
            if grouping.get(other) is not None and grouping.get(other) != label:
                problems.append(f"{project.name} is in {label}, but a project it depends on, or that needs it, "
                                f"while both are under way sits in {grouping[other]}: projects that need each other "
                                "at the same time belong in one program. Look again at its dependencies and dates.")
                break
        if label == STAND_ALONE and linked[project_id]:
            problems.append(f"{project.name} depends on, or is needed by, another project here while both run at the "
                            "same time: it is not stand-alone. Compare its dates with those of its dependencies.")
        elif label != STAND_ALONE and not linked[project_id]:
            if handed[project_id]:
                problems.append(f"{project.name} is never under way at the same time as the projects it is linked "
                                "to: one finished before the other started, so the link is a hand-off along a chain, "
                                "and a chain of hand-offs is not a program.")
            else:
                problems.append(f"{project.name} depends on nothing and nothing depends on it: it needs no program.")
        elif label != STAND_ALONE:
            same = {p for p, g in grouping.items() if g == label}
            if _component(project_id, same, linked) != same:
                problems.append(f"{project.name} shares no chain of dependencies between projects running at the "
                                f"same time with the rest of {label}: a program groups projects that run together "
                                "and need each other, not just any projects.")
        if problems:
            feedback[project_id] = Feedback(False, tuple(problems), SEE)
        elif label == STAND_ALONE and handed[project_id]:
            feedback[project_id] = Feedback(True, (f"{project.name} only hands over to or takes over from "
                                                   f"{names(handed[project_id])}, at another time: no program.",), SEE)
        elif label == STAND_ALONE:
            feedback[project_id] = Feedback(True, (f"{project.name} has no dependency on the other projects here: "
                                                   "it needs no program.",), SEE)
        else:
            feedback[project_id] = Feedback(True, (f"{project.name} runs alongside the projects it depends on or "
                                                   f"that need it, all in {label}.",), SEE)
    return feedback


def _component(start: str, members: set[str], linked: Mapping[str, set[str]]) -> set[str]:
    """The members reachable from ``start`` through links between members."""
    seen, frontier = {start}, [start]
    while frontier:
        for other in linked[frontier.pop()] & members:
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    return seen
