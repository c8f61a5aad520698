"""Does the release model behave as documented, and does the simulator show and keep it?"""
from __future__ import annotations

import pytest

from course.exercises.tradeoff import best_scope, simulate_release
from course.learner.answers import AnswerStore
from course.plots import TradeoffCurve
from course.widgets import TradeoffSimulator


def test_on_time_release_keeps_all_its_value():
    """Is a release within its deadline and budget neither late nor discounted?"""
    outcome = simulate_release(4, deadline_weeks=16, budget_k=200)
    assert outcome.slip_weeks == 0 and not outcome.cancelled
    assert outcome.value == pytest.approx(100 * (1 + 0.85 + 0.85**2 + 0.85**3), abs=0.1)


def test_more_features_past_the_deadline_lose_value_and_far_over_budget_cancels():
    """Does adding features past the deadline lower value, and does a huge overrun cancel the release?"""
    best = best_scope(16, 200)
    later = simulate_release(best.features + 4, 16, 200)
    assert later.slip_weeks > 0 and later.value < best.value
    assert simulate_release(30, 16, 200).cancelled and simulate_release(30, 16, 200).value == 0


def test_a_longer_deadline_moves_the_best_scope_up():
    """With more time, does the best scope include more features?"""
    assert best_scope(24, 400).features > best_scope(16, 400).features


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        simulate_release(-1, 10, 10)


def test_simulator_reports_the_outcome_and_restores_its_sliders(tmp_path):
    """Does moving a slider update the summary and plot, and does a new simulator come back with the same settings?"""
    simulator = TradeoffSimulator(folder=tmp_path)
    simulator.features.value = 25
    assert "weeks late" in simulator.summary
    assert "<svg" in simulator.result.value, "the curve is drawn"
    simulator.deadline.value = 30
    again = TradeoffSimulator(folder=tmp_path)
    assert (again.features.value, again.deadline.value) == (25, 30)
    assert AnswerStore(tmp_path).answers_for("tradeoff")["features"] == 25


def test_the_plot_marks_the_current_scope_and_moves_with_the_features_slider(tmp_path):
    """Does the curve mark the learner's scope, and does moving only the features slider move the mark?"""
    simulator = TradeoffSimulator(folder=tmp_path)
    simulator.features.value = 4
    first = simulator.result.value
    assert "yours: 4" in first and "Marked: your scope, 4 features" in first
    simulator.features.value = 20
    assert "yours: 20" in simulator.result.value and simulator.result.value != first


def test_the_caption_agrees_with_the_cancellation_rule():
    """With 24 weeks and 120k the best scope is 47% over budget and the next feature is cancelled, not late: does
    the caption say so, and never that value falls 'as the release runs late' there?"""
    curve = TradeoffCurve.compute(24, 120)
    best = curve.best
    assert (best.features, best.slip_weeks, best.over_budget_k) == (13, 0, 56.8)
    assert simulate_release(14, 24, 120).cancelled and simulate_release(14, 24, 120).slip_weeks == 0
    caption = curve.caption()
    assert "56.8k over budget (47% over)" in caption
    assert "From 14 features the cost passes 1.5 times the budget (180k): the release is cancelled" in caption
    assert "later and value falls" not in caption, "past the best scope the release is cancelled, not late"
    assert "zero up to 16 features, then rising" in caption
    lesson_curve = TradeoffCurve.compute(16, 200).caption()
    assert "Beyond it, each added feature makes the release later and value falls" in lesson_curve
    assert "From 20 features the cost passes" in lesson_curve


def test_every_scope_in_the_caption_agrees_with_the_model():
    """For every deadline and budget the sliders allow: is the best scope in the caption best_scope's, and does the
    caption claim lateness or cancellation only where the model has it?"""
    for deadline in range(4, 41, 4):
        for budget in range(50, 501, 50):
            curve = TradeoffCurve.compute(deadline, budget)
            best = best_scope(deadline, budget)
            assert curve.best == best
            caption = curve.caption()
            assert f"best scope, {best.features} feature" in caption
            assert ("cancelled" in caption) == any(outcome.cancelled for outcome in curve.outcomes)


def test_outcomes_read_as_sentences_with_units():
    """Does an outcome print as words with units, not as a dataclass repr?"""
    text = str(simulate_release(18, deadline_weeks=16, budget_k=200))
    assert text == ("18 features: 27.18 weeks of work, 11.18 weeks late; cost 271.8k, 71.8k over budget; "
                    "customer value 348.8 points")
    assert "ReleaseOutcome(" not in simulate_release(1, 16, 200)._repr_html_()


def test_outside_a_kernel_settings_are_saved_at_once_even_while_a_loop_runs(tmp_path):
    """A running event loop that is not a kernel's (Playwright's, a script's) may never run a delayed save: are the
    settings written at once all the same?"""
    import asyncio
    import threading

    async def move_the_slider():
        simulator = TradeoffSimulator(folder=tmp_path)
        simulator.features.value = 25

    # a thread of its own: this worker's thread may already run Playwright's loop (the very case)
    mover = threading.Thread(target=asyncio.run, args=(move_the_slider(),))
    mover.start()
    mover.join()
    assert AnswerStore(tmp_path).answers_for("tradeoff")["features"] == 25
