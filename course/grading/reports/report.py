"""``pm-course report``: what the class misunderstood, as an HTML page with plots and the same tables as CSV.

The page opens with what an instructor reads in two minutes: what most of the class missed (the graded parts most
students lost, the pool items most got wrong at first, the commonest misconceptions), each with the lesson section
to revisit (``data/graded_items.csv`` and the misconception catalogue), and a table per student. Totals count only
the parts graded for every student, and say how many points of written answers are still to be graded. Widget
answers given in code (the optional answer functions) count like the widget's own, read from the graded notebook's
source as literals, never run.
"""
from __future__ import annotations

import ast
import re
from html import escape
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure
from nbgrader.api import Gradebook, MissingEntry
from traitlets.config.loader import ConfigFileNotFound

from course.content.json_data import read_json_file
from course.content.misconceptions import Misconception, load_misconceptions, misconceptions_path
from course.errors import CourseError
from course.exercises.variants import pool_path
from course.grading.nbgrader_plugins.widget_judging import items_to_mark, read_handed_in, same_answer
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.graded_items import graded_item
from course.grading.pipeline.inspection import GRADED
from course.grading.pipeline.journal import journal_for
from course.grading.pipeline.submission_files import read_json
from course.grading.reports.funnel import decision_funnel, ending_counts, funnel_plot, graded_scenarios, recorded_path
from course.grading.reports.item_analysis import analyse_items, analyse_pool_items, option_counts
from course.learner.answers import AnswerFileError, AnswerStore
from course.plots import PALETTE, AccessibleFigure
from course.spreadsheet_csv import write_csv

MOST_MISSED = 0.5  # a part "most of the class missed": under half its points earned


def graded_students(course: CourseFolder, assignment: str) -> list[str]:
    """Students graded by the pipeline (from its journal), or every submission nbgrader knows."""
    finished = journal_for(course, assignment).finished()
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
    items = _with_review(analyse_items(scores[complete] / maxima[complete], maxima[complete]), assignment)
    key = _answer_key(course, assignment)
    # totals over the parts graded for every student: a written answer not yet graded is neither 0 nor counted
    totals = scores[complete].sum(axis=1, min_count=1).rename("total")
    graded_max = float(maxima[complete].sum())
    first, seen = first_answers(course, assignment, list(scores.index), key)
    options = _with_beliefs(option_counts(first, key, seen)).sort_values(
        ["chosen_by", "share", "widget", "question"], ascending=[False, False, True, True], kind="mergesort")
    pool_items = analyse_pool_items(right_at_first(first, seen, key), totals)
    students = _student_table(scores, maxima)
    paths = {name: out_dir / f"{name}.csv" for name in ("items", "pool_items", "options", "scores", "students")}
    # student text reaches these tables (a wrong answer is whatever the answer file or an answer function held): no
    # cell may become a spreadsheet formula (course/spreadsheet_csv.py)
    write_csv(items, paths["items"], index=True)
    write_csv(pool_items, paths["pool_items"], index=True)
    write_csv(options, paths["options"])
    write_csv(scores.assign(total=totals), paths["scores"], index=True, index_label="student")
    write_csv(students, paths["students"], index=True)
    distribution = _distribution_plot(totals, graded_max, assignment)
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
        write_csv(funnel, paths[f"funnel_{scenario.id}"])
        (out_dir / f"funnel_{scenario.id}.png").write_bytes(plot.png())
        funnels.append((scenario, funnel, plot))
    paths["html"] = out_dir / "index.html"
    glance = _at_a_glance(assignment, totals, graded_max, scores, maxima, waiting, items, pool_items, options, key)
    paths["html"].write_text(_page(assignment, totals, graded_max, items, options, waiting, distribution,
                                   item_plot, pool_items, pool_plot, funnels, glance, students), encoding="utf-8")
    return paths


