"""Multiple-choice and multiple-select questions, judged with feedback that teaches before it tells.

A quiz is data: a JSON file under ``data/quizzes/`` (schema v2 in ``data/README.md``), so an
instructor can write one without touching Python. :func:`load_quiz` checks the file and raises
:class:`~course.errors.DataFileError`, one line naming the file and the question, for every
malformed value. The fields schema v2 added (``purpose``, ``level``, ``hint``, ``cases``,
``principles``, an option's ``misconception``) may still be missing while the bank is converted:
a missing one is no load error (the bank's lint, ``tests/test_item_bank.py``, asks for them).

Judging lives here, the widget only shows it: :func:`check_answer` gives the feedback a learner may
see at their stage (the answer only after a second miss or on request), :func:`option_order` the
order a learner sees the options in (shuffled per learner and per item, stable for that learner).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from course.content.json_data import read_json
from course.content.sections import SectionLink
from course.errors import DataFileError
from course.exercises.feedback import Feedback
from course.exercises.shuffling import shuffled

SINGLE, MULTIPLE = "single", "multiple"
PURPOSES = ("diagnostic", "warm-up", "check", "final")
LEVELS = ("remember", "understand", "apply", "analyze", "evaluate")
PRINCIPLES = range(1, 10)
NOTHING_TICKED = "Tick at least one option, then press Check."
SOMETHING_MISSING = "At least one option that belongs is not ticked yet."


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    correct: bool | None = None
    explanation: str = ""
    misconception: str | None = None


@dataclass(frozen=True)
class Question:
    id: str
    prompt: str
    kind: str
    options: tuple[Option, ...]
    see: SectionLink | None = None
    level: str | None = None
    hint: str | None = None
    cases: tuple[str, ...] = ()
    principles: tuple[int, ...] = ()

    def option(self, key: str) -> Option | None:
        return next((option for option in self.options if option.key == key), None)

    @property
    def correct_keys(self) -> frozenset[str]:
        return frozenset(option.key for option in self.options if option.correct)

    @property
    def has_key(self) -> bool:
        """False for a graded assignment's question, whose key lives only in the hidden tests."""
        return any(option.correct is not None for option in self.options)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    questions: tuple[Question, ...]
    purpose: str | None = None
    source: str = field(default="", compare=False)

    def question(self, question_id: str) -> Question:
        return next(question for question in self.questions if question.id == question_id)


def chosen_keys(answer: Any) -> frozenset[str]:
    """An answer as saved (a key, a list of keys, or nothing) as a set of option keys."""
    if answer is None:
        return frozenset()
    if isinstance(answer, str):
        return frozenset([answer])
    if isinstance(answer, (list, tuple, set, frozenset)):
        return frozenset(str(key) for key in answer)
    return frozenset()


def is_right(question: Question, answer: Any) -> bool | None:
    """Whether ``answer`` is right; None when nothing is chosen or the question has no key here."""
    chosen = chosen_keys(answer)
    if not chosen or not question.has_key:
        return None
    return chosen == question.correct_keys


