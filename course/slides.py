"""A lesson as reveal.js slides, for an instructor presenting it to a room (``pm-course slides LESSON``).

The lesson notebooks carry no slide metadata: other people edit them, and a cell's slide type is a presentation
decision that follows from its content. So the slide types are chosen here, at export time, by
:class:`LessonSlideLayout` (an nbconvert preprocessor), from what each cell is:

* every H1 and H2 heading opens a slide (a markdown cell holding several headings is split first), an H3 a
  sub-slide, so the sections of a lesson are the slides of the deck and each section reads top to bottom;
* a reading too long for one screen continues on a sub-slide; "Sources" stays on one slide (scrolling if need be);
* a code cell's output joins its reading: a short result as a fragment, a table or case card as a sub-slide, a plot
  on a sub-slide of its own; cells that only display something (cases, widgets, plots) show no code;
* a quiz becomes one sub-slide per question, options lettered in stored order, with the key and each wrong option's
  misconception in the speaker notes (press S); the role sorter and a scenario's first decision get a sub-slide
  each, the same way, since a room answers them together (and, on a hub, into the live view);
* a Discuss prompt gets a sub-slide; the learner's answer cell is skipped and the model answer goes to the notes.

The notebook is executed first, in a temporary folder (so plots, tables and cases appear and no answer file or
output lands beside the lesson), then converted with nbconvert's :class:`~nbconvert.SlidesExporter`.
"""
from __future__ import annotations

import ast
import copy
import os
import re
import tempfile
from html import escape
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor

from course.content.lesson_notebooks import QUIZ, ROLE_SORTER, SCENARIO, lesson_path, resolve_lesson, widget_calls_in
from course.content.roles import SORTABLE_ROLES, role_name
from course.errors import CourseError
from course.exercises.lesson_items import lesson_items
from course.exercises.scenario import load_scenario

SLIDE, SUBSLIDE, FRAGMENT, CONTINUE, SKIP, NOTES = "slide", "subslide", "fragment", "-", "skip", "notes"
SCREEN_CHARACTERS = 1100  # about what fits on one 960x700 slide at reveal's default size
LARGE_OUTPUT = 1500  # HTML longer than this (a DataFrame, a case card) gets a sub-slide of its own
HEADING = re.compile(r"^(#{1,3}) (.+)$")
DISCUSS = "> **Discuss.**"
WIDGET_CALLS = {"QuizWidget": QUIZ, "RoleSorterWidget": ROLE_SORTER, "ScenarioPlayer": SCENARIO}
#: Calls whose cell only shows something: their code is hidden on a slide, only the result is shown.
DISPLAY_CALLS = {"show_cases", "lifecycle_timeline", "dependency_network", "tradeoff_curve", "QuizWidget",
                 "RoleSorterWidget", "ScenarioPlayer", "TradeoffSimulator", "ProgramMapper", "CompanySizeExplorer",
                 "RaciBuilder"}
LETTERS = "ABCDEFGH"
SLIDE_CSS = """
.reveal .pm-options { list-style: none; margin-left: 0; }
.reveal .pm-options li { margin: 0.25em 0; }
.reveal .pm-letter { display: inline-block; min-width: 1.6em; font-weight: bold; }
.reveal .pm-item-label { color: #555; font-size: 0.7em; }
.reveal .pm-hint { color: #555; font-size: 0.6em; }
.reveal table { font-size: 0.55em; }
"""


def split_markdown(source: str) -> list[str]:
    """A markdown cell's text cut before every H1-H3 heading and every Discuss prompt (code fences respected)."""
    chunks: list[list[str]] = [[]]
    fenced = False
    for line in source.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        starts = not fenced and (HEADING.match(line) or line.startswith(DISCUSS))
        if starts and any(text.strip() for text in chunks[-1]):
            chunks.append([])
        chunks[-1].append(line)
    return ["\n".join(chunk).strip("\n") for chunk in chunks if "\n".join(chunk).strip()]


