"""The class view of a graded scenario: a decision funnel.

At every decision node: how many students reached it, how many took each choice, where the students who took it
ended, and, for each choice below the node's best, the misconception it stands for (from the instructor's full form
of the scenario and the course's catalogue). An instructor reads it as "where did the class go wrong, and believing
what", which is what the next lesson should take up.
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
from matplotlib.figure import Figure

from course.exercises.scenario import Scenario, ScenarioRun, load_scenario
from course.plots import PALETTE, AccessibleFigure

UNFINISHED = "unfinished"
COLUMNS = ["scenario", "step", "node", "choice", "label", "points", "best_points", "reached", "took", "share",
           "ended", "misconception", "belief"]


def graded_scenarios(source_folder: Path) -> list[Scenario]:
    """The full forms of an assignment's graded scenarios (``solutions/<assignment>/scenario-keys/*.json``)."""
    folder = Path(source_folder) / "scenario-keys"
    return [load_scenario(path) for path in sorted(folder.glob("*.json"))] if folder.is_dir() else []


def recorded_path(document: Mapping, scenario_id: str) -> list[str]:
    """The path a student's answer file records for a scenario (choice ids), empty when there is none."""
    answers = document.get("answers") if isinstance(document, Mapping) else None
    saved = answers.get(f"scenario-{scenario_id}") if isinstance(answers, Mapping) else None
    path = saved.get("path") if isinstance(saved, Mapping) else None
    return [step for step in path if isinstance(step, str)] if isinstance(path, list) else []


def decision_funnel(scenario: Scenario, paths: Mapping[str, Sequence[str]]) -> pd.DataFrame:
    """One row per decision node and choice: who reached the node, who took the choice, where they ended.

    ``paths``: student to the choice ids they took (only what the scenario offers counts, as in grading).
    ``ended`` reads like ``end-success 3, end-failure 1`` (``unfinished`` for a path that stopped before an ending).
    Rows come in the order of the nodes' first step on any path, then the file's order of choices.
    """
    runs = {student: ScenarioRun(scenario, path) for student, path in paths.items()}
    endings = {student: run.current.id if run.finished else UNFINISHED for student, run in runs.items()}
    reached: dict[str, list[str]] = {}
    took: dict[tuple[str, str], list[str]] = {}
    depth: dict[str, int] = {scenario.start: 1}
    for student, run in runs.items():
        reached.setdefault(scenario.start, []).append(student)
        for number, (node, choice) in enumerate(scenario.follow(run.path), start=1):
            took.setdefault((node.id, choice.id), []).append(student)
            reached.setdefault(choice.next, []).append(student)
            depth[node.id] = min(depth.get(node.id, number), number)
            depth.setdefault(choice.next, number + 1)
    rows = []
    for node in sorted(scenario.decision_nodes(), key=lambda n: (depth.get(n.id, 99), _order(scenario, n.id))):
        at_node = reached.get(node.id, [])
        for choice in node.choices:
            students = took.get((node.id, choice.id), [])
            ended: dict[str, int] = {}
            for student in students:
                ended[endings[student]] = ended.get(endings[student], 0) + 1
            below = choice.points is not None and node.top_points is not None and choice.points < node.top_points
            misconception = scenario.misconceptions.get(choice.misconception or "") if below else None
            rows.append({
                "scenario": scenario.id, "step": depth.get(node.id), "node": node.id, "choice": choice.id,
                "label": choice.label, "points": choice.points, "best_points": node.top_points,
                "reached": len(at_node), "took": len(students),
                "share": round(len(students) / len(at_node), 3) if at_node else 0.0,
                "ended": ", ".join(f"{end} {count}" for end, count in sorted(ended.items(), key=lambda i: -i[1])),
                "misconception": (choice.misconception or "") if below else "",
                "belief": misconception.belief if misconception else ""})
    return pd.DataFrame(rows, columns=COLUMNS)


def ending_counts(scenario: Scenario, paths: Mapping[str, Sequence[str]]) -> dict[str, int]:
    """How many students ended at each ending (and how many did not finish)."""
    counts = {node.id: 0 for node in scenario.endings()}
    for path in paths.values():
        run = ScenarioRun(scenario, path)
        key = run.current.id if run.finished else UNFINISHED
        counts[key] = counts.get(key, 0) + 1
    return counts


def funnel_plot(scenario: Scenario, funnel: pd.DataFrame, endings: Mapping[str, int]) -> AccessibleFigure:
    """Per decision node reached, a bar per choice (students who took it), the best choice blue, the others red;
    below-best bars are labelled with their misconception."""
    reached = funnel[funnel["reached"] > 0]
    nodes = list(dict.fromkeys(reached["node"]))
    figure = Figure(figsize=(8, max(3.0, 0.42 * len(reached) + 1.2)))
    axes = figure.subplots()
    labels, positions, y = [], [], 0.0
    for node_id in nodes:
        for _, row in reached[reached["node"] == node_id].iterrows():
            best = row["points"] == row["best_points"]
            colour = PALETTE[0] if best else PALETTE[1]
            axes.barh(y, row["took"], color=colour, edgecolor="white")
            note = f"{row['took']}" + (f"  ({row['misconception']})" if row["misconception"] and row["took"] else "")
            axes.annotate(note, (row["took"], y), textcoords="offset points", xytext=(3, -3), fontsize=7)
            labels.append(f"{node_id}: {row['choice']}")
            positions.append(y)
            y += 1
        y += 0.6
    axes.set_yticks(positions, labels, fontsize=7)
    axes.invert_yaxis()
    axes.set_xlabel("students who took the choice")
    axes.set_title(f"{scenario.title}: decision funnel (best choice blue, others red)", fontsize=9)
    axes.set_xlim(0, max(1, int(funnel["took"].max() if len(funnel) else 1)) * 1.6)
    students = int(funnel.loc[funnel["node"] == scenario.start, "reached"].max()) if len(funnel) else 0
    first = funnel[funnel["node"] == scenario.start]
    top = first.sort_values("took", ascending=False).head(1)
    summary = (f"at the first decision {int(top['took'].iloc[0])} of {students} took '{top['label'].iloc[0]}'"
               if len(top) and students else "nobody played it")
    wrong = funnel[(funnel["misconception"] != "") & (funnel["took"] > 0)]
    common = wrong.sort_values("took", ascending=False).head(1)
    takers = int(common["took"].iloc[0]) if len(common) else 0
    mistake = (f"; the most taken below-best choice was '{common['label'].iloc[0]}' ({takers} "
               f"student{'' if takers == 1 else 's'}, misconception {common['misconception'].iloc[0]})"
               if len(common) else "; nobody took a below-best choice")
    ends = ", ".join(f"{count} at {end}" for end, count in endings.items())
    alt = (f"Decision funnel of {scenario.title} for {students} students, one bar per choice at each of "
           f"{len(nodes)} decisions reached: {summary}{mistake}. Endings: {ends}.")
    return AccessibleFigure(figure, alt)


def _order(scenario: Scenario, node_id: str) -> int:
    return list(scenario.nodes).index(node_id)