def first_answers(course: CourseFolder, assignment: str, students: list[str], key: dict
                  ) -> tuple[dict[str, dict], dict[str, dict[str, list[str]]]]:
    """Per student: each graded widget item's first attempt (the answer file's ``attempts``; the saved answer where
    no attempt was recorded, e.g. answers typed into the notebook), and the items drawn for the student, as the
    grader decided them (:func:`course.grading.nbgrader_plugins.widget_judging.items_to_mark`)."""
    answers: dict[str, dict] = {}
    seen: dict[str, dict[str, list[str]]] = {}
    functions = answer_functions(course, assignment)
    own_draw_only = own_draw(course)
    for student in students:
        handed_in = read_handed_in(course.submitted(student, assignment))
        saved = _answers(course.autograded(student, assignment))
        typed = code_answers(course.autograded(student, assignment), functions)
        attempts = handed_in.get("attempts") if isinstance(handed_in.get("attempts"), dict) else {}
        answers[student], seen[student] = {}, {}
        for widget, questions in key.items():
            if pool_path(widget).is_file():
                seen[student][widget] = items_to_mark(widget, student, handed_in, own_draw_only)[0]
            else:
                seen[student][widget] = list(questions)
            tried = attempts.get(widget) if isinstance(attempts.get(widget), dict) else {}
            given = saved.get(widget, {}) if isinstance(saved.get(widget), dict) else {}
            in_code = typed.get(widget, {})
            answers[student][widget] = {}
            for item in seen[student][widget]:
                record = tried.get(item)
                first = _plain(record.get("first")) if isinstance(record, dict) and record.get("count") else None
                for answer in (first, _plain(in_code.get(item)), _plain(given.get(item))):
                    if answer is not None:  # the first attempt; else the answer given in code; else the saved one
                        answers[student][widget][item] = answer
                        break
    return answers, seen


def own_draw(course: CourseFolder) -> bool:
    """Whether the course marks graded widgets on the draw of each student's id (``JudgeOutsideKernel.
    draw_from_student_id`` in its nbgrader_config.py), as the grader did."""
    try:
        config = course.config()
    except (OSError, ConfigFileNotFound):  # no nbgrader_config.py: nbgrader's defaults, the setting off
        return False
    return "JudgeOutsideKernel" in config and bool(config.JudgeOutsideKernel.get("draw_from_student_id", False))


def _plain(answer):
    """An answer as the widgets write it (text, a list of texts, a RACI row of texts), else None: a handed-in file
    or an answer function can hold anything, and the analysis only reads these shapes."""
    if isinstance(answer, str):
        return answer or None
    if isinstance(answer, list) and all(isinstance(value, str) for value in answer):
        return answer or None
    if isinstance(answer, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in answer.items()):
        return answer or None
    return None


