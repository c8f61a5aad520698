"""Is the item bank written to the rules of good multiple-choice items (issue 14, "How it is checked")?

Every quiz in ``data/quizzes/`` is linted as a whole: option counts, a catalogued misconception behind every
wrong option, explanations that give a reason, levels and hints, enough items at the right levels per lesson,
warm-ups that look back over several lessons, a cumulative final check, balanced key positions, a key that is
not given away by its length, and case ids that exist. Each test checks one rule over the whole bank and lists
every breach as ``<file>, item <id>: <rule>: <detail>``, so an author sees at once what to fix and where.
The rules are those of ``/work/shared/reference/assessment-design.md`` and the common brief's quiz schema v2.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

import pytest

from course.content.cases import load_cases
from course.content.misconceptions import load_misconceptions
from course.errors import DataFileError
from course.exercises.quiz import MULTIPLE, SINGLE, Question, Quiz, load_quiz

from .conftest import REPO

QUIZ_FILES = sorted((REPO / "data" / "quizzes").glob("*.json"))
LESSON_DIR = REPO / "course" / "lessons"
NUMBERED_LESSONS = sorted(path.stem for path in LESSON_DIR.glob("0[1-8]-*.ipynb"))
APPLY_OR_ABOVE = {"apply", "analyze", "evaluate"}
ANALYZE_OR_EVALUATE = {"analyze", "evaluate"}
MIN_EXPLANATION_WORDS = 12
MAX_KEY_SHARE = 0.35
MAX_KEY_LONGEST_SHARE = 1 / 3
GIVEAWAYS = ("all of the above", "none of the above", "both of the above")


Bank = dict[str, Quiz]


@dataclass(frozen=True)
class Item:
    file: str
    quiz: Quiz
    question: Question

    def where(self, rule: str) -> str:
        return f"{self.file}, item {self.question.id}: {rule}"


def _load_bank() -> tuple[dict[str, Quiz], list[str]]:
    loaded, broken = {}, []
    for path in QUIZ_FILES:
        try:
            loaded[path.name] = load_quiz(path)
        except DataFileError as error:
            broken.append(str(error))
    return loaded, broken


BANK, BROKEN = _load_bank()


def items_of(bank: Bank) -> list[Item]:
    return [Item(name, quiz, question) for name, quiz in bank.items() for question in quiz.questions]


def h2_headings(lesson: str) -> list[str] | None:
    """The H2 headings of a lesson notebook, or None when the lesson does not exist."""
    path = LESSON_DIR / f"{lesson}.ipynb"
    if not path.is_file():
        return None
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [match.group(1).strip() for cell in cells if cell["cell_type"] == "markdown"
            for match in re.finditer(r"^##\s+(.+?)\s*$", "".join(cell["source"]), re.M)]


def words(text: str) -> list[str]:
    """The words of ``text``, lower case, a possessive's "'s" dropped (so "manager's" is "manager")."""
    return re.findall(r"[\w'-]+", re.sub(r"['’]s\b", "", text.lower().replace("’", "'")))


def normalised(text: str) -> str:
    return " ".join(words(text))


def is_restatement(explanation: str, option_text: str) -> bool:
    """True when an explanation says little beyond the option itself: a near-copy, or a few words added to it."""
    if SequenceMatcher(None, normalised(explanation), normalised(option_text)).ratio() >= 0.75:
        return True
    added = set(words(explanation)) - set(words(option_text))
    return len(added) < 6


def quotes(text: str, quoted: str, at_least_words: int = 3) -> bool:
    """Whether ``text`` contains the whole of ``quoted`` (of at least a few words), ignoring case and punctuation."""
    return len(words(quoted)) >= at_least_words and f" {normalised(quoted)} " in f" {normalised(text)} "


def purpose_lesson(name: str) -> str:
    """The lesson a quiz file belongs to, from its name: ``05-who-decides-what-warmup.json`` -> ``05-who-...``."""
    stem = Path(name).stem
    return re.sub(r"-(warmup|diagnostic|final)$", "", stem)


