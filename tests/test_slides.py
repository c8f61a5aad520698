"""Lessons as slides (`pm-course slides`): every lesson converts, each section is a slide, quizzes get slides.

The slide types are chosen at export time (the lesson notebooks carry no slide metadata), so these tests read the
HTML an instructor would open: how many slides, which heading opens each, where the quiz questions, plots, Discuss
prompts and sources land, and that the lesson file itself is left untouched.
"""
from __future__ import annotations

import hashlib
import re
from html import unescape
from html.parser import HTMLParser

import nbformat
import pytest

from course.cli import main
from course.content.lesson_notebooks import QUIZ, lesson_ids, lesson_path
from course.exercises.lesson_items import lesson_items
from course.slides import (
    NOTES,
    SKIP,
    SLIDE,
    SUBSLIDE,
    count_slides,
    export_slides,
    laid_out,
    split_markdown,
)

SLOW = pytest.mark.slow


class _Sections(HTMLParser):
    """The reveal.js deck as [(heading of the slide, [text of each sub-slide])], speaker notes left out."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.slides: list[list[str]] = []
        self.in_notes = 0
        self.heading: list[str] | None = None
        self.headings: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.depth += 1
            if self.depth == 1:  # a slide; each holds one <section> per sub-slide
                self.slides.append([])
                self.headings.append("")
            else:
                self.slides[-1].append("")
        elif tag == "aside":
            self.in_notes += 1
        elif tag in ("h1", "h2") and self.depth and not self.headings[-1]:
            self.heading = []

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1
        elif tag == "aside":
            self.in_notes -= 1
        elif tag in ("h1", "h2") and self.heading is not None:
            self.headings[-1] = "".join(self.heading).replace("¶", "").strip()
            self.heading = None

    def handle_data(self, data):
        if self.heading is not None:
            self.heading.append(data)
        if self.depth > 1 and not self.in_notes:
            self.slides[-1][-1] += data


def _headings(lesson: str) -> list[str]:
    notebook = nbformat.read(str(lesson_path(lesson)), as_version=4)
    return [line.split(" ", 1)[1].strip() for cell in notebook.cells if cell.cell_type == "markdown"
            for line in cell.source.splitlines() if re.match(r"#{1,2} ", line)]


@pytest.fixture(scope="session")
def executed(executed_notebooks):
    """One kernel run per lesson for the whole run, shared with test_notebooks.py (tests/conftest.py)."""
    return lambda lesson: executed_notebooks(lesson_path(lesson))


@SLOW
@pytest.mark.parametrize("lesson", lesson_ids())
def test_every_lesson_converts_with_one_slide_per_section(lesson, executed, tmp_path):
    before = hashlib.sha256(lesson_path(lesson).read_bytes()).hexdigest()
    path, count = export_slides(lesson, tmp_path / "deck.html", notebook=executed(lesson))
    html = path.read_text(encoding="utf-8")
    assert "Reveal.initialize" in html
    headings = _headings(lesson)
    deck = _Sections()
    deck.feed(html[html.index('<div class="slides">'):])
    assert count == len(deck.slides) == len(headings), f"{lesson}: {count} slides for {len(headings)} H1/H2 headings"
    assert [unescape(h) for h in deck.headings] == headings, f"{lesson}: a slide does not open with its heading"
    sources = deck.slides[deck.headings.index("Sources")] if "Sources" in deck.headings else None
    assert sources is None or len(sources) == 1, f"{lesson}: the Sources are spread over {len(sources)} slides"
    assert lesson_path(lesson).read_bytes() and hashlib.sha256(lesson_path(lesson).read_bytes()).hexdigest() == before


@SLOW
@pytest.mark.parametrize("lesson", [lesson for lesson in lesson_ids() if any(item.kind == QUIZ
                                                                              for item in lesson_items(lesson))])
def test_quiz_questions_plots_and_prompts_fall_on_slides_of_their_own(lesson, executed, tmp_path):
    notebook = executed(lesson)
    layout = laid_out(notebook, lesson)
    questions = [item for item in lesson_items(lesson) if item.kind == QUIZ]
    question_slides = [cell for cell in layout.cells if cell.metadata["slideshow"]["slide_type"] == SUBSLIDE
                       and re.search(r"question \d+ of \d+", cell.source)]
    assert len(question_slides) == len(questions), f"{lesson}: {len(questions)} questions on {len(question_slides)}"
    notes = "\n".join(cell.source for cell in layout.cells if cell.metadata["slideshow"]["slide_type"] == NOTES)
    for question in questions:
        assert f"<code>{question.item_id}</code>). Key:" in notes, f"{lesson}: no key for {question.item_id}"
        for option in question.options:
            assert not option.misconception or option.misconception in notes
    for cell in layout.cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        outputs = cell.get("outputs", [])
        if any("image/png" in output.get("data", {}) for output in outputs):
            assert kind == SUBSLIDE, f"{lesson}: a plot shares a slide: {cell.source[:60]}"
        if cell.cell_type == "markdown" and cell.source.startswith("> **Discuss.**"):
            assert kind == SUBSLIDE
        if cell.cell_type == "markdown" and cell.source.startswith("<details><summary>Model answer"):
            assert kind == NOTES, f"{lesson}: a model answer is shown on a slide"
        if cell.cell_type == "code" and "show_cases(" in cell.source:
            assert cell.metadata.get("transient", {}).get("remove_source"), "a case card shows its code"
    path, _ = export_slides(lesson, tmp_path / "deck.html", notebook=notebook)
    html = path.read_text(encoding="utf-8")
    assert html.count("question 1 of") >= 1 and '<aside class="notes">' in html


def test_headings_and_discuss_prompts_split_a_markdown_cell():
    text = "Intro.\n\n## What each assignment uses\n\nTable.\n\n## Summary\n\nDone.\n\n> **Discuss.** Why?"
    assert [chunk.splitlines()[0] for chunk in split_markdown(text)] == [
        "Intro.", "## What each assignment uses", "## Summary", "> **Discuss.** Why?"]
    assert split_markdown("```\n## not a heading\n```") == ["```\n## not a heading\n```"]


@pytest.mark.parametrize("lesson", lesson_ids())
def test_every_h2_opens_a_slide_and_answer_cells_are_skipped(lesson):
    """The layout of the unexecuted lesson: cheap, so it runs for every lesson in every test run."""
    layout = laid_out(nbformat.read(str(lesson_path(lesson)), as_version=4), lesson)
    for cell in layout.cells:
        kind = cell.metadata["slideshow"]["slide_type"]
        first = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        if cell.cell_type == "markdown" and re.match(r"#{1,2} ", first):
            assert kind == SLIDE, f"{lesson}: '{first}' does not open a slide"
        elif kind == SLIDE:
            pytest.fail(f"{lesson}: a cell that is no H1/H2 heading opens a slide: {first[:60]}")
        if cell.cell_type == "markdown" and re.match(r"\*?\*?Your answer", first):
            assert kind == SKIP
    assert not any("slideshow" in cell.metadata for cell in
                   nbformat.read(str(lesson_path(lesson)), as_version=4).cells), "slide metadata in the lesson file"


def test_the_command_writes_slides_and_names_a_wrong_lesson(tmp_path, capsys):
    target = tmp_path / "talk" / "03.html"
    assert main(["slides", "03", "--no-execute", "--output", str(target)]) == 0
    assert target.is_file() and "Slides:" in capsys.readouterr().out
    assert count_slides(target.read_text()) == len(_headings("03-the-third-pm"))
    assert main(["slides", "99", "--no-execute"]) == 1
    assert "no lesson '99'" in capsys.readouterr().err
