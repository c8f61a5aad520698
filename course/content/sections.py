"""Links to a section of a lesson: where the course teaches a point, for feedback and the data files that cite it.

Content (the case library, the misconception catalogue) and exercise feedback both name a lesson's H2 section, so
the link lives with the content, and feedback imports it from here. :meth:`SectionLink.html` opens the lesson in
the learner's JupyterLab, scrolled to the heading.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path

# Set by ``pm-course start`` (and the hub's student config) for kernels: the folder JupyterLab serves.
SERVER_ROOT_VARIABLE = "PM_COURSE_SERVER_ROOT"
# JupyterLab asks a lesson it has just opened for the section before the lesson has drawn its cells, and stays at
# the top. So the link, once the heading is drawn in the current tab, clicks itself once more (the lesson is then
# only revealed) when the heading is not near the top of the tab; that second click is left to JupyterLab alone.
_SCROLL_WHEN_DRAWN = " ".join((
    "var link = this; if (link.dataset.pmAgain) { delete link.dataset.pmAgain; return; }",
    "var id = CSS.escape(link.dataset.pmSection), tries = 0;",
    "var timer = setInterval(function () {",
    "if (++tries > 60) { clearInterval(timer); return; } var heading = null, panel = null;",
    "document.querySelectorAll('.lm-DockPanel-tabBar .lm-TabBar-tab.lm-mod-current').forEach(function (tab) {",
    "var p = document.getElementById(tab.dataset.id);",
    "var h = p && p.querySelector('[data-jupyter-id=\"' + id + '\"], [id=\"' + id + '\"]');",
    "if (h) { heading = h; panel = p; } });",
    "if (!heading) { return; } clearInterval(timer);",
    "var box = panel.getBoundingClientRect(), at = heading.getBoundingClientRect().top;",
    "if (at < box.top || at > box.top + box.height / 3) { link.dataset.pmAgain = '1'; link.click(); }",
    "}, 250);",
))


@dataclass(frozen=True)
class SectionLink:
    """A heading in a lesson notebook, e.g. ``SectionLink("01-two-pms", "The project manager")``."""

    lesson: str
    section: str

    @property
    def anchor(self) -> str:
        """The fragment JupyterLab gives the heading: its text with spaces as hyphens."""
        return re.sub(r"\s+", "-", self.section.strip())

    def href(self, from_dir: str | Path = ".") -> str | None:
        """A relative link to the section from ``from_dir``, or None when the lesson is not nearby."""
        from_dir = Path(from_dir)
        nearby = (from_dir, from_dir / "lessons", from_dir.parent / "lessons", from_dir.parent.parent / "lessons")
        for lessons in nearby:
            notebook = lessons / f"{self.lesson}.ipynb"
            if notebook.is_file():
                return f"{Path(os.path.relpath(notebook, from_dir)).as_posix()}#{self.anchor}"
        return None

    def server_path(self, from_dir: str | Path = ".") -> str | None:
        """The lesson's path from the Jupyter server's root (``$PM_COURSE_SERVER_ROOT``), or None when unknown."""
        href, root = self.href(from_dir), os.environ.get(SERVER_ROOT_VARIABLE)
        if not (href and root):
            return None
        notebook = (Path(from_dir) / href.split("#", 1)[0]).resolve()
        try:
            return notebook.relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            return None

    def html(self, from_dir: str | Path = ".") -> str:
        """A link that opens the lesson at this section in the same JupyterLab (no new tab, no reload).

        JupyterLab runs the command named in ``data-commandlinker-command`` on a click (the command its own
        Markdown links use); the ``href`` (a relative ``/lab/tree/`` address, same tab) serves anywhere else.
        """
        label = f"lesson {self.lesson}, section “{escape(self.section)}”"
        href = self.href(from_dir)
        if not href:
            return label
        style = "color:#1a5fb4;text-decoration:underline"
        command = ""
        path = self.server_path(from_dir)
        if path:
            # "#heading=" finds the heading in the notebook's model, even where a long notebook has not drawn it yet
            arguments = json.dumps({"path": path, "id": f"#heading={self.anchor}"})
            command = (f' data-commandlinker-command="rendermime:handle-local-link"'
                       f' data-commandlinker-args="{escape(arguments)}" data-pm-section="{escape(self.anchor)}"'
                       f' onclick="{escape(_SCROLL_WHEN_DRAWN)}"')
        return f'<a href="{escape(href)}"{command} style="{style}">{label}</a>'

    def text(self) -> str:
        return f"lesson {self.lesson}, section “{self.section}”"
