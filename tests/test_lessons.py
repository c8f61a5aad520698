"""Do the lessons follow the course's anatomy, teach every case, and link only to real sections?"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from course.content.cases import load_cases
from course.content.sections import SectionLink
from course.exercises.quiz import load_quiz

from .conftest import LESSONS, REPO

NUMBERED = [path for path in LESSONS if re.match(r"0[1-8]-", path.name)]
QUIZZES = sorted((REPO / "data" / "quizzes").glob("*.json"))


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def headings(path: Path) -> list[str]:
    found = []
    for cell in cells(path):
        if cell["cell_type"] == "markdown":
            found += [match.group(1).strip() for match in re.finditer(r"^#{1,6}\s+(.+)$", source(cell), re.M)]
    return found


def shown_case_ids(path: Path) -> set[str]:
    ids: set[str] = set()
    for cell in cells(path):
        if cell["cell_type"] == "code":
            for call in re.findall(r"show_cases\(([^)]*)\)", source(cell)):
                ids |= set(re.findall(r"\"([^\"]+)\"", call))
    return ids


def test_there_are_eight_lessons_after_start_here():
    """Does the course have lessons 01 to 08 plus the start page and the glossary?"""
    assert [path.name[:2] for path in NUMBERED] == [f"{n:02d}" for n in range(1, 9)]
    assert (REPO / "course" / "lessons" / "00-start-here.ipynb").is_file()
    assert (REPO / "course" / "lessons" / "09-glossary.ipynb").is_file()


@pytest.mark.parametrize("path", NUMBERED, ids=lambda path: path.name)
def test_lesson_anatomy(path):
    """Does the lesson open with an H1 and 2-4 objectives, warm up from earlier lessons, practise, sum up and cite?"""
    first = source(cells(path)[0])
    assert first.startswith("# "), "a lesson opens with its H1 title"
    names = headings(path)
    for section in ("What you will be able to do", "Warm-up", "Check yourself", "Summary", "Sources"):
        assert section in names, f"missing section {section}"
    objectives = next(source(c) for c in cells(path) if source(c).startswith("## What you will be able to do"))
    assert 2 <= len(re.findall(r"^\d+\. \*\*\w+\*\*", objectives, re.M)) <= 4, "2 to 4 objectives, each a bold verb"
    code = "\n".join(source(c) for c in cells(path) if c["cell_type"] == "code")
    assert f'QuizWidget("{path.stem}-warmup")' in code and f'QuizWidget("{path.stem}")' in code
    sources = next(source(c) for c in cells(path) if source(c).startswith("## Sources"))
    assert "Lash" in sources


def test_every_case_is_taught_by_its_lesson():
    """Does each case in the library appear (through show_cases) in the lesson the library names for it?"""
    cases = load_cases()
    lessons = {path.stem: path for path in LESSONS}
    for case_id, lesson in cases["lesson"].items():
        assert lesson in lessons, f"case {case_id} names lesson {lesson}, which does not exist"
        assert case_id in shown_case_ids(lessons[lesson]), f"lesson {lesson} does not show case {case_id}"
        assert cases.at[case_id, "section"] in headings(lessons[lesson]), f"{case_id}: no such section in {lesson}"


def test_lessons_name_only_existing_cases():
    """Does every case id a lesson shows exist in the case library?"""
    known = set(load_cases().index)
    for path in LESSONS:
        assert shown_case_ids(path) <= known, f"{path.name} names unknown cases {shown_case_ids(path) - known}"


@pytest.mark.parametrize("path", QUIZZES, ids=lambda path: path.name)
def test_every_feedback_link_resolves_to_a_real_heading(path):
    """Does every quiz question's 'review this section' link point to a heading that exists in that lesson?"""
    quiz = load_quiz(path)
    for question in quiz.questions:
        assert question.see is not None, f"{question.id} has no section to review"
        lesson = REPO / "course" / "lessons" / f"{question.see.lesson}.ipynb"
        assert lesson.is_file(), f"{question.id} links to missing lesson {question.see.lesson}"
        assert question.see.section in headings(lesson), f"{question.id}: no heading '{question.see.section}'"
        assert question.see.href(REPO / "course" / "lessons") == f"{lesson.name}#{question.see.anchor}"


def test_every_lesson_quiz_exists_and_warmups_look_back():
    """Does each lesson's quiz file exist, and does its warm-up only ask about earlier lessons?"""
    for path in NUMBERED:
        load_quiz(path.stem)
        for question in load_quiz(f"{path.stem}-warmup").questions:
            assert question.see.lesson < path.stem, f"{path.stem} warm-up asks about a later lesson"


def test_links_between_notebooks_resolve():
    """Does every Markdown link from one notebook to another reach an existing file and heading?"""
    for path in LESSONS:
        for cell in cells(path):
            for target, anchor in re.findall(r"\]\(([\w.-]+\.ipynb)(?:#([^)]+))?\)", source(cell)):
                linked = path.parent / target
                assert linked.is_file(), f"{path.name} links to missing {target}"
                if anchor:
                    assert anchor in [SectionLink("", h).anchor for h in headings(linked)]


def test_glossary_loads_and_points_to_real_lessons():
    """Does every glossary term load, with a definition, and name a lesson that exists?"""
    from course.content.glossary import load_glossary

    glossary = load_glossary()
    assert len(glossary) >= 15 and glossary.index.is_unique
    lessons = {path.stem for path in LESSONS}
    assert set(glossary["lesson"]) <= lessons
