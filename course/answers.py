"""Answers given through widgets, kept in a small JSON file beside the notebook.

The file (``pm-course-answers.json`` in the notebook's folder) maps a widget id to
that widget's answers. It is written atomically (a temporary file renamed over the
old one) under a lock, so two kernels saving at once never leave half a file. It
travels with an nbgrader submission, where autograded test cells read it.

A file that is not valid JSON, or not shaped as written here, is never a crash:
:meth:`AnswerStore.load` raises :class:`AnswerFileError`, whose message a widget
shows, and the widget starts unanswered. The bad file is kept as it is until the
learner answers again, so nothing is destroyed silently.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock

from .errors import CourseError

ANSWER_FILE_NAME = "pm-course-answers.json"
_FORMAT_VERSION = 1


class AnswerFileError(CourseError):
    """The answer file exists but cannot be read as saved answers."""


def _lock_for(path: Path) -> FileLock:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:16]
    lock_dir = Path(tempfile.gettempdir()) / "pm-course-locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    return FileLock(str(lock_dir / f"{digest}.lock"), timeout=30)


class AnswerStore:
    """Reads and writes the answer file of one folder."""

    def __init__(self, folder: str | Path | None = None):
        self.path = Path(folder if folder is not None else os.getcwd()) / ANSWER_FILE_NAME

    def load(self) -> dict[str, Any]:
        """Every widget's answers, by widget id; empty when nothing was saved yet."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise AnswerFileError(f"Could not read your saved answers in {self.path.name}: {error}") from None
        try:
            content = json.loads(text)
        except ValueError:
            raise AnswerFileError(
                f"Your saved answers in {self.path.name} are damaged (not valid JSON), so this exercise starts "
                "unanswered. Answer again and the file is written afresh."
            ) from None
        answers = content.get("answers") if isinstance(content, dict) else None
        if not isinstance(answers, dict) or not all(isinstance(value, dict) for value in answers.values()):
            raise AnswerFileError(
                f"{self.path.name} does not hold answers in the form this course writes, so this exercise starts "
                "unanswered. Answer again and the file is written afresh."
            )
        return answers

    def answers_for(self, widget_id: str) -> dict[str, Any]:
        """One widget's answers (question id to answer); empty when none were saved."""
        return dict(self.load().get(widget_id, {}))

    def save(self, widget_id: str, answers: dict[str, Any]) -> None:
        """Replace one widget's answers, keeping every other widget's."""
        with _lock_for(self.path):
            try:
                everything = self.load()
            except AnswerFileError:
                everything = {}
            everything[widget_id] = answers
            self._write({"format": _FORMAT_VERSION, "answers": everything})

    def _write(self, content: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".answers-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(content, stream, indent=1, sort_keys=True)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