def answer_functions(course: CourseFolder, assignment: str) -> dict[str, str]:
    """The optional answer functions of the assignment's graded widgets, by name: ``given_answers("a1-role-sorter",
    role_sorter_answers)`` in a released notebook maps ``role_sorter_answers`` to ``a1-role-sorter``."""
    functions = {}
    for path in sorted(course.released_folder(assignment).glob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        for widget, function in re.findall(r'given_answers\(\s*\\?["\']([\w-]+)\\?["\']\s*,\s*(\w+)', text):
            functions[function] = widget
    return functions


def code_answers(folder: Path, functions: dict[str, str]) -> dict[str, dict]:
    """Widget answers a student gave in code: what each answer function returns, when it returns a literal (as the
    assignments ask). Read from the graded notebook's source with ``ast``; nothing the student wrote is run."""
    found: dict[str, dict] = {}
    for path in sorted(Path(folder).glob("*.ipynb")) if functions else []:
        content, problem = read_json(path)
        cells = content.get("cells") if isinstance(content, dict) and not problem else None
        for cell in cells if isinstance(cells, list) else []:
            source = cell.get("source", "") if isinstance(cell, dict) and cell.get("cell_type") == "code" else ""
            source = "".join(part for part in source if isinstance(part, str)) if isinstance(source, list) \
                else str(source)
            if not any(f"def {name}" in source for name in functions):
                continue
            try:
                tree = ast.parse(source)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                continue
            for node in tree.body:
                if isinstance(node, ast.FunctionDef) and node.name in functions:
                    value = _returned_literal(node)
                    if isinstance(value, dict):
                        found[functions[node.name]] = {str(item): answer for item, answer in value.items()}
    return found


def _returned_literal(function: ast.FunctionDef):
    for node in function.body:
        if isinstance(node, ast.Return) and node.value is not None:
            try:
                return ast.literal_eval(node.value)
            except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                return None
    return None


def _with_review(items: pd.DataFrame, assignment: str) -> pd.DataFrame:
    """The item table with what each part checks and the lesson section to review (data/graded_items.csv)."""
    described = [graded_item(assignment, item) for item in items.index]
    return items.assign(checks=[item.concept if item else "" for item in described],
                        review=[item.review() if item else "" for item in described])


def _student_table(scores: pd.DataFrame, maxima: pd.Series) -> pd.DataFrame:
    """One row per student: points so far of the points graded for them, the written points still to grade, and
    the graded parts where points were lost."""
    rows = []
    for student, row in scores.iterrows():
        graded = row.dropna()
        rows.append({"student": student, "points": round(float(graded.sum()), 2),
                     "of": float(maxima[graded.index].sum()),
                     "still_to_grade": float(maxima[row[row.isna()].index].sum()),
                     "lost_points_in": ", ".join(item for item in graded.index if graded[item] < maxima[item] - 1e-9)})
    return pd.DataFrame(rows).set_index("student").sort_values("points", kind="mergesort")


def _catalogue() -> dict[str, Misconception]:
    """The course's misconception catalogue, read and checked by its own loader (none in a course without one)."""
    return load_misconceptions() if misconceptions_path().is_file() else {}


def _misconception_sections() -> dict[str, str]:
    return {name: f"lesson {entry.lesson}, section “{entry.section}”" for name, entry in _catalogue().items()}


def _at_a_glance(assignment, totals, graded_max, scores, maxima, waiting, items, pool_items, options, key) -> str:
    """The first screen: the class in one sentence, what most of it missed and where to revisit it."""
    students = int(totals.notna().sum())
    pending_students = int(scores[waiting].isna().any(axis=1).sum()) if waiting else 0
    pending_points = float(maxima[waiting].sum()) if waiting else 0.0
    lines = [f"<p><b>{students} students graded</b>: mean {totals.mean():.1f} of the {graded_max:g} points graded "
             f"for everyone, median {totals.median():g}."
             + (f" Written answers worth {pending_points:g} points are still to be graded for {pending_students} "
                f"student(s) ({escape(', '.join(waiting))}): left out of these totals until they are." if waiting
                else "") + "</p>"]
    missed = items[items["p"] < MOST_MISSED].sort_values("p", kind="mergesort")
    rows = [(item, f"{row.p:.2f}", row.checks, row.review) for item, row in missed.iterrows()]
    drawn = pool_items[(pool_items["p"] < MOST_MISSED) & (pool_items["seen_by"] >= 5)] if len(pool_items) else \
        pool_items
    sections = _misconception_sections()
    for name, row in drawn.sort_values("p", kind="mergesort").iterrows():
        spec = key.get(row["widget"], {}).get(row["item"], {})
        reviews = sorted({sections[m] for m in spec.get("misconceptions", {}).values() if m in sections})
        rows.append((name, f"{row.p:.2f} at first", f"pool item {row['item']} of {row['widget']}",
                     "; ".join(reviews[:2])))
    if rows:
        body = "".join(f"<tr><td>{escape(str(a))}</td><td>{escape(b)}</td><td>{escape(c)}</td><td>{escape(d)}</td></tr>"
                       for a, b, c, d in rows)
        lines.append("<h3>What most of the class missed (under half the points)</h3><table><tr><th>part</th>"
                     f"<th>p</th><th>what it checks</th><th>revisit</th></tr>{body}</table>")
    else:
        lines.append("<p>No graded part was missed by most of the class (every part: half its points or more).</p>")
    common = options[options["misconception"] != "unnamed"].head(5)
    if len(common):
        body = "".join(f"<tr><td>{escape(row.belief or row.misconception)}</td><td>{row.chosen_by} "
                       f"({row.share:.0%} of those asked)</td><td>{escape(sections.get(row.misconception, ''))}</td>"
                       f"</tr>" for row in common.itertuples())
        lines.append("<h3>The commonest misconceptions</h3><table><tr><th>belief</th><th>chosen by</th>"
                     f"<th>revisit</th></tr>{body}</table>")
    return "\n".join(lines)


def right_at_first(answers: dict[str, dict], seen: dict[str, dict[str, list[str]]], key: dict) -> pd.DataFrame:
    """One row per student, one column per pool item (``widget/item``): 1 when the first attempt was right, 0 when
    it was wrong or missing, NaN when the item was not drawn for the student."""
    table = {}
    for student, widgets in seen.items():
        row = {}
        for widget, items in widgets.items():
            for item in items:
                answer = answers[student].get(widget, {}).get(item)
                right = same_answer(answer, key[widget][item]["correct"])
                row[f"{widget}/{item}"] = float(right)
        table[student] = row
    columns = [f"{widget}/{item}" for widget, questions in key.items() for item in questions]
    return pd.DataFrame.from_dict(table, orient="index").reindex(columns=columns)


def _with_beliefs(options: pd.DataFrame) -> pd.DataFrame:
    """The option counts with each misconception's belief, in the learner's words, from the course's catalogue."""
    catalogue = _catalogue()
    return options.assign(belief=[catalogue[name].belief if name in catalogue else ""
                                  for name in options["misconception"]])


def _answer_key(course: CourseFolder, assignment: str) -> dict:
    path = course.source(assignment) / "misconceptions.json"
    return read_json_file(path, "answer key") if path.is_file() else {}


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
    """One row per item (no label can overlap another): p as a dot, D as a bar coloured by Ebel's bands."""
    ordered = items.sort_values("p", ascending=False, kind="mergesort")
    figure = Figure(figsize=(8, 1.2 + 0.32 * max(1, len(ordered))))
    difficulty, discrimination = figure.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [1, 1]})
    rows = range(len(ordered))
    difficulty.barh(rows, ordered["p"], color=PALETTE[0])
    difficulty.axvline(MOST_MISSED, color="#555555", linestyle=":", linewidth=1)
    difficulty.set_yticks(list(rows), [str(name) for name in ordered.index], fontsize=8)
    difficulty.invert_yaxis()
    difficulty.set_xlim(0, 1)
    difficulty.set_xlabel("difficulty p (share of points earned)")
    colours = ["#c0392b" if d < 0.2 else "#e1a100" if d < 0.3 else PALETTE[1] for d in ordered["D"]]
    discrimination.barh(rows, ordered["D"], color=colours)
    discrimination.axvline(0, color="#555555", linewidth=1)
    discrimination.set_xlim(min(-0.2, float(ordered["D"].min()) - 0.05), 1)
    discrimination.set_xlabel("discrimination D (red < .20 rewrite, amber < .30 revise)")
    figure.suptitle("Every graded part, easiest first")
    figure.tight_layout()
    flagged = items[items["flag"] != ""].index.tolist()
    alt = (f"Bars for {len(items)} graded parts, easiest first: difficulty p from "
           f"{items['p'].max():.2f} ({items['p'].idxmax()}) down to {items['p'].min():.2f} "
           f"({items['p'].idxmin()}), and discrimination D beside each. Flagged for review: "
           f"{', '.join(flagged) if flagged else 'none'}.")
    return AccessibleFigure(figure, alt)