def report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n" + "\n".join(problems)


def purpose_missing(bank: Bank) -> list[str]:
    return [f"{name}: purpose: missing (diagnostic, warm-up, check or final)"
            for name, quiz in bank.items() if quiz.purpose is None]


def option_count_and_giveaways(bank: Bank) -> list[str]:
    problems = []
    for item in items_of(bank):
        count = len(item.question.options)
        if not 3 <= count <= 5:
            problems.append(item.where(f"3 to 5 options: has {count}"))
        for option in item.question.options:
            if any(giveaway in option.text.lower() for giveaway in GIVEAWAYS):
                problems.append(item.where(f"no giveaway options: option {option.key} reads “{option.text}”"))
    return problems


def misconception_tags(bank: Bank) -> list[str]:
    catalogue = load_misconceptions()
    problems = []
    for item in items_of(bank):
        for option in item.question.options:
            if option.correct and option.misconception:
                problems.append(item.where(f"misconception only on wrong options: right option {option.key} "
                                           f"carries {option.misconception}"))
            elif option.correct is False and not option.misconception:
                problems.append(item.where(f"misconception on every wrong option: option {option.key} has none"))
            elif option.correct is False and option.misconception not in catalogue:
                problems.append(item.where(f"misconception in the catalogue: option {option.key} names "
                                           f"'{option.misconception}', not in data/misconceptions.csv"))
    return problems


def explanation_reasons(bank: Bank) -> list[str]:
    problems = []
    for item in items_of(bank):
        for option in item.question.options:
            count = len(words(option.explanation))
            if count < MIN_EXPLANATION_WORDS:
                problems.append(item.where(f"explanation of {MIN_EXPLANATION_WORDS}+ words: option {option.key} "
                                           f"has {count} (“{option.explanation}”)"))
            elif is_restatement(option.explanation, option.text):
                problems.append(item.where(f"explanation is not a restatement: option {option.key}'s explanation "
                                           "mostly repeats the option's text"))
    return problems


def key_shown_at_first_miss(bank: Bank) -> list[str]:
    problems = []
    for item in items_of(bank):
        for key in (option for option in item.question.options if option.correct):
            for option in item.question.options:
                if not option.correct and quotes(option.explanation, key.text):
                    problems.append(item.where(f"wrong explanation never quotes the key: option {option.key} "
                                               f"quotes “{key.text}”"))
            if item.question.hint and quotes(item.question.hint, key.text):
                problems.append(item.where(f"hint never gives the answer: it quotes “{key.text}”"))
    return problems


def level_hint_and_section(bank: Bank) -> list[str]:
    problems = []
    for item in items_of(bank):
        question = item.question
        if question.level is None:
            problems.append(item.where("level: missing (remember, understand, apply, analyze, evaluate)"))
        if not question.hint:
            problems.append(item.where("hint: missing"))
        if question.see is None:
            problems.append(item.where("see: missing"))
            continue
        headings = h2_headings(question.see.lesson)
        if headings is None:
            problems.append(item.where(f"see names an existing lesson: no lesson {question.see.lesson}"))
        elif question.see.section not in headings:
            problems.append(item.where(f"see names an H2 section: “{question.see.section}” is not an H2 heading of "
                                       f"{question.see.lesson}"))
    return problems


def unknown_cases(bank: Bank) -> list[str]:
    known = set(load_cases().index)
    return [item.where(f"cases exist in data/cases.csv: unknown case '{case}'")
            for item in items_of(bank) for case in item.question.cases if case not in known]


def per_lesson(bank: Bank, suffix: str, what: str) -> tuple[list[tuple[str, str, Quiz]], list[str]]:
    """Each numbered lesson's quiz file ``<lesson><suffix>.json`` (lesson, file name, quiz), and a problem for each
    lesson without one."""
    found, problems = [], []
    for lesson in NUMBERED_LESSONS:
        name = f"{lesson}{suffix}.json"
        quiz = bank.get(name)
        if quiz is None:
            problems.append(f"{name}: {what} per lesson: missing")
        else:
            found.append((lesson, name, quiz))
    return found, problems


