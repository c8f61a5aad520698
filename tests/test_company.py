"""Is Tallyworks, the course's invented company, one consistent company everywhere the course mentions it?

A learner who checks one figure against the data and finds it wrong stops trusting the rest (issue 15). So the
portfolio, data/company.json, data/company_sizes.json and every text of the course (lessons, quizzes, scenarios,
RACI exercises, data sets, assignments) must agree: the same product managers, the size stage that decides which
roles exist (no full-time program manager at about 500 people), the headcount of each year, the portfolio's project
names and dates, and only people the company's files know. Each failure names the file, the place and the words.
"""
from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path
from typing import Iterator

import pandas as pd
import pytest

from course.content.portfolio import load_portfolio
from course.exercises.company_size import load_stages

from .conftest import LESSONS, REPO

COMPANY = json.loads((REPO / "data" / "company.json").read_text(encoding="utf-8"))
NAME = COMPANY["name"]
NEGATION = re.compile(r"\b(?:no|not|never|without|nobody|none|neither|nor|lacks?|lacking|instead of|rather than|"
                      r"isn't|wasn't|doesn't|didn't|hasn't|hadn't|would|could|should|if|whether|hire|hiring|needs?)\b|"
                      r"n't\b", re.I)
POSSESSIVE = r"(?:'s?|’s?)?"
MONTHS = "January February March April May June July August September October November December".split()
DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b|\b(\d{1,2} (?:" + "|".join(MONTHS) + r") \d{4})\b|"
                  r"\b((?:" + "|".join(MONTHS) + r") \d{1,2}, \d{4})\b")
PROJECT_ID = re.compile(r"\bP\d\d\b")
HEADCOUNT = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d+)(?:\s+|-)(?:people|persons?|employees|staff)\b|"
                       r"\bheadcount(?: of| was| is| reached| grew to| of about| of roughly)?\s+(\d{1,3}(?:,\d{3})*)\b",
                       re.I)
APPROXIMATELY = re.compile(r"\b(?:about|around|roughly|some|nearly|almost|approximately)\s+$|~\s*$", re.I)
# Capitalised words that start sentences or name things, never a Tallyworks person's first or last name.
NOT_A_NAME = set("""
A About After All Also An And Any Are As At Be Because Before Both But By Can Check Could Data Did Do Does Each
Either Even Every Example For From General Give Has Have He Her Here His How If In Instead Into Is It Its Just Keep
Later Let Like Look Many May Meanwhile Model Most Much Must New Next No None Nor Not Now Of Off On Once One Only Or
Other Our Over Part Perhaps Put Read Run Say See She Since So Some Such Suppose Take That The Their Them Then There
These They This Those Three Through To Today Two Under Unlike Until Up Use Was We Were What When Where Whether Which
While Who Whose Why Will With Within Without Would Yes Yet You Your Year Years Week Weeks Month Months Day Days Quarter
Product Products Project Projects Program Programs Programme Manager Managers Management Marketing Delivery Lead
Owner Head Chief Executive Sales Team Teams Company Companies Portfolio Scenario Lesson Lessons Assignment Summary
Sources Source Warm Practise Practice Discuss Answer Answers Hint Note Notes Rubric Submission Kernel Cell Cells Restart
Save File Notebook Assignments Tab Monday Tuesday Wednesday Thursday Friday Saturday Sunday Standard Guide Scrum
Institute Professional Harvard Business Review Outcomes Output Web Website Websites Mobile Records Clinic Ledger
Shopfront API Python Jupyter JupyterLab Widget Pandas Series DataFrame True False None United States Federal
Government Washington Defense Department Hospital Studio Agency Startup Game Public Good Bad How To Blog Comment
Comments Reader Readers Author Article Vs Versus Accountable Responsible Consulted Informed Role Roles Level
""".split()) | set(MONTHS)
# People the course cites who are not Tallyworks people (the article's author, commenters, standards' authors).
CITED_PEOPLE = {"Jeff Lash", "Rob Grady", "Michael Sheeley", "Bruce McCarthy", "David Locke", "Steven Haines",
                "Benny Tam", "Martin Barnes", "Marty Cagan", "Theodore Levitt", "Joshua Seiden", "Ken Schwaber",
                "Jeff Sutherland", "Shilpa", "Kathy", "Jamie", "Charlie", "Howie", "Bastiaan", "Ritesh", "MC Salander"}


# ---------------------------------------------------------------------------------------------------------- data

@cache
def portfolio() -> pd.DataFrame:
    return load_portfolio().set_index("project_id")


