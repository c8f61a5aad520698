"""A view shared by widgets whose exercise is one choice per item: a label, a dropdown, its buttons and feedback.

Each dropdown carries the item's text as its programmatic label (read by screen readers; the visible
text sits beside it). Given ``on_check``, each row has a Check button; given ``on_reveal``, a Show answer
button that the owning widget shows once a first attempt has missed. Every change goes at once to ``on_choice``.
"""
from __future__ import annotations

from html import escape
from typing import Callable, Sequence

import ipywidgets as widgets

from course.widgets.controls import check_button, show_answer_button

NOT_CHOSEN = "— choose —"
UNCHOSEN = ""  # the placeholder's value: with None, ipywidgets selects no option and the placeholder never shows


class ChoiceRows(widgets.VBox):
    """Rows of (item text, dropdown of options, feedback); calls ``on_choice(item_id, value)`` on each change."""

    def __init__(self, items: Sequence[tuple[str, str]], options: Sequence[tuple[str, str]],
                 on_choice: Callable[[str, str | None], None], label_width: str = "55%",
                 on_check: Callable[[str], None] | None = None, on_reveal: Callable[[str], None] | None = None,
                 choice_width: str = "220px"):
        super().__init__()
        self._on_choice = on_choice
        self._updating = False
        self.dropdowns: dict[str, widgets.Dropdown] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        self.checks: dict[str, widgets.Button] = {}
        self.reveals: dict[str, widgets.Button] = {}
        rows = []
        for item_id, text in items:
            dropdown = widgets.Dropdown(options=[(NOT_CHOSEN, UNCHOSEN), *options], value=UNCHOSEN, description=text,
                                        style={"description_width": "0px"}, layout=widgets.Layout(width=choice_width))
            dropdown.observe(self._changed(item_id), names="value")
            self.dropdowns[item_id], self.feedback[item_id] = dropdown, widgets.HTML()
            label = widgets.HTML(f"{escape(text)}", layout=widgets.Layout(width=label_width))
            line = [label, dropdown]
            if on_check is not None:
                self.checks[item_id] = check_button(f"your choice for “{text}”")
                self.checks[item_id].on_click(lambda _button, item=item_id: on_check(item))
                line.append(self.checks[item_id])
            if on_reveal is not None:
                self.reveals[item_id] = show_answer_button(f"“{text}”")
                self.reveals[item_id].on_click(lambda _button, item=item_id: on_reveal(item))
                line.append(self.reveals[item_id])
            rows.append(widgets.VBox([widgets.HBox(line), self.feedback[item_id]],
                                     layout=widgets.Layout(margin="0 0 0.6em 0")))
        self.children = rows

    def show(self, item_id: str, value: str | None) -> None:
        self._updating = True
        try:
            options = [option[1] for option in self.dropdowns[item_id].options]
            self.dropdowns[item_id].value = value if value in options and value else UNCHOSEN
        finally:
            self._updating = False

    def controls(self, item_id: str) -> dict[str, widgets.DOMWidget]:
        """The row's dropdown (``choice``) and, where it has them, its ``check`` and ``show_answer`` buttons."""
        buttons = {"check": self.checks.get(item_id), "show_answer": self.reveals.get(item_id)}
        return {"choice": self.dropdowns[item_id], **{name: button for name, button in buttons.items() if button}}

    def _changed(self, item_id: str):
        def handler(change) -> None:
            if not self._updating:
                self._on_choice(item_id, change["new"] or None)
        return handler
