"""The controls every answering widget builds the same way: its Check and Show answer buttons, and showing or hiding
a part of it.

Each button is a real ``<button>`` (reachable with Tab, pressed with Enter or Space) whose tooltip names what it
acts on, so a screen reader says which question it checks.
"""
from __future__ import annotations

import ipywidgets as widgets

BUTTON_WIDTH = "auto"


def check_button(what: str) -> widgets.Button:
    """A Check button: a real <button>, reachable with Tab and pressed with Enter or Space."""
    return widgets.Button(description="Check", tooltip=f"Check {what}", button_style="primary",
                          layout=widgets.Layout(width=BUTTON_WIDTH))


def show_answer_button(what: str) -> widgets.Button:
    """A Show answer button, offered once a first attempt has missed."""
    return widgets.Button(description="Show answer", tooltip=f"Show the answer to {what}",
                          layout=widgets.Layout(width=BUTTON_WIDTH, display="none"))


def set_visible(widget: widgets.DOMWidget, visible: bool) -> None:
    """Show ``widget`` in its place, or hide it (``display: none``: no room kept, skipped by Tab)."""
    widget.layout.display = None if visible else "none"
