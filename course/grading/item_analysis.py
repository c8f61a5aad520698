"""Classical item analysis of a graded class: difficulty, discrimination and flags.

* difficulty ``p``: the mean share of an item's points the class earned (for a right/wrong
  item, the share of students who got it right);
* discrimination ``D``: that mean in the top 27% of the class by total score minus the
  mean in the bottom 27% (for right/wrong items: correct in the top group minus correct in
  the bottom group, divided by the group size);
* flags, after Ebel: D of .40 or more is very good, .30 to .39 good, .20 to .29 to revise,
  under .20 to rewrite; a negative D usually means a wrong key. Items nearly everyone gets
  right (p above .90) or wrong (p below .20) are flagged too.
"""
from __future__ import annotations

import math

import pandas as pd

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


def option_counts(answers: dict[str, dict], key: dict[str, dict]) -> pd.DataFrame:
    """How often each wrong option was chosen, named by its misconception.

    ``answers``: student to that student's saved answers (widget id to question id to answer);
    ``key``: widget id to question id to {"correct": answer, "misconceptions": {option: name}}.
    """
    rows = []
    for widget, questions in key.items():
        for question, spec in questions.items():
            given = [student_answers.get(widget, {}).get(question) for student_answers in answers.values()]
            chosen = [value for value in given if value is not None]
            counts: dict[str, int] = {}
            for value in chosen:
                label = ",".join(sorted(value)) if isinstance(value, list) else str(value)
                counts[label] = counts.get(label, 0) + 1
            correct = spec["correct"]
            correct_label = ",".join(sorted(correct)) if isinstance(correct, list) else str(correct)
            for label, count in sorted(counts.items(), key=lambda item: -item[1]):
                if label == correct_label:
                    continue
                rows.append({"widget": widget, "question": question, "wrong_answer": label, "chosen_by": count,
                             "share": round(count / len(answers), 3) if answers else 0.0,
                             "misconception": spec.get("misconceptions", {}).get(label, "unnamed")})
    return pd.DataFrame(rows, columns=["widget", "question", "wrong_answer", "chosen_by", "share", "misconception"])
