"""The trade-off simulator view: sliders for scope, deadline and budget; the release's outcome and its curve.

Every move must show its result at once, so one move costs one cheap update: the model's 31 scopes are computed once
(:class:`course.plots.TradeoffCurve`), the summary and the curve (a small inline SVG marking the learner's scope) are
one HTML value, and the settings are saved once a drag pauses, only when they changed. Each slider has a number box
beside it, linked to it, for typing a value or stepping it with the arrow keys.
"""
from __future__ import annotations

import asyncio
import sys
from html import escape
from pathlib import Path

import ipywidgets as widgets

from course.exercises.tradeoff import ReleaseModel
from course.plots import TradeoffCurve, tradeoff_svg
from course.widgets.base import AnsweringWidget

MAX_FEATURES = 30
SAVE_AFTER_SECONDS = 0.3
# ipywidgets draws a slider as a div with role "slider" and no accessible name (its label is not tied to it), so a
# screen reader announces "slider, 10" only. A tiny script (run by an image that cannot load, the one way an HTML
# widget runs code) gives each slider handle in this simulator its visible label as its name.
_NAME_THE_SLIDERS = (
    '<img src="data:," alt="" style="display:none" onerror="'
    "var root = this.closest('.pm-tradeoff'), tries = 0;"
    "var timer = setInterval(function () {"
    " var handles = root ? root.querySelectorAll('.noUi-handle') : [];"
    " handles.forEach(function (handle) { var slider = handle.closest('.widget-slider');"
    " var label = slider && slider.querySelector('.widget-label');"
    " var name = label ? label.textContent.trim() : '';"
    " if (name && handle.getAttribute('aria-label') !== name) { handle.setAttribute('aria-label', name); } });"
    " if (handles.length || ++tries > 50) { clearInterval(timer); } }, 100);"
    '">'
)


class TradeoffSimulator(AnsweringWidget):
    """Move the sliders and watch slip, cost and customer value; the settings are kept as its ``answers``."""

    def __init__(self, widget_id: str = "tradeoff", model: ReleaseModel = ReleaseModel(),
                 folder: str | Path | None = None, **kwargs):
        super().__init__(widget_id, folder, **kwargs)
        self.model = model
        saved, _attempts = self._read_saved()
        self.features = _slider("Features in scope", _int(saved.get("features"), 10, 0, MAX_FEATURES), 0,
                                MAX_FEATURES, 1)
        self.deadline = _slider("Deadline (weeks)", _int(saved.get("deadline_weeks"), 16, 4, 40), 4, 40, 1)
        self.budget = _slider("Budget (thousands)", _int(saved.get("budget_k"), 200, 50, 500), 50, 500, 10)
        self.result = widgets.HTML()
        self._curve: TradeoffCurve | None = None
        self.answers = self._settings()
        self._pending: asyncio.TimerHandle | None = None
        for slider in (self.features, self.deadline, self.budget):
            slider.observe(self._changed, names="value")
        rows = [widgets.HBox([slider, _number_box(slider)]) for slider in (self.features, self.deadline, self.budget)]
        self.children = [self.message, *rows, self.result]
        self.add_class("pm-tradeoff")
        self._keep_from_now()
        self._update()

    @property
    def summary(self) -> str:
        """The outcome in words (the first part of what the simulator shows)."""
        return self.result.value.split("<figure", 1)[0]

    def _settings(self) -> dict[str, int]:
        return {"features": self.features.value, "deadline_weeks": self.deadline.value, "budget_k": self.budget.value}

    def _changed(self, change) -> None:
        if change["owner"] is not self.features:
            self._curve = None  # the curve depends on the deadline and the budget only
        self._update()
        self._save_soon()

    def _save_soon(self) -> None:
        """Save the settings once a drag has paused (0.3 s), not at every value it passes; at once outside a kernel.

        Only a kernel's own loop is sure to run the delayed save: another running loop (a script's, or the one a
        library such as Playwright keeps) may never turn again, and the settings would be lost.
        """
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        loop = _kernel_loop()
        if loop is None:
            self._save_now()
            return
        self._pending = loop.call_later(SAVE_AFTER_SECONDS, self._save_now)

    def _save_now(self) -> None:
        self._pending = None
        self.answers = self._settings()  # saved by the base class when they changed

    def _attempts_to_keep(self) -> None:
        return None  # nothing here is checked

    def _update(self) -> None:
        if self._curve is None:
            self._curve = TradeoffCurve.compute(self.deadline.value, self.budget.value, MAX_FEATURES, self.model)
        curve, features = self._curve, self.features.value
        outcome, best = curve.outcomes[features], curve.best
        limit = f"cancelled above {curve.cancel_limit_k:g}k, {self.model.cancel_at_budget_ratio:g} times the budget"
        lines = [f"<b>Your scope:</b> {escape(outcome.describe(self.budget.value))}.",
                 f"<b>Best scope</b> for this deadline and budget: {escape(best.describe(self.budget.value))} "
                 f"({escape(limit)})."]
        self.result.value = (f'<div style="max-width:640px">{"<br>".join(lines)}</div>'
                             + tradeoff_svg(curve, features) + _NAME_THE_SLIDERS)


def _kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop when this runs inside an IPython kernel; None anywhere else."""
    kernel_app = sys.modules.get("ipykernel.kernelapp")
    if kernel_app is None or not kernel_app.IPKernelApp.initialized():
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _slider(label: str, value: int, low: int, high: int, step: int) -> widgets.IntSlider:
    return widgets.IntSlider(value=value, min=low, max=high, step=step, description=label,
                             style={"description_width": "150px"}, layout=widgets.Layout(width="480px"))


def _number_box(slider: widgets.IntSlider) -> widgets.BoundedIntText:
    """A number box kept equal to the slider: type a value, or step it with the arrow keys."""
    box = widgets.BoundedIntText(value=slider.value, min=slider.min, max=slider.max, step=slider.step,
                                 description=f"{slider.description}, typed", style={"description_width": "0px"},
                                 layout=widgets.Layout(width="90px"))
    widgets.jslink((slider, "value"), (box, "value"))
    return box


def _int(value, default: int, low: int, high: int) -> int:
    return value if isinstance(value, int) and low <= value <= high else default
