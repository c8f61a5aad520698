"""Is the whole discussion covered: every response of the article taught or excluded with a reason, every case
exercised, the closing principles the course relies on exercised, every glossary term taught where it says?

The course's authority rests on being faithful to one article and its 28 responses (issue 15). These tests fail
with the names of what is missing, so an author can see at once which response, case, principle or term to fix.
"""
from __future__ import annotations

import csv
import json
import os
import re
from datetime import datetime
from pathlib import Path

import pytest

from course.content.cases import load_cases, load_responses
from course.content.glossary import load_glossary

from .conftest import LESSONS, REPO

SEED = Path(os.environ.get("PM_COURSE_SEED", REPO.parent / "shared" / "seed" / "product-vs-project-management.txt"))
RESPONSE_LINE = re.compile(r"^(?P<author>.+?) // (?P<when>[A-Z][a-z]{2} \d{1,2}, \d{4} at \d{1,2}:\d{2} [ap]m)$")
LETTER_SPACED = re.compile(r"\b(?:[A-Za-z] ){2,}[A-Za-z]\b")

# The 28 responses as the thread shows them (author, date, time), in thread order. Kept here so that the test runs
# in CI, which clones only the project and not the seed file; test_the_thread_fixture_matches_the_seed keeps it true.
# One author is a blog whose name the page spells letter by letter ("D e j a m e S e r"); it is written with its
# letters joined, here and in data/responses.csv, because spelled out it makes a 14-word run of the article's page,
# which the course's paraphrase check (no run of 10 words copied) forbids.
THREAD = [
    ("links for 2007-09-24 « DejameSer", "2007-09-24", "09:20"),
    ("Michael Sheeley", "2007-09-24", "19:17"),
    ("Charlie", "2007-09-24", "23:27"),
    ("Bastiaan", "2007-09-25", "11:31"),
    ("Jeff Lash", "2007-09-25", "11:57"),
    ("Howie", "2007-09-25", "20:06"),
    ("Michael Sheeley", "2007-09-26", "12:07"),
    ("Jamie", "2007-09-27", "12:20"),
    ("产品经理 vs 项目经理 -- Xilin: My Blog", "2007-09-28", "12:55"),
    ("Bruce McCarthy", "2007-09-29", "18:06"),
    ("Steven Haines", "2007-12-02", "22:36"),
    ("Shilpa", "2007-12-03", "06:01"),
    ("Bruce McCarthy", "2007-12-03", "07:55"),
    ("Shilpa", "2007-12-05", "02:49"),
    ("Benny Tam", "2008-01-10", "16:55"),
    ("Kathy", "2008-03-09", "10:17"),
    ("Jeff Lash", "2008-03-09", "15:25"),
    ("Bruce McCarthy", "2008-03-10", "08:22"),
    ("Kathy", "2008-03-13", "07:41"),
    ("ibrahim ahmed", "2008-05-06", "01:25"),
    ("pooja", "2008-05-29", "23:39"),
    ("pooja", "2008-05-29", "23:39"),
    ("pooja", "2008-05-29", "23:44"),
    ("johny", "2008-06-16", "02:23"),
    ("David Locke", "2008-06-16", "13:26"),
    ("MC Salander", "2008-06-17", "13:17"),
    ("Ritesh", "2008-06-22", "23:45"),
    ("Jeff Lash", "2008-06-24", "21:22"),
]
# Responses the issue says must be left out, each for its own reason (response number: words the reason must use).
EXCLUDED_FOR = {1: "pingback", 9: "pingback", 11: "links", 15: "vendor", 19: "thank", 22: "thank"}
REQUIRED_PRINCIPLES = {1, 2, 3, 7, 8}
SLUG_IN_QUOTES = re.compile(r"[`\"']([a-z0-9]+(?:-[a-z0-9]+)+)[`\"']")


def parse_thread(text: str) -> list[tuple[str, str, str]]:
    """The (author, ISO date, 24-hour time) of every response line ``Name // Mon D, YYYY at h:mm am``."""
    found = []
    for line in text.splitlines():
        match = RESPONSE_LINE.match(line.strip())
        if match:
            when = datetime.strptime(match["when"], "%b %d, %Y at %I:%M %p")
            author = LETTER_SPACED.sub(lambda spaced: spaced.group().replace(" ", ""), match["author"])
            found.append((author, f"{when:%Y-%m-%d}", f"{when:%H:%M}"))
    return found


