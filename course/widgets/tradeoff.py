"""The trade-off simulator view: sliders for scope, deadline and budget; the release's outcome and its curve."""
from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets

from ..plots import tradeoff_curve
from ..tradeoff import ReleaseModel, best_scope, simulate_release
from .output import replace_output
from .saving import AnswerKeeper


class TradeoffSimulator(widgets.VBox):
    """Move the sliders and watch slip, cost and customer value; the settings are kept like answers."""

    def __init__(self, widget_id: str = "tradeoff", model: ReleaseModel = ReleaseModel(),
                 folder: str | Path | None = None, **kwargs):
        super().__init__(**kwargs)
        self.model = model
        self._keeper = AnswerKeeper(widget_id, folder)
        saved = self._keeper.restore()
        style = {"description_width": "160px"}
        layout = widgets.Layout(width="520px")
        self.features = widgets.IntSlider(value=_int(saved.get("features"), 10, 0, 30), min=0, max=30,
                                          description="features in scope", style=style, layout=layout)
        self.deadline = widgets.IntSlider(value=_int(saved.get("deadline_weeks"), 16, 4, 40), min=4, max=40,
                                          description="deadline (weeks)", style=style, layout=layout)
        self.budget = widgets.IntSlider(value=_int(saved.get("budget_k"), 200, 50, 500), min=50, max=500, step=10,
                                        description="budget (thousands)", style=style, layout=layout)
        self.summary = widgets.HTML()
        self._plot = widgets.Output()
        for slider in (self.features, self.deadline, self.budget):
            slider.observe(self._changed, names="value")
        self.children = [self._keeper.message, self.features, self.deadline, self.budget, self.summary, self._plot]
        self._update(save=False)

    def _changed(self, change) -> None:
        self._update(save=True)

    def _update(self, save: bool) -> None:
        outcome = simulate_release(self.features.value, self.deadline.value, self.budget.value, self.model)
        best = best_scope(self.deadline.value, self.budget.value, model=self.model)
        lines = [f"<b>{outcome.weeks:g} weeks</b> of work: "
                 + (f"<b>{outcome.slip_weeks:g} weeks late</b>" if outcome.slip_weeks else "on time"),
                 f"cost {outcome.cost_k:g}k"
                 + (f", <b>{outcome.over_budget_k:g}k over budget</b>" if outcome.over_budget_k else ", within budget"),
                 "<b>cancelled for cost: no value reaches customers</b>" if outcome.cancelled
                 else f"customer value <b>{outcome.value:g}</b>",
                 f"best scope for this deadline and budget: {best.features} features (value {best.value:g})"]
        self.summary.value = "<br>".join(lines)
        replace_output(self._plot, tradeoff_curve(self.deadline.value, self.budget.value, model=self.model))
        if save:
            self._keeper.save({"features": self.features.value, "deadline_weeks": self.deadline.value,
                               "budget_k": self.budget.value})


def _int(value, default: int, low: int, high: int) -> int:
    return value if isinstance(value, int) and low <= value <= high else default
