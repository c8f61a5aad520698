"""The program mapper: group projects that depend on each other into programs.

A grouping is right when (1) every dependency joins two projects of the same program, so
no interdependent projects are planned apart, and (2) every program holds projects that are
linked through dependencies inside it, so no unrelated project is swept in. Projects with
no dependency at all stand alone (program ``None``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from .feedback import Feedback, SectionLink

SEE = SectionLink("03-the-third-pm", "Programs: projects that depend on each other")
STAND_ALONE = "stand-alone"


@dataclass(frozen=True)
class MapperProject:
    id: str
    name: str
    depends_on: tuple[str, ...] = ()


def _neighbours(projects: Mapping[str, MapperProject]) -> dict[str, set[str]]:
    links: dict[str, set[str]] = {project_id: set() for project_id in projects}
    for project in projects.values():
        for prerequisite in project.depends_on:
            if prerequisite in links:
                links[project.id].add(prerequisite)
                links[prerequisite].add(project.id)
    return links


def check_grouping(projects: Mapping[str, MapperProject], grouping: Mapping[str, str | None]) -> dict[str, Feedback]:
    """Feedback per project on a learner's grouping (project id to program label, or stand-alone)."""
    links = _neighbours(projects)
    feedback: dict[str, Feedback] = {}
    for project_id, project in projects.items():
        label = grouping.get(project_id)
        if label is None:
            continue
        problems = []
        for other in sorted(links[project_id]):
            if grouping.get(other) is not None and grouping.get(other) != label:
                problems.append(f"{project.name} and {projects[other].name} depend on each other, so they belong "
                                f"in the same program; you put them in {label} and {grouping[other]}.")
        if label == STAND_ALONE and links[project_id]:
            problems.append(f"{project.name} is linked by a dependency to "
                            f"{', '.join(projects[o].name for o in sorted(links[project_id]))}: it is not stand-alone.")
        elif label != STAND_ALONE and not links[project_id]:
            problems.append(f"{project.name} depends on nothing and nothing depends on it: it needs no program.")
        elif label != STAND_ALONE:
            same = {p for p, g in grouping.items() if g == label}
            if not _connected(project_id, same, links):
                problems.append(f"{project.name} shares no chain of dependencies with the rest of {label}: "
                                "a program groups projects that need each other, not just any projects.")
        if problems:
            feedback[project_id] = Feedback(False, tuple(problems), SEE)
        else:
            feedback[project_id] = Feedback(True, ("Grouped consistently with its dependencies.",), SEE)
    return feedback


def _connected(start: str, members: set[str], links: dict[str, set[str]]) -> bool:
    seen, frontier = {start}, [start]
    while frontier:
        for other in links[frontier.pop()] & members:
            if other not in seen:
                seen.add(other)
                frontier.append(other)
    return seen == members
