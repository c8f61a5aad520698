"""Showing a rich object (a plot) in an Output widget, in a kernel and in a headless test alike."""
from __future__ import annotations

import ipywidgets as widgets


def replace_output(output: widgets.Output, shown: object) -> None:
    """Make ``shown`` the only thing ``output`` displays."""
    output.outputs = ()
    output.append_display_data(shown)
