"""Accessible names for groups of controls, which ipywidgets cannot give from Python.

ipywidgets 8 ties a Dropdown's description to its ``<select>`` (a ``<label for>``), so a dropdown is named by its
description. A RadioButtons widget is drawn as a plain ``div.widget-radio-box`` of radio inputs beside an unrelated
label, and a set of Checkboxes as plain divs: a screen reader announces each option but not the question. ipywidgets
has no attribute for ARIA roles, so a tiny script does it (run by an image that cannot load, the one way an HTML
widget runs code, as the trade-off simulator names its sliders): in every element of class :data:`LABELLED_GROUP`
inside the widget, the radio box, or the element of class :data:`GROUP`, becomes ``role="radiogroup"`` (or
``"group"``) with ``aria-labelledby`` the element of class :data:`GROUP_LABEL`, the question's visible prompt.
"""
from __future__ import annotations

LABELLED_GROUP = "pm-labelled-group"  # a container holding one group of controls and the text that names it
GROUP_LABEL = "pm-group-label"  # the class of the element (inside an HTML widget) whose text names the group
GROUP = "pm-group"  # a container of controls that form a group (checkboxes); a radio box is found by its own class
NAMED_GROUPS = "pm-named-groups"  # the widget the script works in

NAME_THE_GROUPS = (
    '<img src="data:," alt="" style="display:none" onerror="'
    f"var root = this.closest('.{NAMED_GROUPS}'), tries = 0;"
    "var timer = setInterval(function () {"
    f" var blocks = root ? root.querySelectorAll('.{LABELLED_GROUP}') : [], named = 0;"
    " blocks.forEach(function (block) {"
    f"  var label = block.querySelector('.{GROUP_LABEL}');"
    f"  var group = block.querySelector('.widget-radio-box, .{GROUP}');"
    "  if (!label || !group) { return; }"
    "  if (!label.id) { label.id = 'pm-group-label-' + Math.random().toString(36).slice(2); }"
    "  group.setAttribute('role', group.classList.contains('widget-radio-box') ? 'radiogroup' : 'group');"
    "  group.setAttribute('aria-labelledby', label.id); named += 1; });"
    " if ((blocks.length && named === blocks.length) || ++tries > 100) { clearInterval(timer); } }, 100);"
    '">'
)