def _heading_level(source: str) -> int:
    match = HEADING.match(source.lstrip().splitlines()[0]) if source.strip() else None
    return len(match[1]) if match else 0


def _call_names(source: str) -> list[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]


def _only_displays(source: str) -> bool:
    """True when the cell's code is imports and a call that shows something (its result is the point)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    body = [node for node in tree.body if not isinstance(node, (ast.Import, ast.ImportFrom))]
    if len(body) != 1 or not isinstance(body[0], ast.Expr):
        return False
    value = body[0].value
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id in DISPLAY_CALLS


def _output_kind(cell) -> str:
    """What a code cell shows: 'plot', 'widget', 'large' (big HTML), 'small' (short text or HTML) or 'none'."""
    kinds = set()
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if "image/png" in data or "image/svg+xml" in data:
            kinds.add("plot")
        elif "application/vnd.jupyter.widget-view+json" in data:
            kinds.add("widget")
        elif "text/html" in data:
            kinds.add("large" if len(str(data["text/html"])) > LARGE_OUTPUT else "small")
        elif output.get("output_type") == "stream" or data:
            kinds.add("small")
    for kind in ("plot", "widget", "large", "small"):
        if kind in kinds:
            return kind
    return "none"


def _cell(cell_type: str, source: str, slide_type: str, **metadata):
    maker = nbformat.v4.new_markdown_cell if cell_type == "markdown" else nbformat.v4.new_raw_cell
    cell = maker(source)
    cell.metadata["slideshow"] = {"slide_type": slide_type}
    cell.metadata.update(metadata)
    return cell


def _set(cell, slide_type: str) -> None:
    cell.metadata["slideshow"] = {"slide_type": slide_type}


class LessonSlideLayout(Preprocessor):
    """Chooses every cell's slide type from its content, and turns answering widgets into slides of their own."""

    def preprocess(self, nb, resources):
        lesson = (resources or {}).get("pm_course_lesson")
        items = lesson_items(lesson) if lesson else []
        cells = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cells.extend(nbformat.v4.new_markdown_cell(chunk) for chunk in split_markdown(cell.source))
            else:
                cells.append(cell)
        laid_out = []
        used = 0  # characters on the current (sub)slide
        section = ""
        answer_cell_next = False
        for cell in cells:
            if cell.cell_type == "markdown":
                level = _heading_level(cell.source)
                text = cell.source.strip()
                if level in (1, 2):
                    section = HEADING.match(text.splitlines()[0])[2].strip()
                    _set(cell, SLIDE)
                    used = len(text)
                elif level == 3:
                    _set(cell, SUBSLIDE)
                    used = len(text)
                elif text.startswith(DISCUSS):
                    _set(cell, SUBSLIDE)
                    used = len(text)
                    answer_cell_next = True
                elif text.startswith("<details><summary>Model answer"):
                    _set(cell, NOTES)
                elif answer_cell_next and "answer" in text.lower()[:40]:
                    _set(cell, SKIP)
                    answer_cell_next = False
                elif used + len(text) > SCREEN_CHARACTERS and section != "Sources":
                    _set(cell, SUBSLIDE)
                    used = len(text)
                else:
                    _set(cell, CONTINUE)
                    used += len(text)
                laid_out.append(cell)
                continue
            if cell.cell_type != "code":
                _set(cell, SKIP)
                laid_out.append(cell)
                continue
            answering = [WIDGET_CALLS[name] for name in _call_names(cell.source) if name in WIDGET_CALLS]
            if answering and items:
                generated = widget_slides(cell.source, items)
                if generated:
                    laid_out.extend(generated)
                    used = SCREEN_CHARACTERS  # whatever follows starts afresh
                    continue
            if _only_displays(cell.source):
                cell.metadata.setdefault("transient", {})["remove_source"] = True
                shown = 0
            else:
                shown = len(cell.source)
            kind = _output_kind(cell)
            if kind in ("plot", "widget", "large"):
                _set(cell, SUBSLIDE)
                used = SCREEN_CHARACTERS if kind != "large" else shown
            elif used + shown > SCREEN_CHARACTERS:
                _set(cell, SUBSLIDE)
                used = shown
            else:
                _set(cell, FRAGMENT if kind == "small" else CONTINUE)
                used += shown + (200 if kind == "small" else 0)
            laid_out.append(cell)
        nb.cells = laid_out
        return nb, resources


