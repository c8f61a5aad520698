"""``pm-course report``: what the class misunderstood, as an HTML page with plots and the same tables as CSV."""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from nbgrader.api import Gradebook, MissingEntry

from ..answers import AnswerFileError, AnswerStore
from ..errors import CourseError
from ..paths import data_dir
from ..plots import PALETTE, AccessibleFigure
from ..variants import pool_path
from .course_folder import CourseFolder
from .funnel import decision_funnel, ending_counts, funnel_plot, graded_scenarios, recorded_path
from .inspection import GRADED
from .item_analysis import analyse_items, analyse_pool_items, option_counts, wrong_labels
from .journal import GradingJournal
from .widget_checks import items_to_mark, read_handed_in


def graded_students(course: CourseFolder, assignment: str) -> list[str]:
    """Students graded by the pipeline (from its journal), or every submission nbgrader knows."""
    finished = GradingJournal(course.pipeline_dir(assignment) / "journal.jsonl").finished()
    if finished:
        return sorted(student for student, result in finished.items() if result.status == GRADED)
    with Gradebook(course.gradebook_url) as gradebook:
        try:
            return sorted(submission.student.id for submission in gradebook.find_assignment(assignment).submissions)
        except MissingEntry:
            return []


def score_table(course: CourseFolder, assignment: str, students: list[str]) -> tuple[pd.DataFrame, pd.Series]:
    """Points earned per student and graded item (NaN where a written answer awaits grading), and each item's max."""
    rows, maxima = {}, {}
    with Gradebook(course.gradebook_url) as gradebook:
        for student in students:
            try:
                submission = gradebook.find_submission(assignment, student)
            except MissingEntry:
                continue
            row = {}
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    row[grade.name] = grade.score if (grade.auto_score is not None or grade.manual_score is not None) \
                        else float("nan")
                    maxima[grade.name] = grade.max_score
            rows[student] = row
    return pd.DataFrame.from_dict(rows, orient="index"), pd.Series(maxima, dtype=float)


def build_report(course: CourseFolder, assignment: str, out_dir: Path) -> dict[str, Path]:
    course.require_assignment(assignment)
    students = graded_students(course, assignment)
    scores, maxima = score_table(course, assignment, students)
    if scores.empty:
        raise CourseError(f"no graded submissions of {assignment} yet: run 'pm-course grade {assignment}' first")
    out_dir.mkdir(parents=True, exist_ok=True)
    scores = scores.loc[:, [item for item in scores.columns if maxima[item] > 0]]  # 0-point cells hold rubrics
    complete = [item for item in scores.columns if scores[item].notna().all()]
    waiting = [item for item in scores.columns if item not in complete]
    items = analyse_items(scores[complete] / maxima[complete], maxima[complete])
    key = _answer_key(course, assignment)
    totals = scores.sum(axis=1, min_count=1).rename("total")
    first, seen = first_answers(course, assignment, list(scores.index), key)
    options = _with_beliefs(option_counts(first, key, seen))
    pool_items = analyse_pool_items(right_at_first(first, seen, key), totals)
    paths = {name: out_dir / f"{name}.csv" for name in ("items", "pool_items", "options", "scores")}
    items.to_csv(paths["items"])
    pool_items.to_csv(paths["pool_items"])
    options.to_csv(paths["options"], index=False)
    scores.assign(total=totals).to_csv(paths["scores"], index_label="student")
    distribution = _distribution_plot(totals, float(maxima.sum()), assignment)
    item_plot = _item_plot(items)
    (out_dir / "distribution.png").write_bytes(distribution.png())
    (out_dir / "items.png").write_bytes(item_plot.png())
    pool_plot = _pool_plot(pool_items) if len(pool_items) else None
    if pool_plot:
        (out_dir / "pool_items.png").write_bytes(pool_plot.png())
    funnels = []
    for scenario in graded_scenarios(course.source(assignment)):
        recorded = {student: recorded_path(read_handed_in(course.submitted(student, assignment)), scenario.id)
                    or recorded_path(read_handed_in(course.autograded(student, assignment)), scenario.id)
                    for student in scores.index}
        funnel = decision_funnel(scenario, recorded)
        plot = funnel_plot(scenario, funnel, ending_counts(scenario, recorded))
        paths[f"funnel_{scenario.id}"] = out_dir / f"funnel_{scenario.id}.csv"
        funnel.to_csv(paths[f"funnel_{scenario.id}"], index=False)
        (out_dir / f"funnel_{scenario.id}.png").write_bytes(plot.png())
        funnels.append((scenario, funnel, plot))
    paths["html"] = out_dir / "index.html"
    paths["html"].write_text(_page(assignment, totals, float(maxima.sum()), items, options, waiting, distribution,
                                   item_plot, pool_items, pool_plot, funnels), encoding="utf-8")
    return paths


