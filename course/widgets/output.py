"""Showing things in a widget's children, in a kernel and in a headless test alike: a rich object (a plot) in an
Output widget, and what an HTML child shows as a read-only property of its widget."""
from __future__ import annotations

from typing import Any

import ipywidgets as widgets


def replace_output(output: widgets.Output, shown: object) -> None:
    """Make ``shown`` the only thing ``output`` displays."""
    output.outputs = ()
    output.append_display_data(shown)


class ShownHtml:
    """A read-only property: the HTML one of the widget's private HTML children shows (``story_html =
    ShownHtml("_story")``), for tests and the typed-answer interface, which read what a learner sees."""

    def __init__(self, child: str):
        self.child = child

    def __get__(self, owner: Any, owner_type: type | None = None) -> Any:
        return self if owner is None else getattr(owner, self.child).value