def test_parse_thread_reads_the_thread_format():
    """Does the parser read a response line (12-hour clock, one-digit day, a name spelled letter by letter) and
    ignore other lines?"""
    text = "Posted on September 24, 2007 by Jeff Lash\nHowie // Sep 5, 2007 at 8:06 pm\nA comment // not a date\n" \
           "Shilpa // Dec 3, 2007 at 12:01 am\nlinks « B l o g // Sep 24, 2007 at 9:20 am"
    assert parse_thread(text) == [("Howie", "2007-09-05", "20:06"), ("Shilpa", "2007-12-03", "00:01"),
                                  ("links « Blog", "2007-09-24", "09:20")]


def test_the_thread_fixture_matches_the_seed():
    """Are the 28 responses kept in this test exactly those of the article's page (when the seed file is here)?"""
    if not SEED.is_file():
        pytest.skip(f"the seed article {SEED} is not in this checkout (CI clones only the project); "
                    "the fixture THREAD stands in for it")
    assert parse_thread(SEED.read_text(encoding="utf-8")) == THREAD


def test_the_record_lists_every_response_in_thread_order():
    """Does data/responses.csv hold exactly the article's 28 responses, authors as the thread shows them, in order?"""
    responses = load_responses()
    recorded = [(row.author, f"{row.date:%Y-%m-%d}", row.time) for row in responses.itertuples()]
    missing = [response for response in THREAD if response not in recorded]
    extra = [response for response in recorded if response not in THREAD]
    assert not missing and not extra, f"data/responses.csv lacks {missing} and has unknown {extra}"
    assert recorded == THREAD, "data/responses.csv must list the responses in thread order"
    assert list(responses.index) == list(range(1, len(THREAD) + 1))


def test_every_response_feeds_existing_cases_or_is_excluded_with_a_reason():
    """Is each response covered by cases that exist in data/cases.csv, or excluded with a reason of its own?"""
    responses = load_responses()
    known = set(load_cases().index)
    unknown = {number: sorted(set(row.case_ids) - known) for number, row in responses.iterrows()
               if set(row.case_ids) - known}
    assert not unknown, "data/responses.csv names cases that data/cases.csv lacks: " + "; ".join(
        f"response {number} ({responses.at[number, 'author']}): {', '.join(ids)}" for number, ids in unknown.items())
    for number, word in EXCLUDED_FOR.items():
        reason = responses.at[number, "excluded"]
        assert word in reason.lower(), f"response {number} ({responses.at[number, 'author']}) must be excluded " \
                                       f"as {word!r}, not {reason!r}"
    for number, row in responses.iterrows():
        if row.excluded:
            assert len(row.excluded.split()) >= 5, f"response {number}: say why it is excluded, in a sentence"


def test_every_comment_case_comes_from_a_response_of_its_author_and_date():
    """Does each case drawn from a comment name a response, by the case's author on the case's date, that feeds it?"""
    responses = load_responses()
    cases = load_cases()
    unfed = []
    for case_id, case in cases[cases["source_kind"] == "comment"].iterrows():
        feeding = responses[responses["case_ids"].map(lambda ids, case_id=case_id: case_id in ids)]
        if not ((feeding["author"] == case["source_author"]) & (feeding["date"] == case["source_date"])).any():
            unfed.append(f"{case_id} ({case['source_author']}, {case['source_date']:%Y-%m-%d})")
    assert not unfed, "no response in data/responses.csv of the same author and date feeds: " + ", ".join(unfed)


def _walk(value, key: str):
    """Every value stored under ``key`` anywhere in a JSON document."""
    if isinstance(value, dict):
        for name, inner in value.items():
            if name == key:
                yield inner
            yield from _walk(inner, key)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner, key)


def _json_files() -> list[Path]:
    return sorted((REPO / "data" / "quizzes").glob("*.json")) + sorted((REPO / "data" / "scenarios").glob("*.json"))


def _notebook_text(path: Path) -> str:
    return "\n".join("".join(cell["source"]) for cell in json.loads(path.read_text(encoding="utf-8"))["cells"])