def tallyworks_people() -> set[str]:
    """Everyone the company's files know: company.json's people and product managers, the portfolio's managers."""
    people = set(COMPANY["people"]) | {product["product_manager"] for product in COMPANY["products"].values()}
    return people | set(portfolio()["product_manager"]) | set(portfolio()["project_manager"])


def project_names() -> dict[str, set[str]]:
    """Each way a text may name a project (its name, or its name without the product's name) -> the project ids."""
    names: dict[str, set[str]] = {}
    for project_id, row in portfolio().iterrows():
        names.setdefault(row["project"].lower(), set()).add(project_id)
        if row["project"].lower().startswith(row["product"].lower() + " "):
            names.setdefault(row["project"][len(row["product"]) + 1:].lower(), set()).add(project_id)
    return names


# ---------------------------------------------------------------------------------------------------------- texts

def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _relative(path: Path) -> str:
    return str(path.relative_to(REPO))


def course_texts() -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of learner-facing text: notebook cells, quiz items, scenarios, RACI exercises,
    graded widgets' pools, data rows."""
    notebooks = list(LESSONS) + sorted((REPO / "solutions").glob("*/*.ipynb"))
    for path in notebooks:
        for number, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"], start=1):
            yield f"{_relative(path)} cell {number}", "".join(cell["source"])
    for path in sorted((REPO / "data" / "quizzes").glob("*.json")):
        quiz = json.loads(path.read_text(encoding="utf-8"))
        for question in quiz.get("questions", []):
            yield f"{_relative(path)} question {question.get('id')}", "\n".join(_strings(question))
    for folder in ("scenarios", "raci", "pools"):
        for path in sorted((REPO / "data" / folder).glob("*.json")):
            yield _relative(path), "\n".join(_strings(json.loads(path.read_text(encoding="utf-8"))))
    for name in ("role_statements.csv", "activities.csv", "feature_requests.csv"):
        with open(REPO / "data" / name, encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=1):
                yield f"data/{name} row {number}", "\n".join(row.values())
    yield "data/company_sizes.json", "\n".join(_strings(json.loads((REPO / "data" / "company_sizes.json").read_text())))


def sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+|\n+", text) if part.strip()]


def about_tallyworks(text: str) -> bool:
    """Does a text speak of the company: by name, through one of its people or one of its projects?"""
    lowered = text.lower()
    return NAME in text or any(person in text for person in tallyworks_people()) or \
        any(row["project"].lower() in lowered for _, row in portfolio().iterrows())


