"""Multiple-choice and multiple-select questions, checked with an explanation per option.

A quiz is data: a JSON file under ``data/quizzes/`` (schema in ``data/README.md``),
so an instructor can write one without touching Python. :func:`load_quiz` checks
the file and raises :class:`~course.errors.DataFileError` naming what is wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from .errors import DataFileError
from .feedback import Feedback, SectionLink
from .json_data import read_json
from .paths import data_dir

SINGLE, MULTIPLE = "single", "multiple"


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


def check_answer(question: Question, answer: Any) -> Feedback | None:
    """Feedback on ``answer`` (a key or a list of keys); None when nothing is chosen yet."""
    chosen = chosen_keys(answer)
    if not chosen or not question.has_key:
        return None
    unknown = sorted(key for key in chosen if question.option(key) is None)
    if unknown:
        return Feedback(False, (f"There is no option {', '.join(unknown)} in this question.",), question.see)
    if question.kind == SINGLE:
        option = question.option(next(iter(chosen)))
        return Feedback(option.correct, (option.explanation,), question.see)
    wrongly_chosen = [question.option(key) for key in sorted(chosen - question.correct_keys)]
    missed = [question.option(key) for key in sorted(question.correct_keys - chosen)]
    explanations = [f"“{option.text}” does not belong: {option.explanation}" for option in wrongly_chosen]
    explanations += [f"You left out “{option.text}”: {option.explanation}" for option in missed]
    if not explanations:
        explanations = [question.option(key).explanation for key in sorted(chosen)]
    return Feedback(not wrongly_chosen and not missed, tuple(explanations), question.see)


def score(quiz: Quiz, answers: dict[str, Any]) -> int:
    """How many questions of ``quiz`` the saved ``answers`` get fully right."""
    return sum(1 for question in quiz.questions if chosen_keys(answers.get(question.id)) == question.correct_keys)


def unkeyed_quiz(quiz_id: str, title: str, questions: list[tuple[str, str, dict[str, str], str]]) -> Quiz:
    """A quiz for a graded assignment: (id, prompt, {key: option text}, kind) per question, and no key at all."""
    return Quiz(quiz_id, title, tuple(
        Question(question_id, prompt, kind, tuple(Option(key, text) for key, text in options.items()))
        for question_id, prompt, options, kind in questions))


def quiz_path(name: str) -> Path:
    return data_dir() / "quizzes" / f"{name}.json"


def load_quiz(name_or_path: str | Path) -> Quiz:
    """A quiz by name (``data/quizzes/<name>.json``) or by path, checked against the schema."""
    content, path = read_json(name_or_path, "quizzes", "quiz file")
    return parse_quiz(content, source=str(path))


def parse_quiz(content: Any, source: str = "quiz") -> Quiz:
    def fail(where: str, message: str) -> DataFileError:
        return DataFileError(f"{source}, {where}: {message}")

    if not isinstance(content, dict):
        raise fail("top level", "must be an object with id, title and questions")
    for key in ("id", "title", "questions"):
        if key not in content:
            raise fail("top level", f"missing '{key}'")
    questions = []
    seen: set[str] = set()
    for number, raw in enumerate(_as_list(content["questions"], fail, "questions"), start=1):
        where = f"question {number}"
        if not isinstance(raw, dict):
            raise fail(where, "must be an object")
        for key in ("id", "prompt", "kind", "options"):
            if not raw.get(key):
                raise fail(where, f"missing '{key}'")
        if raw["id"] in seen:
            raise fail(where, f"id '{raw['id']}' is used twice")
        seen.add(raw["id"])
        if raw["kind"] not in (SINGLE, MULTIPLE):
            raise fail(where, f"kind must be '{SINGLE}' or '{MULTIPLE}', not '{raw['kind']}'")
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
        if see is not None and not (isinstance(see, dict) and see.get("lesson") and see.get("section")):
            raise fail(where, "'see' must be an object with 'lesson' and 'section'")
        link = SectionLink(see["lesson"], see["section"]) if see else None
        questions.append(Question(raw["id"], raw["prompt"], raw["kind"], options, link))
    return Quiz(str(content["id"]), str(content["title"]), tuple(questions))


def _as_list(value: Any, fail, where: str) -> Iterable[Any]:
    if not isinstance(value, list) or not value:
        raise fail(where, "must be a non-empty list")
    return value


def _parse_option(raw: Any, fail, where: str) -> Option:
    if not isinstance(raw, dict):
        raise fail(where, "must be an object")
    for key in ("key", "text", "explanation"):
        if not raw.get(key):
            raise fail(where, f"missing '{key}'")
    if not isinstance(raw.get("correct"), bool):
        raise fail(where, "'correct' must be true or false")
    return Option(str(raw["key"]), raw["text"], raw["correct"], raw["explanation"], raw.get("misconception"))