def exercised_cases() -> dict[str, set[str]]:
    """Where each case id is exercised: quiz items and scenarios (``cases``), role statements, assignments."""
    places: dict[str, set[str]] = {}
    for path in _json_files():
        for ids in _walk(json.loads(path.read_text(encoding="utf-8")), "cases"):
            for case_id in ids if isinstance(ids, list) else []:
                places.setdefault(case_id, set()).add(str(path.relative_to(REPO)))
    with open(REPO / "data" / "role_statements.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            places.setdefault(row["case_id"], set()).add("data/role_statements.csv")
    for path in sorted((REPO / "solutions").glob("*/*.ipynb")):
        for case_id in SLUG_IN_QUOTES.findall(_notebook_text(path)):
            places.setdefault(case_id, set()).add(str(path.relative_to(REPO)))
    return places


def test_every_case_is_exercised_somewhere():
    """Is every case of data/cases.csv practised: in a quiz item's or scenario's cases, a role statement or an
    assignment that names it?"""
    places = exercised_cases()
    idle = [case_id for case_id in load_cases().index if case_id not in places]
    assert not idle, f"{len(idle)} case(s) exercised nowhere (add them to the `cases` of a quiz item or scenario, " \
                     f"a role statement or an assignment): {', '.join(idle)}"


def test_quizzes_and_scenarios_name_only_existing_cases():
    """Does every case id a quiz item or a scenario is tagged with exist in data/cases.csv?"""
    known = set(load_cases().index)
    wrong = []
    for path in _json_files():
        for ids in _walk(json.loads(path.read_text(encoding="utf-8")), "cases"):
            wrong += [f"{path.relative_to(REPO)}: {case_id}" for case_id in (ids if isinstance(ids, list) else [ids])
                      if case_id not in known]
    assert not wrong, "unknown case ids: " + "; ".join(sorted(set(wrong)))


def test_the_closing_principles_the_course_relies_on_are_exercised():
    """Are the article's closing principles 1, 2, 3, 7 and 8 each exercised by a quiz item or a scenario?"""
    exercised: dict[int, list[str]] = {}
    for path in _json_files():
        for numbers in _walk(json.loads(path.read_text(encoding="utf-8")), "principles"):
            for number in numbers if isinstance(numbers, list) else [numbers]:
                assert isinstance(number, int) and 1 <= number <= 9, f"{path.name}: principle {number!r} is not 1-9"
                exercised.setdefault(number, []).append(path.name)
    missing = sorted(REQUIRED_PRINCIPLES - set(exercised))
    assert not missing, f"closing principle(s) {missing} carried by no quiz item or scenario (`principles` field)"


def _term_as_taught(term: str) -> str:
    """The words a lesson must use for a term: without a qualifier in brackets, e.g. 'Program Manager (job title)'."""
    return re.sub(r"\s*\([^)]*\)", "", term).strip().lower()


def test_every_glossary_term_is_taught_in_the_lesson_it_names():
    """Does each glossary term appear (case-insensitively) in the text of the lesson the glossary says teaches it?"""
    lessons = {path.stem: _notebook_text(path).lower() for path in LESSONS}
    untaught = [f"{term} ({lesson})" for term, lesson in load_glossary()["lesson"].items()
                if lesson in lessons and _term_as_taught(term) not in lessons[lesson]]
    assert not untaught, "glossary terms absent from the lesson named for them: " + "; ".join(untaught)


def test_every_glossary_entry_names_its_source():
    """Does every glossary entry cite a source, and do PMI's and the course's senses of 'product' both appear?"""
    glossary = load_glossary()
    for term, source in glossary["source"].items():
        assert len(source.split()) >= 3, f"glossary term {term!r}: give the source in full, not {source!r}"
    product = glossary.loc["product"]
    assert "PMI" in product["definition"] and "PMI" in product["source"], "give PMI's definition of product, cited"
    assert "course" in product["definition"].lower(), "say which definition of product is the course's own"
    triple = glossary.loc["triple constraint"]
    assert re.search(r"scope, time and cost", triple["definition"]), "the triple constraint is scope, time and cost"
    assert "Barnes" in triple["definition"] and "quality" in triple["definition"], \
        "Barnes's 1969 triangle (time, cost, quality) is named as such"
