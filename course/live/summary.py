"""What the instructor's live view shows for a session: per item, counts and shares, never a name.

Built by the service from the session's stored answers and the lesson's items (:mod:`course.exercises.lesson_items`), so
the names stay in the service: the summary carries counts only. Per quiz question and role-sorter statement: how many
answered, and per option how many chose it, now (``latest``) and at their first answer (``first``: what the class
believed before the feedback), with the misconception a wrong option stands for in the catalogue's words. Per scenario:
the decision funnel of :func:`course.grading.reports.funnel.decision_funnel` (at each decision, how many reached it and
took each choice, and the belief behind each below-best choice) and where the paths ended.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from course.content.lesson_notebooks import QUIZ, SCENARIO, widget_uses
from course.content.misconceptions import load_misconceptions
from course.exercises.lesson_items import LessonItem, lesson_items
from course.exercises.quiz import chosen_keys


def summarise(lesson: str, answers: Iterable[Mapping[str, Any]], session: Mapping[str, Any] | None = None
              ) -> dict[str, Any]:
    """The session summary: ``answers`` as the store gives them (student, widget, item, answer, first_answer)."""
    by_item: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    students = set()
    for row in answers:
        by_item.setdefault((row["widget"], row["item"]), []).append(row)
        students.add(row["student"])
    beliefs = {key: item.belief for key, item in load_misconceptions().items()}
    scenarios = {use.widget_id: use.name for use in widget_uses(lesson) if use.kind == SCENARIO}
    items = []
    for item in lesson_items(lesson):
        rows = by_item.get((item.widget_id, item.item_id), [])
        if item.kind == SCENARIO:
            items.append(_scenario_summary(item, scenarios.get(item.widget_id, item.item_id), rows))
        else:
            items.append(_choice_summary(item, rows, beliefs))
    summary = {"lesson": lesson, "students": len(students), "items": items}
    if session is not None:
        summary["session"] = dict(session)
    return summary


def _choice_summary(item: LessonItem, rows: list[Mapping[str, Any]], beliefs: Mapping[str, str]) -> dict[str, Any]:
    latest = [chosen_keys(row["answer"]) for row in rows]
    first = [chosen_keys(row["first_answer"]) for row in rows]
    right = frozenset(option.key for option in item.options if option.correct)
    options = [{"key": option.key, "text": option.text, "correct": option.correct,
                "misconception": option.misconception or "",
                "belief": beliefs.get(option.misconception or "", ""),
                "latest": sum(option.key in chosen for chosen in latest),
                "first": sum(option.key in chosen for chosen in first)} for option in item.options]
    return {"kind": item.kind, "widget": item.widget_id, "item": item.item_id, "label": item.label,
            "prompt": item.prompt, "section": item.section, "purpose": item.purpose, "multiple": item.multiple,
            "answered": len(rows), "options": options,
            "latest_right": sum(chosen == right for chosen in latest) if right else None,
            "first_right": sum(chosen == right for chosen in first) if right else None,
            "changed": sum(bool(row.get("changes")) for row in rows)}


def _scenario_summary(item: LessonItem, name: str, rows: list[Mapping[str, Any]]) -> dict[str, Any]:
    from course.exercises.scenario import load_scenario
    from course.grading.reports.funnel import decision_funnel, ending_counts

    scenario = load_scenario(name)
    paths = {}
    for number, row in enumerate(rows):  # numbered, not named: the funnel never sees who took a path
        path = row["answer"] if isinstance(row["answer"], list) else []
        valid: list[str] = []
        for choice_id in path:
            try:
                scenario.follow([*valid, choice_id])
            except ValueError:
                break
            valid.append(choice_id)
        paths[number] = valid
    funnel = decision_funnel(scenario, paths)
    nodes: list[dict[str, Any]] = []
    for node_id in dict.fromkeys(funnel["node"]):
        rows_here = funnel[funnel["node"] == node_id]
        node = scenario.nodes[node_id]
        nodes.append({"node": node_id, "step": int(rows_here["step"].iloc[0]) if rows_here["step"].notna().all()
                      else None, "text": node.text, "reached": int(rows_here["reached"].iloc[0]),
                      "choices": [{"choice": row.choice, "label": row.label, "took": int(row.took),
                                   "best": row.points is not None and row.points == row.best_points,
                                   "misconception": row.misconception, "belief": row.belief}
                                  for row in rows_here.itertuples()]})
    nodes.sort(key=lambda node: (node["step"] or 99))
    endings = ending_counts(scenario, paths) if paths else {node.id: 0 for node in scenario.endings()}
    outcome = {node.id: node.outcome for node in scenario.endings()}
    return {"kind": SCENARIO, "widget": item.widget_id, "item": item.item_id, "label": item.label,
            "prompt": scenario.title, "section": item.section, "answered": len(rows),
            "finished": sum(count for ending, count in endings.items() if ending in outcome),
            "funnel": nodes,
            "endings": [{"ending": ending, "outcome": outcome.get(ending) or "unfinished", "count": count}
                        for ending, count in endings.items()]}


def answer_rows(lesson: str, answers: Iterable[Mapping[str, Any]], session: Mapping[str, Any]
                ) -> list[dict[str, Any]]:
    """The session's answers as rows for a CSV export: one per student and item, with what each option means."""
    items = {(item.widget_id, item.item_id): item for item in lesson_items(lesson)}
    rows = []
    for row in answers:
        item = items.get((row["widget"], row["item"]))
        rows.append({"session": session["id"], "lesson": lesson, "student": row["student"],
                     "widget": row["widget"], "item": row["item"], "label": item.label if item else "",
                     "answer": _shown(row["answer"]), "first_answer": _shown(row["first_answer"]),
                     "right": _right(item, row["answer"]), "misconception": _misconceptions(item, row["answer"]),
                     "changes": row.get("changes", 0), "first_at": row.get("first_at"),
                     "updated_at": row.get("updated_at")})
    return rows


def _shown(answer: Any) -> str:
    if isinstance(answer, list):
        return " ".join(str(part) for part in answer)
    return "" if answer is None else str(answer)


def _right(item: LessonItem | None, answer: Any) -> str:
    if item is None or item.kind == SCENARIO or not any(option.correct for option in item.options):
        return ""
    right = frozenset(option.key for option in item.options if option.correct)
    return "yes" if chosen_keys(answer) == right else "no"


def _misconceptions(item: LessonItem | None, answer: Any) -> str:
    if item is None or item.kind not in (QUIZ, "role_sorter"):
        return ""
    chosen = chosen_keys(answer)
    return " ".join(option.misconception for option in item.options if option.key in chosen and option.misconception)