def lesson_checks(bank: Bank) -> list[str]:
    found, problems = per_lesson(bank, "", "a check")
    for _lesson, name, quiz in found:
        if quiz.purpose == "final":
            continue  # lesson 08's check may be the cumulative final, judged by its own rule
        levels = [question.level for question in quiz.questions]
        if quiz.purpose != "check":
            problems.append(f"{name}: purpose: a lesson's check has purpose 'check', not {quiz.purpose!r}")
        if len(levels) < 6:
            problems.append(f"{name}: at least 6 items per lesson check: has {len(levels)}")
        applied = sum(level in APPLY_OR_ABOVE for level in levels)
        if applied * 2 < len(levels):
            problems.append(f"{name}: at least half at apply or above: {applied} of {len(levels)}")
        analysed = sum(level in ANALYZE_OR_EVALUATE for level in levels)
        if analysed < 2:
            problems.append(f"{name}: at least 2 items at analyze or evaluate: has {analysed}")
    return problems


def level_shares(bank: Bank) -> list[str]:
    levels = [item.question.level for item in items_of(bank) if item.quiz.purpose in ("check", "warm-up")]
    if not levels:
        return ["data/quizzes: lesson items: none with purpose check or warm-up"]
    applied = sum(level in APPLY_OR_ABOVE for level in levels) / len(levels)
    analysed = sum(level in ANALYZE_OR_EVALUATE for level in levels) / len(levels)
    problems = []
    if applied < 0.40:
        problems.append(f"data/quizzes: 40% of lesson items at apply or above: {applied:.0%} of {len(levels)}")
    if analysed < 0.20:
        problems.append(f"data/quizzes: 20% of lesson items at analyze or evaluate: {analysed:.0%} of {len(levels)}")
    return problems


def warm_ups(bank: Bank) -> list[str]:
    found, problems = per_lesson(bank, "-warmup", "a warm-up")
    for lesson, name, quiz in found:
        if quiz.purpose != "warm-up":
            problems.append(f"{name}: purpose: a warm-up has purpose 'warm-up', not {quiz.purpose!r}")
        if len(quiz.questions) != 3:
            problems.append(f"{name}: exactly 3 warm-up items: has {len(quiz.questions)}")
        sources = set()
        for question in quiz.questions:
            source = question.see.lesson if question.see else None
            if source is None or source >= lesson:
                problems.append(f"{name}, item {question.id}: only earlier lessons: it reviews {source}")
            else:
                sources.add(source)
        if lesson >= "03" and len(sources) < 2:
            problems.append(f"{name}: interleaved, at least 2 earlier lessons: draws only on {sorted(sources)}")
    return problems


def warm_ups_fresh(bank: Bank) -> list[str]:
    items = items_of(bank)
    checks = [item for item in items if item.quiz.purpose in ("check", "final")]
    problems = []
    for item in (item for item in items if item.quiz.purpose == "warm-up"):
        for other in checks:
            if SequenceMatcher(None, normalised(item.question.prompt), normalised(other.question.prompt)).ratio() > .85:
                problems.append(item.where(f"written fresh: its prompt nearly repeats {other.file}, item "
                                           f"{other.question.id}"))
    return problems


def final_check(bank: Bank) -> list[str]:
    finals = {name: quiz for name, quiz in bank.items() if quiz.purpose == "final"}
    if not finals:
        return ["data/quizzes: a final check (purpose 'final'): none"]
    problems = []
    for name, quiz in finals.items():
        if len(quiz.questions) < 20:
            problems.append(f"{name}: at least 20 final items: has {len(quiz.questions)}")
        covered = {question.see.lesson for question in quiz.questions if question.see}
        missing = [lesson for lesson in NUMBERED_LESSONS if lesson not in covered]
        if missing:
            problems.append(f"{name}: covers lessons 01-08: nothing on {', '.join(missing)}")
    return problems


