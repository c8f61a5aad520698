"""My progress: per lesson, whether it was opened and run, the first-attempt score of its checks and the scenario's
outcome, and how many review questions are due. Shown by a cell in lesson 00 and by ``pm-course progress``.

Everything comes from what the learner's own work leaves in the lessons folder, nothing is tracked besides:

* *opened*: JupyterLab keeps a checkpoint of every notebook it opens (``.ipynb_checkpoints/<lesson>-checkpoint.ipynb``);
  any saved answer of the lesson counts too;
* *run*: each quiz keeps, when its cell runs, which questions it showed (the answer file's ``shown`` section): a lesson
  whose last quiz (its check) has run was run to the end, one with only some of them partly. A lesson without
  quizzes counts as run when its saved notebook has execution counts (JupyterLab saves every two minutes);
* *checks*: of the lesson's check (and final check) questions, how many the first attempt got right, of those tried
  (the ``attempts`` section, which keeps every question's first attempt);
* *scenario*: the outcome of the first complete play (``attempts``), or how far a play has got.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from course.content.json_data import notebook_cells
from course.errors import DataFileError
from course.exercises.feedback import Attempts
from course.exercises.quiz import load_quiz
from course.exercises.scenario import OUTCOME_NAMES, load_scenario
from course.learner.answers import AnswerFileError, AnswerStore
from course.learner.review_deck import build_deck, count_due, lesson_code, lesson_order, lesson_quizzes
from course.paths import LESSONS_DIR

_SCENARIO_CALL = re.compile(r'ScenarioPlayer\(\s*"([^"]+)"')
CHECK_PURPOSES = ("check", "final")


@dataclass(frozen=True)
class LessonProgress:
    lesson: str
    title: str
    opened: bool
    run: str  # "not run", "partly", "to the end"
    checks_right: int  # right at the first try
    checks_tried: int
    checks_total: int
    scenario: str  # an outcome name, "in progress (n decisions)", "not played", or "" when the lesson has none

    @property
    def checks(self) -> str:
        if not self.checks_total:
            return ""
        if not self.checks_tried:
            return f"not tried ({self.checks_total} questions)"
        return (f"{self.checks_right} of {self.checks_tried} right at the first try"
                + (f" ({self.checks_total - self.checks_tried} not tried)" if self.checks_tried < self.checks_total
                   else ""))


@dataclass(frozen=True)
class Progress:
    lessons: tuple[LessonProgress, ...]
    next_lesson: str | None  # the first lesson not run to the end
    review_due: int  # review questions due by that lesson's warm-up
    problem: str = ""  # why the answer file could not be read, if it could not


def _title(path: Path) -> str:
    cells = notebook_cells(path)
    lines = cells[0]["source"].splitlines() if cells else []
    return (lines[0].lstrip("#").strip() if lines else "") or path.stem


def _executed(path: Path) -> tuple[int, int]:
    """(code cells with an execution count, code cells) in the notebook as last saved."""
    code = [cell for cell in notebook_cells(path) if cell.get("cell_type") == "code"]
    return sum(1 for cell in code if cell.get("execution_count")), len(code)


class _Record:
    """The answer file's sections, read once; a damaged file reads as empty, with the reason kept."""

    def __init__(self, folder: Path):
        self.problem = ""
        try:
            document = AnswerStore(folder)._document()
        except AnswerFileError as error:
            document, self.problem = {"answers": {}}, str(error)
        self.answers: dict[str, Any] = document.get("answers", {})
        self.attempts: dict[str, Any] = document.get("attempts", {})
        self.shown: dict[str, Any] = document.get("shown", {})

    def attempts_of(self, widget_id: str) -> dict[str, Attempts]:
        return {str(key): Attempts.from_record(raw) for key, raw in self.attempts.get(widget_id, {}).items()}

    def touched(self, widget_id: str) -> bool:
        return any(widget_id in section for section in (self.answers, self.attempts, self.shown))


def _scenario_status(record: _Record, scenario_id: str) -> str:
    widget_id = f"scenario-{scenario_id}"
    first = record.attempts.get(widget_id, {})
    ending = first.get("ending") if isinstance(first, dict) else None
    if not ending:
        answers = record.answers.get(widget_id, {})
        ending = answers.get("ending") if isinstance(answers, dict) else None
    if ending:
        try:
            node = load_scenario(scenario_id).nodes.get(ending)
        except (DataFileError, OSError):
            node = None
        outcome = getattr(node, "outcome", None)
        return OUTCOME_NAMES.get(outcome, "ended") if outcome else "ended"
    path = record.answers.get(widget_id, {}).get("path") if isinstance(record.answers.get(widget_id), dict) else None
    if isinstance(path, list) and path:
        return f"in progress ({len(path)} decision{'s' * (len(path) != 1)})"
    return "not played"