def first_answers(course: CourseFolder, assignment: str, students: list[str], key: dict
                  ) -> tuple[dict[str, dict], dict[str, dict[str, list[str]]]]:
    """Per student: each graded widget item's first attempt (the answer file's ``attempts``; the saved answer where
    no attempt was recorded, e.g. answers typed into the notebook), and the items drawn for the student, as the
    grader decided them (:func:`course.grading.widget_checks.items_to_mark`)."""
    answers: dict[str, dict] = {}
    seen: dict[str, dict[str, list[str]]] = {}
    for student in students:
        handed_in = read_handed_in(course.submitted(student, assignment))
        saved = _answers(course.autograded(student, assignment))
        attempts = handed_in.get("attempts") if isinstance(handed_in.get("attempts"), dict) else {}
        answers[student], seen[student] = {}, {}
        for widget, questions in key.items():
            if pool_path(widget).is_file():
                seen[student][widget] = items_to_mark(widget, student, handed_in)[0]
            else:
                seen[student][widget] = list(questions)
            tried = attempts.get(widget) if isinstance(attempts.get(widget), dict) else {}
            given = saved.get(widget, {}) if isinstance(saved.get(widget), dict) else {}
            answers[student][widget] = {}
            for item in seen[student][widget]:
                record = tried.get(item)
                if isinstance(record, dict) and record.get("count") and record.get("first") is not None:
                    answers[student][widget][item] = record["first"]
                elif given.get(item) is not None:
                    answers[student][widget][item] = given[item]
    return answers, seen


def right_at_first(answers: dict[str, dict], seen: dict[str, dict[str, list[str]]], key: dict) -> pd.DataFrame:
    """One row per student, one column per pool item (``widget/item``): 1 when the first attempt was right, 0 when
    it was wrong or missing, NaN when the item was not drawn for the student."""
    table = {}
    for student, widgets in seen.items():
        row = {}
        for widget, items in widgets.items():
            for item in items:
                answer = answers[student].get(widget, {}).get(item)
                right = answer is not None and not wrong_labels(answer, key[widget][item]["correct"])
                row[f"{widget}/{item}"] = float(right)
        table[student] = row
    columns = [f"{widget}/{item}" for widget, questions in key.items() for item in questions]
    return pd.DataFrame.from_dict(table, orient="index").reindex(columns=columns)


def _with_beliefs(options: pd.DataFrame) -> pd.DataFrame:
    """The option counts with each misconception's belief, in the learner's words, from the course's catalogue."""
    catalogue = data_dir() / "misconceptions.csv"
    beliefs = pd.read_csv(catalogue).set_index("misconception_id")["belief"] if catalogue.is_file() else {}
    return options.assign(belief=[beliefs.get(name, "") for name in options["misconception"]])


def _answer_key(course: CourseFolder, assignment: str) -> dict:
    path = course.source(assignment) / "misconceptions.json"
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        raise CourseError(f"{path}: not valid JSON ({error})") from None


def _answers(folder: Path) -> dict:
    try:
        return AnswerStore(folder).load()
    except AnswerFileError:
        return {}


def _distribution_plot(totals: pd.Series, maximum: float, assignment: str) -> AccessibleFigure:
    figure = Figure(figsize=(7, 3.5))
    axes = figure.subplots()
    axes.hist(totals.dropna(), bins=min(20, max(5, int(maximum) + 1)), range=(0, maximum), color=PALETTE[0],
              edgecolor="white")
    axes.set_xlabel("total points")
    axes.set_ylabel("students")
    axes.set_title(f"{assignment}: grade distribution")
    alt = (f"Histogram of {totals.notna().sum()} students' totals out of {maximum:g}: median {totals.median():g}, "
           f"lowest {totals.min():g}, highest {totals.max():g}.")
    return AccessibleFigure(figure, alt)


def _item_plot(items: pd.DataFrame) -> AccessibleFigure:
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    axes.axhspan(-1, 0.2, color="#fbe3e3")
    axes.axhspan(0.2, 0.3, color="#fff4d6")
    axes.scatter(items["p"], items["D"], color=PALETTE[0], zorder=3)
    for name, row in items.iterrows():
        axes.annotate(name, (row["p"], row["D"]), textcoords="offset points", xytext=(4, 3), fontsize=7)
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(min(-0.1, items["D"].min() - 0.1), 1.05)
    axes.set_xlabel("difficulty p (share of points earned)")
    axes.set_ylabel("discrimination D (top 27% - bottom 27%)")
    axes.set_title("Items: red band rewrite (D < .20), yellow band revise")
    flagged = items[items["flag"] != ""].index.tolist()
    alt = (f"Scatter of {len(items)} graded items by difficulty and discrimination. Flagged for review: "
           f"{', '.join(flagged) if flagged else 'none'}.")
    return AccessibleFigure(figure, alt)


