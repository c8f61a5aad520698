"""Does the release model behave as documented, and does the simulator show and keep it?"""
from __future__ import annotations

import pytest

from course.answers import AnswerStore
from course.tradeoff import best_scope, simulate_release
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
    assert "weeks late" in simulator.summary.value
    assert simulator._plot.outputs, "the curve is drawn"
    simulator.deadline.value = 30
    again = TradeoffSimulator(folder=tmp_path)
    assert (again.features.value, again.deadline.value) == (25, 30)
    assert AnswerStore(tmp_path).answers_for("tradeoff")["features"] == 25
