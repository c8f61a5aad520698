"""Classical item analysis of a graded class: difficulty, discrimination and flags.

* difficulty ``p``: the mean share of an item's points the class earned (for a right/wrong
  item, the share of students who got it right);
* discrimination ``D``: that mean in the top 27% of the class by total score minus the
  mean in the bottom 27% (for right/wrong items: correct in the top group minus correct in
  the bottom group, divided by the group size);
* flags, after Ebel: D of .40 or more is very good, .30 to .39 good, .20 to .29 to revise,
  under .20 to rewrite; a negative D usually means a wrong key. Items nearly everyone gets
  right (p above .90) or wrong (p below .20) are flagged too.

Graded widgets draw their items per student from a pool (:mod:`course.exercises.variants`), so beside the graded cells
every pool item gets its own p and D, over the students who saw it, from their *first* attempts (the answer file's
``attempts`` section): a learner who tried twice shows what they believed first, which is what the item measures.
"""
from __future__ import annotations

import math
from typing import Any

import pandas as pd

from course.exercises.quiz import chosen_keys
from course.grading.nbgrader_plugins.widget_judging import same_answer

GROUP_SHARE = 0.27


def group_size(students: int) -> int:
    return max(1, int(math.floor(GROUP_SHARE * students + 0.5)))


def analyse_items(fractions: pd.DataFrame, max_points: pd.Series) -> pd.DataFrame:
    """``fractions``: one row per student, one column per item, the share of the item's points earned (0 to 1).

    Returns one row per item: max_points, p, D, quality and flag.
    """
    totals = (fractions * max_points.reindex(fractions.columns)).sum(axis=1)
    order = totals.sort_values(kind="mergesort").index  # ties keep the students' order: reproducible groups
    size = group_size(len(fractions))
    bottom, top = order[:size], order[-size:]
    rows = []
    for item in fractions.columns:
        p = float(fractions[item].mean())
        d = float(fractions.loc[top, item].mean() - fractions.loc[bottom, item].mean())
        rows.append({"item": item, "max_points": float(max_points[item]), "p": round(p, 3), "D": round(d, 3),
                     "quality": _quality(d), "flag": _flag(p, d)})
    return pd.DataFrame(rows).set_index("item")


def _quality(d: float) -> str:
    if d < 0:
        return "negative"
    if d >= 0.40:
        return "very good"
    if d >= 0.30:
        return "good"
    if d >= 0.20:
        return "revise"
    return "rewrite"


def _flag(p: float, d: float) -> str:
    flags = []
    if d < 0:
        flags.append("negative discrimination: check the key")
    elif d < 0.20:
        flags.append("discriminates poorly (D < .20): rewrite")
    elif d < 0.30:
        flags.append("discriminates weakly (D .20-.29): revise")
    if p > 0.90:
        flags.append("very easy (p > .90)")
    elif p < 0.20:
        flags.append("very hard (p < .20)")
    return "; ".join(flags)


MIN_SEEN = 5  # below this many students, an item's p and D say little


def analyse_pool_items(right: pd.DataFrame, totals: pd.Series) -> pd.DataFrame:
    """Item analysis per pool item, over the students who saw it.

    ``right``: one row per student, one column per pool item (``widget/item``): 1 or 0 for the student's first
    attempt (right or not), NaN where the item was not drawn for the student. ``totals``: each student's total score,
    which ranks the class for D (the top and bottom 27% of the students who saw the item).
    Returns one row per pool item: widget, item, seen_by, p, D, quality and flag.
    """
    rows = []
    for column in right.columns:
        seen = right[column].dropna().astype(float)
        widget, _, item = column.partition("/")
        if seen.empty:
            rows.append({"pool_item": column, "widget": widget, "item": item, "seen_by": 0, "p": float("nan"),
                         "D": float("nan"), "quality": "", "flag": "drawn for nobody"})
            continue
        order = totals.reindex(seen.index).fillna(0).sort_values(kind="mergesort").index
        size = group_size(len(seen))
        p = float(seen.mean())
        d = float(seen[order[-size:]].mean() - seen[order[:size]].mean())
        flag = _flag(p, d)
        if len(seen) < MIN_SEEN:
            flag = f"seen by only {len(seen)}: too few to judge" + (f"; {flag}" if flag else "")
        rows.append({"pool_item": column, "widget": widget, "item": item, "seen_by": int(len(seen)),
                     "p": round(p, 3), "D": round(d, 3), "quality": _quality(d), "flag": flag})
    columns = ["pool_item", "widget", "item", "seen_by", "p", "D", "quality", "flag"]
    return pd.DataFrame(rows, columns=columns).set_index("pool_item")


def wrong_labels(answer: Any, correct: Any) -> list[str]:
    """What was wrong in one answer, as labels the key's ``misconceptions`` name: a wrong option's key; for a
    multiple-select item each wrongly chosen key and each missed right key as ``-key``; for a RACI row who was made
    Accountable (``A:<role>``, ``A:shared`` for several, ``A:none``), or ``letters`` when only other letters were
    wrong. Empty for a right answer or none."""
    if answer is None or answer == "" or answer == [] or answer == {} or same_answer(answer, correct):
        return []
    if isinstance(correct, dict):
        if not isinstance(answer, dict):
            return ["unreadable"]
        accountable = sorted(role for role, letter in answer.items() if letter == "A")
        if len(accountable) > 1:
            return ["A:shared"]
        if not accountable:
            return ["A:none"]
        return [f"A:{accountable[0]}"] if correct.get(accountable[0]) != "A" else ["letters"]
    if isinstance(correct, list):
        chosen, right = chosen_keys(answer), set(correct)
        return sorted(chosen - right) + [f"-{key}" for key in sorted(right - chosen)]
    return [str(answer)]


def option_counts(answers: dict[str, dict], key: dict[str, dict],
                  seen: dict[str, dict[str, list[str]]] | None = None) -> pd.DataFrame:
    """How often each wrong answer was given, named by its misconception.

    ``answers``: student to that student's answers (widget id to item id to answer; first attempts where the
    caller has them); ``key``: widget id to item id to {"correct": answer, "misconceptions": {label: id}};
    ``seen``: student to widget id to the items drawn for that student (None: every student saw every item).
    ``share`` is the count over the students who saw the item.
    """
    rows = []
    for widget, questions in key.items():
        for question, spec in questions.items():
            viewers = [student for student in answers
                       if seen is None or question in seen.get(student, {}).get(widget, [])]
            counts: dict[str, int] = {}
            for student in viewers:
                for label in wrong_labels(answers[student].get(widget, {}).get(question), spec["correct"]):
                    counts[label] = counts.get(label, 0) + 1
            for label, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                rows.append({"widget": widget, "question": question, "wrong_answer": label, "chosen_by": count,
                             "share": round(count / len(viewers), 3) if viewers else 0.0,
                             "misconception": spec.get("misconceptions", {}).get(label, "unnamed")})
    return pd.DataFrame(rows, columns=["widget", "question", "wrong_answer", "chosen_by", "share", "misconception"])
