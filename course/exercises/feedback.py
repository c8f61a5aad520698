"""Feedback on one answer, and the record of a learner's attempts that decides how much it may say.

Feedback teaches before it tells: a first wrong attempt hears why the chosen answer is wrong, a hint
and where the lesson teaches the point, never the answer; the answer and its reason come after a
second wrong attempt or when the learner asks for them (Shute 2008; see
``/work/shared/reference/assessment-design.md``). :class:`Attempts` keeps what that needs, per item:
the first answer checked (which item statistics use), how many were checked and missed, and whether
the answer was shown. Every answering widget stores it in the answer file's ``attempts`` section and
rebuilds the item's feedback from it when it is created again.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Mapping

from course.content.sections import SectionLink


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer, with one explanation per point worth making.

    ``correct`` is None when no verdict is given (the answer shown on request, before any answer).
    ``hint`` is what to reconsider after a miss; ``answer`` holds the right answer and its reason, and
    is filled only once the learner may see it.
    """

    correct: bool | None
    explanations: tuple[str, ...] = field(default_factory=tuple)
    see: SectionLink | None = None
    hint: str | None = None
    answer: tuple[str, ...] = field(default_factory=tuple)

    @property
    def head(self) -> str:
        return {True: "Right.", False: "Not yet."}.get(self.correct, "The answer.")

    def as_text(self) -> str:
        parts = [self.head, *self.explanations]
        if self.hint:
            parts.append(f"Hint: {self.hint}")
        if self.answer:
            parts.append(f"The answer: {' '.join(self.answer)}")
        if self.see and not self.correct:
            parts.append(f"Review {self.see.text()}.")
        return " ".join(parts)

    def as_html(self, from_dir: str | Path = ".") -> str:
        colour, mark = {True: ("#1a7f37", "✔"), False: ("#b35900", "✘")}.get(self.correct, ("#1a5fb4", "ℹ"))
        items = "".join(f"<li>{escape(text)}</li>" for text in self.explanations)
        parts = [f'<div style="color:{colour}"><b>{mark} {escape(self.head)}</b></div>']
        if items:
            parts.append(f"<ul>{items}</ul>")
        if self.hint:
            parts.append(f"<div><b>Hint:</b> {escape(self.hint)}</div>")
        if self.answer:
            shown = "".join(f"<li>{escape(text)}</li>" for text in self.answer)
            parts.append(f"<div><b>The answer:</b><ul>{shown}</ul></div>")
        if self.see and not self.correct:
            parts.append(f"<div>Review {self.see.html(from_dir)}.</div>")
        return "".join(parts)


@dataclass
class Attempts:
    """One item's checked answers: the first (what item statistics use), how many, how many missed, and
    whether the learner asked to see the answer.

    ``correct`` is None for an item without a key (graded work): its attempts are recorded, never judged.
    """

    count: int = 0
    misses: int = 0
    first: Any = None
    first_correct: bool | None = None
    last: Any = None
    last_correct: bool | None = None
    revealed: bool = False

    def record(self, answer: Any, correct: bool | None) -> bool:
        """Count ``answer`` as checked; False (nothing counted) when it is the answer checked last time."""
        if self.count and answer == self.last:
            return False
        if not self.count:
            self.first, self.first_correct = answer, correct
        self.count += 1
        self.misses += correct is False
        self.last, self.last_correct = answer, correct
        return True

    def reveal(self) -> None:
        self.revealed = True

    @property
    def answer_shown(self) -> bool:
        """Whether the right answer may be shown: after a second miss, or once the learner asked for it."""
        return self.revealed or self.misses >= 2

    def verdict_on(self, answer: Any) -> bool | None:
        """The verdict last given, if ``answer`` is the answer it was given on; else None (not checked yet)."""
        return self.last_correct if self.count and answer == self.last else None

    def checked(self, answer: Any) -> bool:
        """Whether ``answer`` is the answer checked last (so its feedback stands)."""
        return bool(self.count) and answer == self.last

    def as_record(self) -> dict[str, Any]:
        """The form kept in the answer file's ``attempts`` section (documented in ``data/README.md``)."""
        return {"first": self.first, "first_correct": self.first_correct, "count": self.count,
                "misses": self.misses, "revealed": self.revealed, "last": self.last,
                "last_correct": self.last_correct}

    @classmethod
    def from_record(cls, raw: Any) -> Attempts:
        """Attempts as saved; anything malformed (a hand-edited file) counts as no attempt yet."""
        if not isinstance(raw, Mapping):
            return cls()
        count, misses = raw.get("count"), raw.get("misses", 0)
        if not (isinstance(count, int) and isinstance(misses, int) and 0 <= misses <= count):
            return cls()
        verdicts = [raw.get(name) for name in ("first_correct", "last_correct")]
        if not all(verdict in (True, False, None) for verdict in verdicts):
            return cls()
        return cls(count, misses, raw.get("first"), verdicts[0], raw.get("last"), verdicts[1],
                   raw.get("revealed") is True)


def attempts_by_item(section: Mapping[str, Any]) -> dict[str, Attempts]:
    """A widget's ``attempts`` section as :class:`Attempts` per item id."""
    return {str(item): Attempts.from_record(raw) for item, raw in section.items()}
