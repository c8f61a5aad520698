"""A small, documented model of one release, to make the features-versus-scope tension tangible.

The model (deliberately simple; every number is a parameter):

* Features are built most valuable first: the i-th feature (from 0) is worth
  ``first_feature_value * value_decay ** i``, so each added feature is worth less.
* Effort grows a little faster than the feature count, because every added feature has
  to be integrated with the others: ``weeks = features * weeks_per_feature * (1 + integration_cost * (features - 1))``.
* Slip is the weeks past the deadline. Each week of slip loses ``value_lost_per_week_late``
  of the value (the market window closes; customers go elsewhere).
* Cost is ``weeks * weekly_cost_k``. A release that would cost more than
  ``cancel_at_budget_ratio`` times its budget is cancelled before it ships, and delivers no value.

Customer value is what ships, discounted for lateness: the product manager's wish for
more features and the project manager's wish for a small scope both matter.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReleaseModel:
    weeks_per_feature: float = 1.0
    integration_cost: float = 0.03
    weekly_cost_k: float = 10.0
    first_feature_value: float = 100.0
    value_decay: float = 0.85
    value_lost_per_week_late: float = 0.04
    cancel_at_budget_ratio: float = 1.5


@dataclass(frozen=True)
class ReleaseOutcome:
    features: int
    weeks: float
    slip_weeks: float
    cost_k: float
    over_budget_k: float
    cancelled: bool
    value: float

    def describe(self, budget_k: float | None = None) -> str:
        """The outcome in a sentence, with units, e.g. '12 features: 15.96 weeks of work, on time; cost 159.6k, ...'.

        Given the budget, the overrun is also shown as a share of it (the model cancels above 150%).
        """
        timing = f"{_weeks(self.slip_weeks)} late" if self.slip_weeks else "on time"
        if self.over_budget_k:
            share = f" ({self.over_budget_k / budget_k:.0%} over)" if budget_k else ""
            money = f"{_number(self.over_budget_k)}k over budget{share}"
        else:
            money = "within budget"
        result = ("cancelled for cost, so no value reaches customers" if self.cancelled
                  else f"customer value {_number(self.value)} points")
        return (f"{self.features} feature{'s' * (self.features != 1)}: {_weeks(self.weeks)} of work, {timing}; "
                f"cost {_number(self.cost_k)}k, {money}; {result}")

    def __str__(self) -> str:
        return self.describe()

    def _repr_pretty_(self, printer, cycle: bool) -> None:  # IPython's plain-text display: the sentence, not a repr
        printer.text(self.describe())

    def _repr_html_(self) -> str:
        return f"<p>{self.describe()}</p>"


def _weeks(value: float) -> str:
    return f"{_number(value)} week{'s' * (value != 1)}"


def _number(value: float) -> str:
    """A figure as people write it: 16, 15.96, 159.6 (no trailing zeros, no float artefacts)."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def simulate_release(features: int, deadline_weeks: float, budget_k: float,
                     model: ReleaseModel = ReleaseModel()) -> ReleaseOutcome:
    """The outcome of building ``features`` features against a deadline and a budget."""
    if features < 0 or deadline_weeks <= 0 or budget_k <= 0:
        raise ValueError("features must be 0 or more; deadline and budget must be positive")
    weeks = features * model.weeks_per_feature * (1 + model.integration_cost * max(features - 1, 0))
    slip = max(0.0, weeks - deadline_weeks)
    cost = weeks * model.weekly_cost_k
    cancelled = cost > model.cancel_at_budget_ratio * budget_k
    shipped_value = sum(model.first_feature_value * model.value_decay ** i for i in range(features))
    value = 0.0 if cancelled else shipped_value * max(0.0, 1 - model.value_lost_per_week_late * slip)
    over_budget = round(max(0.0, cost - budget_k), 1)
    return ReleaseOutcome(features, round(weeks, 2), round(slip, 2), round(cost, 1), over_budget,
                          cancelled, round(value, 1))


def best_scope(deadline_weeks: float, budget_k: float, max_features: int = 30,
               model: ReleaseModel = ReleaseModel()) -> ReleaseOutcome:
    """The feature count that delivers the most customer value (the smallest such count on a tie)."""
    outcomes = [simulate_release(n, deadline_weeks, budget_k, model) for n in range(max_features + 1)]
    return max(outcomes, key=lambda outcome: (outcome.value, -outcome.features))