def _date(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


# ---------------------------------------------------------------------------------------------------------- tests

def test_the_portfolio_has_the_companys_products_and_product_managers():
    """Are the portfolio's products and product managers exactly company.json's, and did each manager start in time?"""
    frame = portfolio()
    assert set(frame["product"]) == set(COMPANY["products"]), "portfolio.csv and company.json list other products"
    for product, facts in COMPANY["products"].items():
        projects = frame[frame["product"] == product]
        assert set(projects["product_manager"]) == {facts["product_manager"]}, \
            f"{product}: portfolio.csv names {sorted(set(projects['product_manager']))}, company.json " \
            f"{facts['product_manager']}"
        assert projects["start"].min().year >= facts["since"], f"{product} has a project before its manager's year"


def test_the_companys_size_stage_decides_its_roles():
    """Is company.json's stage in company_sizes.json, with a part-time delivery lead and no full-time program
    manager there, and is every year's headcount nearer that stage than any other?"""
    stages = {stage.size: stage for stage in load_stages()}
    assert COMPANY["size_stage"] in stages, f"company.json's size_stage {COMPANY['size_stage']} is no stage of " \
                                            f"company_sizes.json ({sorted(stages)})"
    stage = stages[COMPANY["size_stage"]]
    holder = stage.holders["program_manager"] or ""
    assert "part-time" in holder and "delivery lead" in holder, \
        f"company_sizes.json, size {stage.size}: the program role is held by {holder!r}, but company.json says a " \
        "part-time delivery lead"
    assert "program manager" not in holder, f"company_sizes.json, size {stage.size}: no program manager at this size"
    assert "part-time" in stage.why and "delivery lead" in stage.why, \
        f"company_sizes.json, size {stage.size}: its why must speak of the part-time delivery lead"
    assert stage.pattern != "specialists", \
        f"company_sizes.json, size {stage.size}: the explorer calls the roles 'specialists', but the program role " \
        "is held part-time by a project manager"
    assert "no full-time program manager" in COMPANY["program_management"]
    for year, headcount in COMPANY["headcount"].items():
        nearest = min(stages, key=lambda size: abs(size - headcount))
        assert nearest == COMPANY["size_stage"], f"{year}: {headcount} people is nearer the {nearest} stage"


def test_the_companys_people_work_on_its_projects():
    """Do the people company.json describes as project managers appear in the portfolio as such?"""
    for person, role in COMPANY["people"].items():
        if "project manager" in role:
            assert person in set(portfolio()["project_manager"]), f"company.json: {person} manages no project"


def headcount_problems(where: str, sentence: str) -> list[str]:
    """A headcount in a sentence about the company that company.json does not give for that year."""
    if NAME not in sentence:
        return []
    counts = set(COMPANY["headcount"].values())
    other_stages = {stage.size for stage in load_stages()} - {COMPANY["size_stage"]}
    years = {year for year in COMPANY["headcount"] if re.search(rf"\b{year}\b", sentence)}
    problems = []
    for match in HEADCOUNT.finditer(sentence):
        number = int((match.group(1) or match.group(2)).replace(",", ""))
        approximate = bool(APPROXIMATELY.search(sentence[:match.start()]))
        if number in other_stages and (NEGATION.search(sentence) or re.search(r"\b(?:unlike|than)\b", sentence, re.I)):
            continue
        if len(years) == 1:
            year = years.pop()
            right = number == COMPANY["headcount"][year] or (approximate and number == COMPANY["size_stage"])
            expected = f"{COMPANY['headcount'][year]} in {year}"
        else:
            right = number in counts or (approximate and number == COMPANY["size_stage"])
            expected = f"one of {sorted(counts)}, or about {COMPANY['size_stage']}"
        if not right:
            problems.append(f"{where}: {number} people, but company.json gives {expected}: {sentence!r}")
    return problems


def test_no_text_gives_the_company_another_headcount():
    """Does every headcount the course gives Tallyworks agree with company.json (that year's figure if it names one)?"""
    problems = [problem for where, text in course_texts() for sentence in sentences(text)
                for problem in headcount_problems(where, sentence)]
    assert not problems, "\n".join(problems)


def program_manager_problems(where: str, sentence: str) -> list[str]:
    """Words that give Tallyworks, or one of its people, a program manager's job (it has none)."""
    if "program manager" not in sentence.lower() or NEGATION.search(sentence) or sentence.endswith("?"):
        return []
    people = "|".join(re.escape(person) for person in sorted(tallyworks_people()))
    patterns = [
        rf"\b{NAME}{POSSESSIVE}\s+(?:[\w-]+\s+){{0,2}}program managers?\b",
        rf"\bprogram managers?\s+(?:at|of|for|in)\s+{NAME}\b",
        rf"\b{NAME}\s+(?:has|had|employs|employed|hired)\s+(?:a|an|one|two|three|its|several|\d+)\s+"
        rf"(?:[\w-]+\s+)?program managers?\b",
        rf"\b(?:{people}),?\s+(?:a|the|its|{NAME}{POSSESSIVE})\s+(?:[\w-]+\s+)?program manager\b",
        rf"\b(?:{people})\s+(?:is|was|became|acts as|acted as|served as|works as|worked as)\s+(?:a|the|its|"
        rf"{NAME}{POSSESSIVE})\s+(?:[\w-]+\s+)?program manager\b",
    ]
    return [f"{where}: gives {NAME} a program manager (company.json: none, only a part-time delivery lead): "
            f"{sentence!r}" for pattern in patterns if re.search(pattern, sentence, re.I)][:1]


def test_no_text_gives_the_company_a_program_manager():
    """Does no text say Tallyworks has a program manager (it has a part-time delivery lead, company.json)?"""
    problems = [problem for where, text in course_texts() for sentence in sentences(text)
                for problem in program_manager_problems(where, sentence)]
    assert not problems, "\n".join(problems)


def project_problems(where: str, sentence: str) -> list[str]:
    """A project id given with another project's name, a date that is not its start, deadline or end, or a manager
    said to have run it who did not."""
    ids = [(match.start(), match.group()) for match in PROJECT_ID.finditer(sentence)]
    if not ids:
        return []
    frame = portfolio()
    problems = []
    lowered = sentence.lower()
    for _, project_id in ids:
        if project_id not in frame.index and about_tallyworks(sentence):
            problems.append(f"{where}: {project_id} is no project of data/portfolio.csv: {sentence!r}")
    for name, owners in project_names().items():
        escaped = re.escape(name)
        for match in re.finditer(rf"{escaped}\s*(?:\(|\||—|–)?\s*(P\d\d)\b|\b(P\d\d)\s*(?:\(|\||:|—|–)?\s*(?:the\s+)?"
                                 rf"{escaped}\b", lowered, re.I):
            project_id = (match.group(1) or match.group(2)).upper()
            longer = [other for other in project_names() if len(other) > len(name) and name in other and
                      other in lowered[max(0, match.start() - len(other)):match.end() + len(other)]]
            if project_id in frame.index and project_id not in owners and not longer:
                problems.append(f"{where}: {project_id} is {frame.at[project_id, 'project']!r} in data/portfolio.csv,"
                                f" not {name!r}: {sentence!r}")
    for match in DATE.finditer(sentence):
        before = [project_id for start, project_id in ids if start < match.start()]
        if not before or before[-1] not in frame.index:
            continue
        project_id = before[-1]
        row = frame.loc[project_id]
        if _date(match.group()) not in {row["start"], row["deadline"], row["end"]}:
            problems.append(f"{where}: {match.group()} is not a date of {project_id} ({row['project']}: start "
                            f"{row['start']:%Y-%m-%d}, deadline {row['deadline']:%Y-%m-%d}, end {row['end']:%Y-%m-%d})"
                            f": {sentence!r}")
    for person in tallyworks_people():
        for match in re.finditer(rf"\b{re.escape(person)}\s+(?:managed|ran|led)\b([^.;]*)", sentence):
            for project_id in PROJECT_ID.findall(match.group(1)):
                if project_id in frame.index and person not in {frame.at[project_id, "project_manager"],
                                                                frame.at[project_id, "product_manager"]}:
                    problems.append(f"{where}: {person} did not manage {project_id} (data/portfolio.csv: "
                                    f"{frame.at[project_id, 'project_manager']}): {sentence!r}")
    return problems


def test_every_project_named_by_its_id_agrees_with_the_portfolio():
    """Does every P01-P28 given with a name, a date or a manager agree with data/portfolio.csv?"""
    problems = [problem for where, text in course_texts() for sentence in sentences(text)
                for problem in project_problems(where, sentence)]
    assert not problems, "\n".join(problems)


def unknown_people(where: str, text: str) -> list[str]:
    """Full names in a text about Tallyworks that neither the company's files nor the course's sources know."""
    if not about_tallyworks(text):
        return []
    known = tallyworks_people() | CITED_PEOPLE
    known_parts = {part for person in known for part in person.split()}
    found = []
    for match in re.finditer(r"\b([A-Z][a-z]+) ([A-Z][a-z]+)\b", text):
        first, last = match.groups()
        if match.group() in known or {first, last} & (NOT_A_NAME | known_parts):
            continue
        found.append(f"{where}: {match.group()!r} is no person of data/company.json or data/portfolio.csv")
    return found


def test_every_tallyworks_person_is_in_the_companys_files():
    """Is everyone named in a text about Tallyworks a person of company.json or the portfolio (or a cited author)?"""
    problems = sorted({problem for where, text in course_texts() for problem in unknown_people(where, text)})
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("sentence, trouble", [
    (f"In 2021 {NAME} had 500 people.", True),
    (f"Unlike a 5,000-person firm, {NAME} has one product marketing manager.", False),
    (f"In 2022 {NAME} had about 500 people.", False),
    (f"By 2023 {NAME} employed 530 people.", False),
    (f"{NAME} grew to 600 employees.", True),
])
def test_headcount_check_catches_a_wrong_year(sentence, trouble):
    assert bool(headcount_problems("example", sentence)) is trouble


@pytest.mark.parametrize("sentence, trouble", [
    (f"{NAME}'s program manager re-planned the records projects.", True),
    ("Lena Fischer, the program manager, re-planned them.", True),
    (f"{NAME} has no full-time program manager.", False),
    ("Lena Fischer is the part-time delivery lead.", False),
    (f"Should {NAME} hire a program manager?", False),
])
def test_program_manager_check_reads_negations(sentence, trouble):
    assert bool(program_manager_problems("example", sentence)) is trouble


@pytest.mark.parametrize("sentence, trouble", [
    ("Sofia Rossi managed both single sign-on projects, P10 and P11.", False),
    ("Maya Chen managed P10.", True),
    ("The marketplace (P28) ran from 2023-01-09 to 2023-12-15 against a 2023-09-29 deadline.", False),
    ("The marketplace (P28) ended on 2023-10-15.", True),
    ("Mobile single sign-on (P11) waited on Single sign-on (P10).", False),
    ("Offline sync (P08) slipped.", True),
    ("P29 was cancelled at Tallyworks.", True),
])
def test_project_check_reads_names_dates_and_managers(sentence, trouble):
    assert bool(project_problems("example", sentence)) is trouble


def test_people_check_flags_an_invented_colleague():
    assert unknown_people("example", f"At {NAME}, Carla Diaz approved the budget.")
    assert not unknown_people("example", f"At {NAME}, Helen Ward asked Jeff Lash's question again.")
