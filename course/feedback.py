"""Feedback on one answer: whether it is right, why, and where the lesson teaches it."""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path


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

    def html(self, from_dir: str | Path = ".") -> str:
        label = f"lesson {self.lesson}, section “{escape(self.section)}”"
        href = self.href(from_dir)
        style = "color:#1a5fb4;text-decoration:underline"
        return f'<a href="{escape(href)}" target="_blank" style="{style}">{label}</a>' if href else label

    def text(self) -> str:
        return f"lesson {self.lesson}, section “{self.section}”"


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer, with one explanation per point worth making."""

    correct: bool
    explanations: tuple[str, ...] = field(default_factory=tuple)
    see: SectionLink | None = None

    def as_text(self) -> str:
        head = "Right." if self.correct else "Not yet."
        parts = [head, *self.explanations]
        if self.see and not self.correct:
            parts.append(f"Review {self.see.text()}.")
        return " ".join(parts)

    def as_html(self, from_dir: str | Path = ".") -> str:
        colour, head = ("#1a7f37", "✔ Right.") if self.correct else ("#b35900", "✘ Not yet.")
        items = "".join(f"<li>{escape(text)}</li>" for text in self.explanations)
        review = f"<div>Review {self.see.html(from_dir)}.</div>" if self.see and not self.correct else ""
        return f'<div style="color:{colour}"><b>{head}</b></div><ul>{items}</ul>{review}'
