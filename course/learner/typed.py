"""Answer any lesson widget by typing instead of clicking: list its items and choices as text, then answer by number.

For a learner whose screen reader, keyboard or browser does not get on with a widget, or who simply prefers to type.
``listing(widget)`` prints every item with its number and the choices in the order this learner sees them;
``answer(widget, item, choice)`` gives that answer through the widget's own methods, so it is judged, explained and
saved exactly as a click would be, and returns the feedback as text::

    from course.learner.typed import answer, listing
    from course.widgets import QuizWidget

    quiz = QuizWidget("02-features-vs-scope")   # the same quiz as the lesson's cell, with your saved answers
    print(listing(quiz))
    print(answer(quiz, 1, "b"))                 # question 1, the second choice listed

Items and choices are numbered from 1 as listed; a choice may also be given by its letter (a, b, c ...) or its id.
Several choices (a multiple-select question, or one RACI letter per role) go in a list. The trade-off simulator takes
``answer(simulator, "features", 12)`` (or "deadline", "budget"); a scenario takes the choice only:
``answer(player, None, 2)``. Assignments offer the same through the optional answer functions they name.
"""
from __future__ import annotations

import string
from html import unescape
from re import sub
from typing import Any, Sequence

from course.content.roles import SORTABLE_ROLES, role_name
from course.errors import CourseError

LETTERS = string.ascii_lowercase


def _text(html: str) -> str:
    return " ".join(unescape(sub(r"<[^>]+>", " ", html)).split())


def _pick(choices: Sequence[tuple[str, str]], choice: Any) -> str:
    """A choice given by number (1-based), letter or id, as the id among ``choices`` (id, text)."""
    ids = [choice_id for choice_id, _ in choices]
    if isinstance(choice, int) and 1 <= choice <= len(ids):
        return ids[choice - 1]
    if isinstance(choice, str):
        if choice in ids:
            return choice
        if len(choice) == 1 and choice.lower() in LETTERS[:len(ids)]:
            return ids[LETTERS.index(choice.lower())]
    listed = ", ".join(f"{LETTERS[number]} ({text})" for number, (_, text) in enumerate(choices))
    raise CourseError(f"No choice {choice!r} here; give a number from 1 to {len(ids)} or a letter: {listed}.")


def _item(items: Sequence[str], item: Any) -> str:
    if isinstance(item, int) and 1 <= item <= len(items):
        return items[item - 1]
    if isinstance(item, str) and item in items:
        return item
    raise CourseError(f"No item {item!r} here; give a number from 1 to {len(items)} (see listing()).")


def _lines(title: str, items: Sequence[tuple[str, str]], choices_of) -> str:
    lines = [title]
    for number, (item_id, text) in enumerate(items, start=1):
        lines.append(f"{number}. {text}")
        lines += [f"   {LETTERS[index]}) {choice}" for index, (_, choice) in enumerate(choices_of(item_id))]
    return "\n".join(lines)


def listing(widget: Any) -> str:
    """Every item of ``widget`` with its number, and its choices lettered in the order this learner sees them."""
    from course.widgets.company_size import CompanySizeExplorer
    from course.widgets.program_mapper import PROGRAMS, ProgramMapper
    from course.widgets.quiz import QuizWidget
    from course.widgets.raci import RaciBuilder
    from course.widgets.review import ReviewDeck
    from course.widgets.role_sorter import RoleSorterWidget
    from course.widgets.scenario import ScenarioPlayer
    from course.widgets.tradeoff import TradeoffSimulator

    if isinstance(widget, ReviewDeck):
        if widget.quiz_widget is None:
            return "Nothing to review today."
        widget = widget.quiz_widget
    if isinstance(widget, QuizWidget):
        return _lines(f"{widget.quiz.title} (answer(quiz, question, choice); several choices in a list)",
                      [(q.id, q.prompt) for q in widget.quiz.questions], lambda item: _quiz_choices(widget, item))
    if isinstance(widget, RoleSorterWidget):
        return _lines("Who is accountable for each piece of work? (answer(sorter, statement, role))",
                      [(s.id, s.text) for s in widget.statements.values()], lambda _: _roles())
    if isinstance(widget, CompanySizeExplorer):
        return _lines("How are the roles held at each size? (answer(explorer, size, pattern))",
                      [(key, f"A company of {stage.size:,} people") for key, stage in widget.stages.items()],
                      lambda _: _patterns())
    if isinstance(widget, ProgramMapper):
        return _lines("Which program does each project belong to? (answer(mapper, project, program), then "
                      "answer(mapper, 'check', None) to check the grouping)",
                      [(p.id, f"{p.id} {p.name}") for p in widget.projects.values()],
                      lambda _: _programs(PROGRAMS))
    if isinstance(widget, RaciBuilder):
        roles = ", ".join(role_name(role) for role in widget.exercise.roles)
        return _lines(f"One letter per role, in this order: {roles} (answer(grid, activity, ['A', 'R', ...]))",
                      [(a.id, a.text + (" (worked example)" if widget.exercise.is_worked_example(a) else ""))
                       for a in widget.exercise.activities], lambda _: [("R", "Responsible"), ("A", "Accountable"),
                                                                         ("C", "Consulted"), ("I", "Informed")])
    if isinstance(widget, ScenarioPlayer):
        node = widget.run.current
        if widget.run.finished:
            return f"{_text(widget.story_html)}\nThe scenario has ended; answer(player, None, 'again') plays it again."
        return _lines("Your decision (answer(player, None, choice)):", [(node.id, _text(widget.story_html))],
                      lambda _: [(choice.id, choice.label) for choice in _scenario_choices(widget)])
    if isinstance(widget, TradeoffSimulator):
        return ("Trade-off simulator: answer(simulator, 'features' | 'deadline' | 'budget', number).\n"
                f"Now: {widget.features.value} features, a deadline of {widget.deadline.value} weeks, a budget of "
                f"{widget.budget.value}k.\n{_text(widget.summary)}")
    raise CourseError(f"{type(widget).__name__} is not one of the course's widgets.")


