"""A view shared by widgets whose exercise is one choice per item: a label, a dropdown, its feedback."""
from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Callable, Sequence

import ipywidgets as widgets

from ..feedback import Feedback

NOT_CHOSEN = "— choose —"


class ChoiceRows(widgets.VBox):
    """Rows of (item text, dropdown of options, feedback); calls ``on_choice(item_id, value)`` on each change."""

    def __init__(self, items: Sequence[tuple[str, str]], options: Sequence[tuple[str, str]],
                 on_choice: Callable[[str, str | None], None], folder: Path, label_width: str = "55%"):
        super().__init__()
        self._on_choice = on_choice
        self._folder = folder
        self._updating = False
        self.dropdowns: dict[str, widgets.Dropdown] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        rows = []
        for item_id, text in items:
            dropdown = widgets.Dropdown(options=[(NOT_CHOSEN, None), *options], value=None,
                                        layout=widgets.Layout(width="220px"))
            dropdown.observe(self._changed(item_id), names="value")
            self.dropdowns[item_id], self.feedback[item_id] = dropdown, widgets.HTML()
            label = widgets.HTML(f"{escape(text)}", layout=widgets.Layout(width=label_width))
            rows.append(widgets.VBox([widgets.HBox([label, dropdown]), self.feedback[item_id]],
                                     layout=widgets.Layout(margin="0 0 0.6em 0")))
        self.children = rows

    def show(self, item_id: str, value: str | None) -> None:
        self._updating = True
        try:
            options = [option[1] for option in self.dropdowns[item_id].options]
            self.dropdowns[item_id].value = value if value in options else None
        finally:
            self._updating = False

    def explain(self, item_id: str, feedback: Feedback | None, pending: str = "") -> None:
        self.feedback[item_id].value = feedback.as_html(self._folder) if feedback else pending

    def _changed(self, item_id: str):
        def handler(change) -> None:
            if not self._updating:
                self._on_choice(item_id, change["new"])
        return handler