def _pool_plot(pool_items: pd.DataFrame) -> AccessibleFigure:
    """One row per pool item seen by anyone (labels never overlap): first-attempt p, coloured by widget."""
    judged = pool_items.dropna(subset=["p", "D"]).sort_values(["widget", "p"], ascending=[True, False],
                                                               kind="mergesort")
    figure = Figure(figsize=(8, 1.2 + 0.28 * max(1, len(judged))))
    axes = figure.subplots()
    widgets = sorted(judged["widget"].unique())
    colours = [PALETTE[widgets.index(widget) % len(PALETTE)] for widget in judged["widget"]]
    rows = range(len(judged))
    axes.barh(rows, judged["p"], color=colours)
    axes.axvline(MOST_MISSED, color="#555555", linestyle=":", linewidth=1)
    axes.set_yticks(list(rows), [f"{row['item']} (seen by {int(row['seen_by'])}, D {row['D']:.2f})"
                                 for _, row in judged.iterrows()], fontsize=8)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xlabel("difficulty p at first attempt (students who saw the item)")
    axes.set_title("Pool items, by widget (colour), easiest first")
    for number, widget in enumerate(widgets):
        axes.barh([], [], color=PALETTE[number % len(PALETTE)], label=widget)
    if widgets:
        axes.legend(fontsize=7, loc="lower right")
    figure.tight_layout()
    flagged = pool_items[pool_items["flag"] != ""].index.tolist()
    alt = (f"Scatter of {len(judged)} pool items by first-attempt difficulty and discrimination, each over the "
           f"students it was drawn for (between {int(pool_items['seen_by'].min())} and "
           f"{int(pool_items['seen_by'].max())}). Flagged: {', '.join(flagged) if flagged else 'none'}.")
    return AccessibleFigure(figure, alt)


def _page(assignment, totals, maximum, items, options, waiting, distribution, item_plot, pool_items=None,
          pool_plot=None, funnels=(), glance="", students=None) -> str:
    flagged = items[items["flag"] != ""]
    waiting_note = (f"<p>Written answers not yet graded by hand, left out of the analysis: "
                    f"{escape(', '.join(waiting))}.</p>" if waiting else "")
    common = options.head(15)
    per_student = (f"<h2>Every student</h2><p>Points so far, of the points graded for them; written points still to "
                   f"grade; the graded parts where points were lost (also in students.csv).</p>"
                   f"{students.to_html()}" if students is not None and len(students) else "")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(assignment)}: class report</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.3em .6em;text-align:left}}</style></head>
<body><h1>{escape(assignment)}: what the class got and missed</h1>
<h2>At a glance</h2>
{glance or f"<p>{totals.notna().sum()} graded students; mean {totals.mean():.1f} of {maximum:g}.</p>"}
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
{per_student}
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