def answer(widget: Any, item: Any, choice: Any) -> str:
    """Answer one item of ``widget`` as a click would (choose, then Check where there is one); the feedback, as text."""
    from course.widgets.company_size import CompanySizeExplorer
    from course.widgets.program_mapper import PROGRAMS, ProgramMapper
    from course.widgets.quiz import QuizWidget
    from course.widgets.raci import RaciBuilder
    from course.widgets.review import ReviewDeck
    from course.widgets.role_sorter import RoleSorterWidget
    from course.widgets.scenario import ScenarioPlayer
    from course.widgets.tradeoff import TradeoffSimulator

    if isinstance(widget, ReviewDeck):
        if widget.quiz_widget is None:
            raise CourseError("Nothing to review today.")
        widget = widget.quiz_widget
    if isinstance(widget, QuizWidget):
        question = _item([q.id for q in widget.quiz.questions], item)
        picks = [_pick(_quiz_choices(widget, question), one) for one in (choice if isinstance(choice, list)
                                                                           else [choice])]
        multiple = widget.quiz.question(question).kind == "multiple"
        widget.answer(question, picks if multiple else picks[0])
        return widget.feedback_text(question) or "Saved; this one is marked when your instructor grades it."
    if isinstance(widget, RoleSorterWidget):
        statement = _item(list(widget.statements), item)
        widget.answer(statement, _pick(_roles(), choice))
        return widget.feedback_text(statement) or "Saved; this one is marked when your instructor grades it."
    if isinstance(widget, CompanySizeExplorer):
        key = str(item) if str(item) in widget.stages else _item(list(widget.stages), item)  # a size or a number
        widget.answer(int(key), _pick(_patterns(), choice))
        return widget.feedback_text(int(key))
    if isinstance(widget, ProgramMapper):
        if item == "check":
            widget.check()
            return "\n".join(f"{p}: {widget.feedback_text(p)}" for p in widget.projects if widget.feedback_text(p))
        project = _item(list(widget.projects), item)
        widget.assign(project, _pick(_programs(PROGRAMS), choice))
        return f"{project} placed; answer(mapper, 'check', None) checks the grouping."
    if isinstance(widget, RaciBuilder):
        activity = _item([a.id for a in widget.exercise.activities], item)
        letters = choice if isinstance(choice, list) else list(str(choice))
        if len(letters) != len(widget.exercise.roles):
            raise CourseError(f"Give one letter per role ({len(widget.exercise.roles)}), e.g. ['A', 'R', 'C', 'I'].")
        given = next(a for a in widget.exercise.activities if a.id == activity).given
        widget.fill(activity, {role: letter.upper() for role, letter in zip(widget.exercise.roles, letters,
                                                                             strict=True) if role not in given})
        widget.check(activity)
        return widget.feedback_text(activity)
    if isinstance(widget, ScenarioPlayer):
        if choice == "again":
            widget.replay()
            return _text(widget.story_html)
        picked = _pick([(c.id, c.label) for c in _scenario_choices(widget)], choice)
        widget.choose(picked)
        return " ".join(part for part in (_text(widget.consequence_html), _text(widget.story_html),
                                          _text(widget.ending_html)) if part)
    if isinstance(widget, TradeoffSimulator):
        sliders = {"features": widget.features, "deadline": widget.deadline, "budget": widget.budget}
        if item not in sliders:
            raise CourseError("Give 'features', 'deadline' or 'budget', and a number.")
        slider = sliders[item]
        if not (isinstance(choice, int) and slider.min <= choice <= slider.max):
            raise CourseError(f"{item} goes from {slider.min} to {slider.max}.")
        slider.value = choice
        return _text(widget.summary)
    raise CourseError(f"{type(widget).__name__} is not one of the course's widgets.")


def _quiz_choices(widget, question_id: str) -> list[tuple[str, str]]:
    question = widget.quiz.question(question_id)
    return [(key, question.option(key).text) for key in widget.options_shown(question_id)]


def _scenario_choices(widget) -> list:
    buttons = {button.description for button in widget.choice_buttons}
    choices = list(widget.run.current.choices)
    shown = [choice for label in [b.description for b in widget.choice_buttons]
             for choice in choices if choice.label == label]
    return shown if len(shown) == len(choices) and buttons else choices


def _roles() -> list[tuple[str, str]]:
    return [(role, role_name(role)) for role in SORTABLE_ROLES]


def _patterns() -> list[tuple[str, str]]:
    from course.exercises.company_size import PATTERNS

    return list(PATTERNS.items())


def _programs(programs: Sequence[str]) -> list[tuple[str, str]]:
    from course.exercises.program_mapper import STAND_ALONE

    return [(label, label) for label in programs] + [(STAND_ALONE, "stand-alone (no program)")]