def widget_slides(source: str, items) -> list:
    """The slides that stand for one answering widget's cell: a quiz's questions, the role sorter, a scenario."""
    slides = []
    for use in widget_calls_in(source):
        mine = [item for item in items if item.widget_id == use.widget_id]
        if use.kind == QUIZ:
            for number, item in enumerate(mine, start=1):
                slides += _question_slide(item, number, len(mine))
        elif use.kind == ROLE_SORTER and mine:
            slides += _role_sorter_slides(mine)
        elif use.kind == SCENARIO:
            slides += _scenario_slide(use.name)
    return slides


def _question_slide(item, number: int, total: int) -> list:
    how = "Choose every option that applies." if item.multiple else "Choose one option."
    options = "".join(f'<li><span class="pm-letter">{LETTERS[i]}.</span> {escape(option.text)}</li>'
                      for i, option in enumerate(item.options))
    body = (f'<p class="pm-item-label">{escape(item.label.rsplit(" ", 1)[0])}, question {number} of {total}</p>\n'
            f"<p><b>{escape(item.prompt)}</b></p>\n<ul class=\"pm-options\">{options}</ul>\n"
            f'<p class="pm-hint">{how} Answer in your notebook.</p>')
    key = [f"{LETTERS[i]} ({escape(option.text)})" for i, option in enumerate(item.options) if option.correct]
    wrong = [f"<li>{LETTERS[i]}: <code>{escape(option.misconception)}</code></li>"
             for i, option in enumerate(item.options) if option.misconception]
    notes = (f"<p>{escape(item.label)} (<code>{escape(item.item_id)}</code>). Key: {', '.join(key) or 'none'}.</p>"
             + (f"<p>Wrong options and the beliefs they stand for:</p><ul>{''.join(wrong)}</ul>" if wrong else ""))
    return [_cell("markdown", body, SUBSLIDE), _cell("markdown", notes, NOTES)]


def _role_sorter_slides(items) -> list:
    slides = []
    per_slide = 6
    for start in range(0, len(items), per_slide):
        chunk = items[start:start + per_slide]
        rows = "".join(f"<li><b>{escape(item.item_id)}</b> {escape(item.prompt)}</li>" for item in chunk)
        roles = ", ".join(role_name(role) for role in SORTABLE_ROLES)
        body = (f'<p class="pm-item-label">Role sorter, statements {start + 1} to {start + len(chunk)} of '
                f"{len(items)}</p>\n<p><b>Who is accountable for each piece of work?</b> ({escape(roles)})</p>\n"
                f'<ul class="pm-options">{rows}</ul>')
        key = "".join(f"<li>{escape(item.item_id)}: {escape(role_name(next(o.key for o in item.options if o.correct)))}"
                      "</li>" for item in chunk if any(option.correct for option in item.options))
        slides += [_cell("markdown", body, SUBSLIDE), _cell("markdown", f"<p>Key:</p><ul>{key}</ul>", NOTES)]
    return slides