def _pool_plot(pool_items: pd.DataFrame) -> AccessibleFigure:
    figure = Figure(figsize=(7, 4))
    axes = figure.subplots()
    axes.axhspan(-1, 0.2, color="#fbe3e3")
    axes.axhspan(0.2, 0.3, color="#fff4d6")
    judged = pool_items.dropna(subset=["p", "D"])
    for number, (widget, group) in enumerate(judged.groupby("widget", sort=True)):
        axes.scatter(group["p"], group["D"], s=20 + 12 * group["seen_by"], color=PALETTE[number % len(PALETTE)],
                     alpha=0.8, label=widget, zorder=3)
        for _name, row in group.iterrows():
            axes.annotate(row["item"], (row["p"], row["D"]), textcoords="offset points", xytext=(4, 3), fontsize=7)
    axes.set_xlim(-0.05, 1.05)
    axes.set_ylim(min(-0.1, (judged["D"].min() if len(judged) else 0) - 0.1), 1.05)
    axes.set_xlabel("difficulty p at first attempt (students who saw the item)")
    axes.set_ylabel("discrimination D")
    axes.set_title("Pool items (dot size: students who saw it)")
    if len(judged):
        axes.legend(fontsize=7, loc="lower right")
    flagged = pool_items[pool_items["flag"] != ""].index.tolist()
    alt = (f"Scatter of {len(judged)} pool items by first-attempt difficulty and discrimination, each over the "
           f"students it was drawn for (between {int(pool_items['seen_by'].min())} and "
           f"{int(pool_items['seen_by'].max())}). Flagged: {', '.join(flagged) if flagged else 'none'}.")
    return AccessibleFigure(figure, alt)


def _page(assignment, totals, maximum, items, options, waiting, distribution, item_plot, pool_items=None,
          pool_plot=None, funnels=()) -> str:
    flagged = items[items["flag"] != ""]
    waiting_note = (f"<p>Written answers not yet graded by hand, left out of the analysis: "
                    f"{escape(', '.join(waiting))}.</p>" if waiting else "")
    common = options.head(15)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(assignment)}: class report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}</style></head>
<body><h1>{escape(assignment)}: what the class got and missed</h1>
<p>{totals.notna().sum()} graded students; mean {totals.mean():.1f} of {maximum:g}, median {totals.median():g}.</p>
{waiting_note}
<h2>Grade distribution</h2>
<img src="distribution.png" alt="{escape(distribution.alt)}"><p><i>{escape(distribution.alt)}</i></p>
<h2>Items that need attention</h2>
{flagged.to_html() if len(flagged) else "<p>No item is flagged.</p>"}
{_pool_section(pool_items, pool_plot)}
{"".join(_funnel_section(*funnel) for funnel in funnels)}
<h2>The most common wrong first attempts, by misconception</h2>
{common.to_html(index=False) if len(common) else "<p>No widget or multiple-choice answers to analyse.</p>"}
<h2>Every item</h2>
<img src="items.png" alt="{escape(item_plot.alt)}"><p><i>{escape(item_plot.alt)}</i></p>
{items.to_html()}
<p>Difficulty p is the share of an item's points the class earned; discrimination D is that share in the top 27%
of the class minus the bottom 27%. After Ebel: D of .40 or more is very good, .30-.39 good, .20-.29 revise, below .20
rewrite; a negative D usually means a wrong key. The same tables are in items.csv, pool_items.csv, options.csv and
scores.csv.</p>
</body></html>
"""


def _pool_section(pool_items, pool_plot) -> str:
    if pool_items is None or not len(pool_items):
        return ""
    return f"""<h2>Every pool item, at first attempt</h2>
<p>Graded widgets draw each student's items from a pool, so each pool item is analysed over the students it was
drawn for, on their first attempt (graded cells above use the final, graded answers).</p>
<img src="pool_items.png" alt="{escape(pool_plot.alt)}"><p><i>{escape(pool_plot.alt)}</i></p>
{pool_items.to_html()}"""


def _funnel_section(scenario, funnel, plot) -> str:
    shown = funnel[funnel["reached"] > 0][["step", "node", "label", "points", "best_points", "reached", "took",
                                           "ended", "misconception", "belief"]]
    return f"""<h2>Decision funnel: {escape(scenario.title)}</h2>
<p>Every decision node the class reached: how many students took each choice, where they ended, and the
misconception each below-best choice stands for (also in funnel_{escape(scenario.id)}.csv).</p>
<img src="funnel_{escape(scenario.id)}.png" alt="{escape(plot.alt)}"><p><i>{escape(plot.alt)}</i></p>
{shown.to_html(index=False)}"""