def key_position(question: Question) -> int | None:
    """The 1-based stored position of a single-choice item's key."""
    if question.kind != SINGLE:
        return None
    return next(number for number, option in enumerate(question.options, start=1) if option.correct)


def key_positions(bank: Bank) -> list[str]:
    positions = Counter(key_position(item.question) for item in items_of(bank) if item.question.kind == SINGLE)
    total = sum(positions.values())
    problems = [f"data/quizzes: no key position over {MAX_KEY_SHARE:.0%}: position {position} holds {count} of "
                f"{total} keys ({count / total:.0%})"
                for position, count in sorted(positions.items()) if count > MAX_KEY_SHARE * total]
    for name, quiz in bank.items():
        singles = [question for question in quiz.questions if question.kind == SINGLE]
        if not singles:
            continue
        used = {key_position(question) for question in singles}
        wanted = min(len(singles), max(len(question.options) for question in singles))
        if len(used) < wanted:
            problems.append(f"{name}: vary the key's position: keys sit only at {sorted(used)} across "
                            f"{len(singles)} items")
    return problems


def key_longest(bank: Bank) -> list[str]:
    items = items_of(bank)
    longest = []
    for item in items:
        lengths = sorted((len(option.text), bool(option.correct)) for option in item.question.options)
        if len(lengths) > 1 and lengths[-1][0] > lengths[-2][0] and lengths[-1][1]:
            longest.append(item)
    if not items or len(longest) <= MAX_KEY_LONGEST_SHARE * len(items):
        return []
    return [f"data/quizzes: key strictly longest in at most a third of items: {len(longest)} of {len(items)} "
            f"({len(longest) / len(items):.0%})"] + [item.where("key strictly longest") for item in longest]


def multiple_select_can_fail(bank: Bank) -> list[str]:
    return [item.where("multiple select needs a wrong option") for item in items_of(bank)
            if item.question.kind == MULTIPLE and all(option.correct for option in item.question.options)]


RULES = {
    "every quiz states its purpose": purpose_missing,
    "3 to 5 options, no 'all/none of the above'": option_count_and_giveaways,
    "a catalogued misconception on every wrong option": misconception_tags,
    "explanations give a reason of 12+ words, not a restatement": explanation_reasons,
    "a first miss never shows the key": key_shown_at_first_miss,
    "every item has a level, a hint and an H2 section to review": level_hint_and_section,
    "case ids exist": unknown_cases,
    "each lesson check: 6+ items, half apply+, 2 analyze/evaluate": lesson_checks,
    "lesson items: 40% apply+, 20% analyze/evaluate": level_shares,
    "warm-ups: 3 items from earlier lessons, interleaved": warm_ups,
    "warm-up items written fresh": warm_ups_fresh,
    "a final check of 20+ items covering 01-08": final_check,
    "key positions balanced and varied": key_positions,
    "key strictly longest in at most a third of items": key_longest,
    "multiple select can be failed": multiple_select_can_fail,
}


def test_every_quiz_file_loads():
    """Does every quiz file load under schema v2 (any malformed value is a one-line error naming the item)?"""
    assert not BROKEN, report(BROKEN)


@pytest.mark.parametrize("rule", RULES, ids=list(RULES))
def test_the_bank_keeps_the_rule(rule):
    """Does the whole item bank keep this rule? A breach names its file, item and the rule."""
    problems = RULES[rule](BANK)
    assert not problems, report(problems)


def test_catalogue_rows_name_an_existing_lesson_and_h2_section():
    """Does every misconception row point to a lesson that exists and an H2 heading in it?"""
    problems = []
    for misconception in load_misconceptions().values():
        headings = h2_headings(misconception.lesson)
        where = f"data/misconceptions.csv, row {misconception.id}"
        if headings is None:
            problems.append(f"{where}: lesson exists: no lesson {misconception.lesson}")
        elif misconception.section not in headings:
            problems.append(f"{where}: H2 section exists: “{misconception.section}” is not an H2 heading of "
                            f"{misconception.lesson}")
    assert not problems, report(problems)