def check_answer(question: Question, answer: Any, reveal: bool = False,
                 beliefs: Mapping[str, str] | None = None) -> Feedback | None:
    """Feedback on ``answer`` (a key or a list of keys); None when nothing is chosen or there is no key.

    A wrong answer is explained (why each wrong choice is wrong, the belief behind it when ``beliefs``
    maps misconception ids to beliefs), with the question's hint and the section to review; the right
    answer and its reason are added only when ``reveal`` is true (after a second miss, or on request).
    A right answer gets the reason it is right.
    """
    chosen = chosen_keys(answer)
    if not chosen or not question.has_key:
        return None
    unknown = sorted(key for key in chosen if question.option(key) is None)
    if unknown:
        return Feedback(False, (f"There is no option {', '.join(unknown)} in this question.",), question.see)
    if chosen == question.correct_keys:
        return Feedback(True, tuple(question.option(key).explanation for key in _in_stored_order(question, chosen)),
                        question.see)
    wrongly_chosen = [question.option(key) for key in _in_stored_order(question, chosen - question.correct_keys)]
    explanations: list[str] = []
    for option in wrongly_chosen:
        reason = option.explanation if question.kind == SINGLE else f"“{option.text}” does not belong: " \
                                                                    f"{option.explanation}"
        explanations.append(reason)
        belief = (beliefs or {}).get(option.misconception or "")
        if belief:
            explanations.append(f"The belief behind this choice: “{belief}”")
    missed = [question.option(key) for key in _in_stored_order(question, question.correct_keys - chosen)]
    if missed and question.kind == MULTIPLE:
        if reveal:
            explanations += [f"You left out “{option.text}”: {option.explanation}" for option in missed]
        else:
            explanations.append(SOMETHING_MISSING)
    if reveal:
        return Feedback(False, tuple(explanations), question.see, answer=the_answer(question))
    return Feedback(False, tuple(explanations), question.see, hint=question.hint)


def the_answer(question: Question) -> tuple[str, ...]:
    """The right option(s) and why, one line each: what a learner sees once the answer may be shown."""
    return tuple(f"“{option.text}”: {option.explanation}" for option in question.options if option.correct)


def answer_only(question: Question) -> Feedback | None:
    """The answer shown on request while no checked answer stands; None for a question without a key."""
    return Feedback(None, (), question.see, answer=the_answer(question)) if question.has_key else None


def option_order(question: Question, seed: str, widget_id: str) -> list[Option]:
    """The options in the order this learner sees them: shuffled per learner (seed) and per item, never re-drawn."""
    return shuffled(question.options, seed, widget_id, question.id)


def shown_record(questions: Iterable[Question], seed: str, widget_id: str) -> dict[str, Any]:
    """What a widget displays, as kept in the answer file's ``shown`` section: question ids and option orders."""
    questions = list(questions)
    return {"questions": [question.id for question in questions],
            "options": {question.id: [option.key for option in option_order(question, seed, widget_id)]
                        for question in questions}}


def score(quiz: Quiz, answers: dict[str, Any]) -> int:
    """How many questions of ``quiz`` the saved ``answers`` get fully right."""
    return sum(1 for question in quiz.questions if chosen_keys(answers.get(question.id)) == question.correct_keys)


def unkeyed_quiz(quiz_id: str, title: str, questions: list[tuple[str, str, dict[str, str], str]]) -> Quiz:
    """A quiz for a graded assignment: (id, prompt, {key: option text}, kind) per question, and no key at all."""
    return Quiz(quiz_id, title, tuple(
        Question(question_id, prompt, kind, tuple(Option(key, text) for key, text in options.items()))
        for question_id, prompt, options, kind in questions))


def load_quiz(name_or_path: str | Path) -> Quiz:
    """A quiz by name (``data/quizzes/<name>.json``) or by path, checked against the schema."""
    content, path = read_json(name_or_path, "quizzes", "quiz file")
    return parse_quiz(content, source=str(path))


Fail = Callable[[str, str], DataFileError]


def parse_quiz(content: Any, source: str = "quiz") -> Quiz:
    """A quiz from its parsed JSON; the first malformed value raises a one-line DataFileError naming where."""
    def fail(where: str, message: str) -> DataFileError:
        return DataFileError(f"{source}, {where}: {message}")

    if not isinstance(content, dict):
        raise fail("top level", "must be an object with id, title and questions")
    for key in ("id", "title", "questions"):
        if key not in content:
            raise fail("top level", f"missing '{key}'")
        if key != "questions" and not _text(content[key]):
            raise fail("top level", f"'{key}' must be non-empty text")
    purpose = content.get("purpose")
    if purpose is not None and purpose not in PURPOSES:
        raise fail("top level", f"purpose must be one of {', '.join(PURPOSES)}, not {purpose!r}")
    questions = []
    seen: set[str] = set()
    for number, raw in enumerate(_as_list(content["questions"], fail, "questions"), start=1):
        question = _parse_question(raw, fail, number)
        if question.id in seen:
            raise fail(_where(number, question.id), f"id '{question.id}' is used twice")
        seen.add(question.id)
        questions.append(question)
    return Quiz(content["id"], content["title"], tuple(questions), purpose, source)


