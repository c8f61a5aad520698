"""Can every lesson widget be answered by typing, with the same judging and saving as a click?"""
from __future__ import annotations

import pytest

from course.errors import CourseError
from course.learner.answers import AnswerStore
from course.learner.typed import answer, listing
from course.widgets import (
    CompanySizeExplorer,
    ProgramMapper,
    QuizWidget,
    RaciBuilder,
    RoleSorterWidget,
    ScenarioPlayer,
    TradeoffSimulator,
)


def test_a_quiz_question_answered_by_number_and_letter_is_judged_and_saved(tmp_path):
    """Does listing() letter the choices in this learner's order, and answer() judge and save the one typed?"""
    quiz = QuizWidget("00-start-here", folder=tmp_path)
    question = quiz.quiz.questions[0]
    shown = quiz.options_shown(question.id)
    text = listing(quiz)
    assert f"1. {question.prompt}" in text and f"a) {question.option(shown[0]).text}" in text
    right = shown.index(next(o.key for o in question.options if o.correct))
    feedback = answer(quiz, 1, "abcd"[right])
    assert feedback.startswith("Right.")
    assert AnswerStore(tmp_path).answers_for("00-start-here")[question.id] == shown[right]
    with pytest.raises(CourseError, match="No choice"):
        answer(quiz, 1, "z")


def test_every_other_lesson_widget_answers_by_typing(tmp_path):
    """Role sorter, company-size explorer, program mapper, RACI grid, scenario and trade-off simulator: does each
    take a typed answer and give its feedback as text?"""
    sorter = RoleSorterWidget(folder=tmp_path)
    assert "1. " in listing(sorter)
    assert answer(sorter, 1, "a").split(".")[0] in ("Right", "Not yet")
    explorer = CompanySizeExplorer(folder=tmp_path)
    # at 500 people the roles are shared: one project manager doubles as the part-time delivery lead
    typed = answer(explorer, 500, "shared")
    assert typed.startswith("Right.") and "delivery lead" in typed and explorer.answers["500"] == "shared"
    assert answer(explorer, 500, "specialists").startswith("Not yet.")
    mapper = ProgramMapper(folder=tmp_path)
    assert "placed" in answer(mapper, "P05", "Program A")
    assert mapper.grouping["P05"] == "Program A" and "P05" in answer(mapper, "check", None)
    grid = RaciBuilder("sales-promise", folder=tmp_path)
    asked = next(a for a in grid.exercise.activities if not grid.exercise.is_worked_example(a))
    assert answer(grid, asked.id, ["A"] * len(grid.exercise.roles)).split(".")[0] in ("Right", "Not yet")
    player = ScenarioPlayer("sales-promise", folder=tmp_path)
    assert "a)" in listing(player)
    assert answer(player, None, 1)
    assert len(AnswerStore(tmp_path).answers_for("scenario-sales-promise")["path"]) == 1
    simulator = TradeoffSimulator(folder=tmp_path)
    assert "12 features" in answer(simulator, "features", 12)
    with pytest.raises(CourseError, match="goes from 4 to 40"):
        answer(simulator, "deadline", 99)