def _scenario_slide(name: str) -> list:
    scenario = load_scenario(name)
    node = scenario.nodes[scenario.start]
    choices = "".join(f'<li><span class="pm-letter">{LETTERS[i]}.</span> {escape(choice.label)}</li>'
                      for i, choice in enumerate(node.choices))
    body = (f'<p class="pm-item-label">Scenario: {escape(scenario.title)}</p>\n'
            f"<p><i>{escape(scenario.role_text)}</i></p>\n<p>{escape(node.text)}</p>\n"
            f'<ul class="pm-options">{choices}</ul>\n<p class="pm-hint">Play it in your notebook: '
            f"{len(scenario.best_path())} decisions on the best path.</p>")
    best = {choice.id for choice in node.best_choices()}
    notes = "".join(
        f"<li>{LETTERS[i]}: {choice.points} points" + (" (best)" if choice.id in best else "")
        + (f", <code>{escape(choice.misconception)}</code>" if choice.misconception else "") + "</li>"
        for i, choice in enumerate(node.choices))
    return [_cell("markdown", body, SUBSLIDE), _cell("markdown", f"<p>First decision:</p><ul>{notes}</ul>", NOTES)]


def laid_out(notebook, lesson: str | None = None):
    """A copy of ``notebook`` with every cell's slide type chosen (what the exporter receives)."""
    copied = copy.deepcopy(notebook)
    layout, _ = LessonSlideLayout().preprocess(copied, {"pm_course_lesson": lesson})
    return layout


def execute_lesson(lesson: str, timeout: int = 120, kernel_name: str = "python3"):
    """The lesson notebook, executed in a temporary folder (no answer file or output lands beside the lesson)."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = nbformat.read(str(lesson_path(lesson)), as_version=4)
    with tempfile.TemporaryDirectory(prefix="pm-course-slides-") as folder:
        # the kernel's channels on Unix sockets in this folder rather than TCP ports, which another program starting
        # a kernel at the same moment could take first (ZMQError: Address already in use)
        kernel = KernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(folder, "ipc"))
        client = NotebookClient(notebook, km=kernel, timeout=timeout, resources={"metadata": {"path": folder}})
        try:
            client.execute()
        except CellTimeoutError:
            raise CourseError(f"{lesson}: a cell ran longer than {timeout} s; try --timeout or --no-execute") from None
        except CellExecutionError as error:
            first = str(error).strip().splitlines()[-1] if str(error).strip() else "an error"
            raise CourseError(f"{lesson}: a cell failed while executing the lesson ({first})") from None
    return notebook


def export_slides(lesson: str, output: str | Path | None = None, execute: bool = True, timeout: int = 120,
                  reveal_prefix: str | None = None, notebook=None) -> tuple[Path, int]:
    """Write the lesson's reveal.js slides; the path written and the number of slides (H1/H2 sections).

    ``notebook``: an already executed copy of the lesson (tests share one run per lesson); otherwise the lesson is
    executed first unless ``execute`` is false.
    """
    from nbconvert import SlidesExporter

    lesson = resolve_lesson(lesson)
    if notebook is None:
        notebook = execute_lesson(lesson, timeout) if execute else nbformat.read(str(lesson_path(lesson)), 4)
    target = Path(output) if output else Path.cwd() / f"{lesson}.slides.html"
    exporter = SlidesExporter(reveal_scroll=True, reveal_transition="none", exclude_input_prompt=True,
                               exclude_output_prompt=True)
    if reveal_prefix:
        exporter.reveal_url_prefix = reveal_prefix
    # The layout runs before the exporter's own preprocessors: the reveal template's metadata preprocessor (which
    # marks where slides start and end) must see the slide types this one chooses.
    resources = {"pm_course_lesson": lesson, "metadata": {"name": lesson}, "inlining": {"css": [SLIDE_CSS]}}
    slides, resources = LessonSlideLayout().preprocess(copy.deepcopy(notebook), resources)
    body, _ = exporter.from_notebook_node(slides, resources=resources)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body, encoding="utf-8")
    except OSError as error:
        raise CourseError(f"cannot write the slides to {target}: {error.strerror}") from None
    return target, count_slides(body)


def count_slides(html: str) -> int:
    """How many top-level slides (horizontal sections) a reveal.js page holds."""
    depth, top = 0, 0
    for tag in re.finditer(r"<(/?)section\b", html):
        if tag[1]:
            depth -= 1
        else:
            depth += 1
            top += depth == 1
    return top