def _parse_question(raw: Any, fail: Fail, number: int) -> Question:
    where = _where(number, raw.get("id") if isinstance(raw, dict) else None)
    if not isinstance(raw, dict):
        raise fail(where, "must be an object")
    for key in ("id", "prompt", "kind", "options"):
        if not raw.get(key):
            raise fail(where, f"missing '{key}'")
    for key in ("id", "prompt"):
        if not _text(raw[key]):
            raise fail(where, f"'{key}' must be non-empty text")
    if raw["kind"] not in (SINGLE, MULTIPLE):
        raise fail(where, f"kind must be '{SINGLE}' or '{MULTIPLE}', not {raw['kind']!r}")
    options = tuple(_parse_option(item, fail, f"{where}, option {i}")
                    for i, item in enumerate(_as_list(raw["options"], fail, where), start=1))
    keys = [option.key for option in options]
    if len(set(keys)) != len(keys):
        raise fail(where, "two options share a key")
    correct = sum(option.correct for option in options)
    if raw["kind"] == SINGLE and correct != 1:
        raise fail(where, f"a single-choice question needs exactly one correct option, not {correct}")
    if raw["kind"] == MULTIPLE and correct < 1:
        raise fail(where, "a multiple-select question needs at least one correct option")
    see = raw.get("see")
    if see is not None and not (isinstance(see, dict) and _text(see.get("lesson")) and _text(see.get("section"))):
        raise fail(where, "'see' must be an object with 'lesson' and 'section'")
    level = raw.get("level")
    if level is not None and level not in LEVELS:
        raise fail(where, f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    hint = raw.get("hint")
    if hint is not None and not _text(hint):
        raise fail(where, "'hint' must be one sentence of text")
    cases = raw.get("cases", [])
    if not (isinstance(cases, list) and all(_text(case) for case in cases)):
        raise fail(where, "'cases' must be a list of case ids from data/cases.csv")
    principles = raw.get("principles", [])
    if not (isinstance(principles, list)
            and all(type(number) is int and number in PRINCIPLES for number in principles)):
        raise fail(where, "'principles' must be a list of the article's principle numbers, 1 to 9")
    link = SectionLink(see["lesson"], see["section"]) if see else None
    return Question(raw["id"], raw["prompt"], raw["kind"], options, link, level, hint, tuple(cases),
                    tuple(principles))


def _where(number: int, question_id: Any) -> str:
    return f"question {number} ({question_id})" if _text(question_id) else f"question {number}"


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _as_list(value: Any, fail: Fail, where: str) -> Iterable[Any]:
    if not isinstance(value, list) or not value:
        raise fail(where, "must be a non-empty list")
    return value


def _parse_option(raw: Any, fail: Fail, where: str) -> Option:
    if not isinstance(raw, dict):
        raise fail(where, "must be an object")
    for key in ("key", "text", "explanation"):
        if not raw.get(key):
            raise fail(where, f"missing '{key}'")
        if not _text(raw[key]):
            raise fail(where, f"'{key}' must be non-empty text")
    if not isinstance(raw.get("correct"), bool):
        raise fail(where, "'correct' must be true or false")
    misconception = raw.get("misconception")
    if misconception is not None and not _text(misconception):
        raise fail(where, "'misconception' must be an id from data/misconceptions.csv")
    return Option(raw["key"], raw["text"], raw["correct"], raw["explanation"], misconception)


def _in_stored_order(question: Question, keys: Iterable[str]) -> list[str]:
    wanted = set(keys)
    return [option.key for option in question.options if option.key in wanted]