def _bad_bank() -> Bank:
    """A bank that breaks every rule once: the negative control, so each rule is seen to fail."""
    from course.exercises.quiz import parse_quiz

    from .test_quiz import SAMPLE

    check = json.loads(json.dumps(SAMPLE))
    checkout, program_work = check["questions"]
    untagged = dict(json.loads(json.dumps(checkout)), id="untagged")
    untagged["options"][1].pop("misconception")
    checkout["options"] = [
        dict(checkout["options"][0], misconception="no-such-belief",
             explanation="Not the product manager here, since all of the above are right for anyone at all."),
        {"key": "all", "text": "All of the above are right", "correct": True,
         "explanation": "It is the other way round."}]
    checkout["cases"] = ["no-such-case"]
    checkout.pop("level")
    program_work["options"] = [dict(option, correct=True) for option in program_work["options"]]
    program_work["see"] = {"lesson": "01-two-pms", "section": "No such heading"}
    check["questions"].append(untagged)
    warmup = dict(json.loads(json.dumps(SAMPLE)), purpose="warm-up")
    unnamed = dict(json.loads(json.dumps(SAMPLE)), id="unnamed")
    unnamed.pop("purpose")
    return {"01-two-pms.json": parse_quiz(check, "01-two-pms.json"),
            "03-the-third-pm-warmup.json": parse_quiz(warmup, "03-the-third-pm-warmup.json"),
            "00-start-here.json": parse_quiz(unnamed, "00-start-here.json")}


@pytest.mark.parametrize("rule, words", [
    ("every quiz states its purpose", "00-start-here.json: purpose: missing"),
    ("3 to 5 options, no 'all/none of the above'", "01-two-pms.json, item checkout: 3 to 5 options: has 2"),
    ("3 to 5 options, no 'all/none of the above'", "item checkout: no giveaway options: option all"),
    ("a catalogued misconception on every wrong option", "item checkout: misconception in the catalogue"),
    ("a catalogued misconception on every wrong option", "item untagged: misconception on every wrong option"),
    ("explanations give a reason of 12+ words, not a restatement", "item checkout: explanation of 12+ words"),
    ("a first miss never shows the key", "item checkout: wrong explanation never quotes the key"),
    ("every item has a level, a hint and an H2 section to review", "item checkout: level: missing"),
    ("every item has a level, a hint and an H2 section to review", "item program-work: see names an H2 section"),
    ("case ids exist", "item checkout: cases exist in data/cases.csv: unknown case 'no-such-case'"),
    ("each lesson check: 6+ items, half apply+, 2 analyze/evaluate", "01-two-pms.json: at least 6 items"),
    ("warm-ups: 3 items from earlier lessons, interleaved", "03-the-third-pm-warmup.json: exactly 3 warm-up items"),
    ("warm-ups: 3 items from earlier lessons, interleaved", "item program-work: only earlier lessons"),
    ("warm-up items written fresh", "03-the-third-pm-warmup.json, item checkout: written fresh"),
    ("a final check of 20+ items covering 01-08", "a final check (purpose 'final'): none"),
    ("key positions balanced and varied", "no key position over 35%"),
    ("multiple select can be failed", "item program-work: multiple select needs a wrong option"),
])
def test_each_rule_catches_its_breach(rule, words):
    """Does each rule, run over a deliberately bad bank, name the file, the item and the rule broken?"""
    assert any(words in problem for problem in RULES[rule](_bad_bank())), RULES[rule](_bad_bank())


@pytest.mark.parametrize("explanation, option, restated", [
    ("It is the other way round.", "Project managers decide", True),
    ("Keeping four projects that depend on each other in step is program management.",
     "Keeping four projects that depend on each other in step", True),
    ("A single project's schedule is its own manager's work, however large the project happens to be.",
     "Owning the schedule of one stand-alone project", False),
])
def test_the_restatement_rule_itself(explanation, option, restated):
    """Does the lint call a near-copy a restatement and a reason not one (so the rule can fail and pass)?"""
    assert (len(words(explanation)) < MIN_EXPLANATION_WORDS or is_restatement(explanation, option)) == restated