def lesson_progress(lessons_dir: str | Path | None = None) -> Progress:
    """Where the learner stands in every lesson of ``lessons_dir`` (the workspace's ``lessons`` folder)."""
    folder = Path(lessons_dir) if lessons_dir is not None else LESSONS_DIR
    record = _Record(folder)
    rows = []
    for lesson in lesson_order(folder):
        notebook = folder / f"{lesson}.ipynb"
        if not notebook.is_file():
            notebook = LESSONS_DIR / f"{lesson}.ipynb"
        quizzes = lesson_quizzes(lesson, folder)
        scenarios = list(dict.fromkeys(_SCENARIO_CALL.findall(lesson_code(lesson, folder))))
        widget_ids = quizzes + [f"scenario-{scenario}" for scenario in scenarios]
        opened = (folder / ".ipynb_checkpoints" / f"{lesson}-checkpoint.ipynb").is_file() or \
            any(record.touched(widget_id) for widget_id in widget_ids)
        shown = [quiz for quiz in quizzes if quiz in record.shown]
        executed, code_cells = _executed(folder / f"{lesson}.ipynb")
        if (quizzes and quizzes[-1] in shown) or (code_cells and executed == code_cells):
            run = "to the end"
        elif shown or executed:
            run = "partly"
        else:
            run = "not run"
        right = tried = total = 0
        for name in quizzes:
            try:
                quiz = load_quiz(name)
            except (DataFileError, OSError):
                continue
            if quiz.purpose not in CHECK_PURPOSES:
                continue
            total += len(quiz.questions)
            firsts = record.attempts_of(quiz.id)
            for question in quiz.questions:
                attempt = firsts.get(question.id)
                if attempt is not None and attempt.count:
                    tried += 1
                    right += attempt.first_correct is True
        scenario = "; ".join(_scenario_status(record, scenario) for scenario in scenarios)
        rows.append(LessonProgress(lesson, _title(notebook), opened or run != "not run", run, right, tried, total,
                                   scenario))
    next_lesson = next((row.lesson for row in rows if row.run != "to the end"), None)
    deck = build_deck(folder)
    due = count_due(next_lesson, folder, deck) if next_lesson else len(deck)
    return Progress(tuple(rows), next_lesson, due, record.problem)


def progress_text(progress: Progress) -> str:
    """The progress as a plain-text table (for the terminal)."""
    header = ("lesson", "opened", "run", "checks (first attempts)", "scenario")
    rows = [(row.lesson, "yes" if row.opened else "no", row.run, row.checks or "-", row.scenario or "-")
            for row in progress.lessons]
    widths = [max(len(str(line[column])) for line in [header, *rows]) for column in range(len(header))]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
             for line in [header, *rows]]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join([*lines, "", _summary(progress)] + ([f"Note: {progress.problem}"] if progress.problem else []))


def _summary(progress: Progress) -> str:
    tried = sum(row.checks_tried for row in progress.lessons)
    right = sum(row.checks_right for row in progress.lessons)
    done = sum(1 for row in progress.lessons if row.run == "to the end")
    parts = [f"{done} of {len(progress.lessons)} lessons run to the end"]
    if tried:
        parts.append(f"{right} of {tried} check questions right at the first try")
    questions = f"{progress.review_due} review question{'s' * (progress.review_due != 1)}"
    if progress.next_lesson:
        parts.append(f"next lesson: {progress.next_lesson}; {questions} due in your next warm-up")
    else:
        parts.append(f"{questions} still to go over again")
    return "; ".join(parts) + "."


class ProgressView:
    """The progress as a table in a notebook (re-run the cell to refresh it)."""

    def __init__(self, progress: Progress):
        self.progress = progress

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col" style="text-align:left">{escape(name)}</th>' for name in
                       ("Lesson", "Opened", "Run", "Checks: right at the first try", "Scenario"))
        body = "".join(
            f'<tr><th scope="row" style="text-align:left">{escape(row.lesson)}<br>'
            f'<span style="font-weight:normal">{escape(row.title)}</span></th>'
            f"<td>{'yes' if row.opened else 'no'}</td><td>{escape(row.run)}</td>"
            f"<td>{escape(row.checks or '—')}</td><td>{escape(row.scenario or '—')}</td></tr>"
            for row in self.progress.lessons)
        note = (f'<p style="color:#b00020">{escape(self.progress.problem)}</p>' if self.progress.problem else "")
        return (f'<table><caption style="text-align:left"><b>My progress.</b> {escape(_summary(self.progress))}'
                f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}")

    def __repr__(self) -> str:
        return progress_text(self.progress)


def my_progress(lessons_dir: str | Path | None = None) -> ProgressView:
    """The learner's progress through the lessons in ``lessons_dir`` (default: the notebook's own folder)."""
    return ProgressView(lesson_progress(Path(lessons_dir) if lessons_dir is not None else Path.cwd()))
