"""Answers given through widgets, kept in a small JSON file beside the notebook.

The file (``pm-course-answers.json`` in the notebook's folder) maps a widget id to
that widget's answers (``answers``). Beside them it keeps the learner's *seed*, which fixes the
order in which options and choices are shown (and which variants of a graded item a student gets
where no hub user name decides it), and *sections*: per widget, what the widget wants to remember
besides the answers themselves (``attempts``: the first attempt of every item, which item analysis
uses; ``shown``: which items and option orders a graded widget showed; ``pools``: which items of a
pool a graded widget drew, and from which seed, see :mod:`course.exercises.variants`).

It is written atomically (a temporary file renamed over the old one) under a lock kept beside it
(``.pm-course-answers.json.lock``), so two kernels saving at once never leave half a file or lose
each other's answers. It travels with an nbgrader submission,
where autograded test cells read it.

A file that is not valid JSON, or not shaped as written here, is never a crash:
:meth:`AnswerStore.load` raises :class:`AnswerFileError`, whose message a widget
shows, and the widget starts unanswered. The bad file is kept as it is until the
learner answers again, so nothing is destroyed silently.
"""
from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

from filelock import FileLock

from course.errors import CourseError

ANSWER_FILE_NAME = "pm-course-answers.json"
_FORMAT_VERSION = 1
SECTIONS = ("attempts", "shown", "pools")


class AnswerFileError(CourseError):
    """The answer file exists but cannot be read as saved answers."""


def lock_path(answer_file: Path) -> Path:
    """The lock file of ``answer_file``: beside it, hidden (``.pm-course-answers.json.lock``)."""
    return answer_file.with_name(f".{answer_file.name}.lock")


def _lock_for(path: Path) -> FileLock:
    """The lock of one answer file, in the answer file's own folder (made if need be).

    Beside the file, every process that writes it takes the same lock, whatever its ``TMPDIR``; and on a JupyterHub
    with a system user per student each student locks in a folder of their own, so no shared folder belongs to
    whichever user came first. The lock file has the folder's read and write permissions: whoever may write the
    answer file may lock it.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(lock_path(path)), timeout=30, mode=path.parent.stat().st_mode & 0o666)


def _answer_folder(folder: Path) -> Path:
    """Where a notebook in ``folder`` keeps its answers: beside it, except in an assignment's instructor version.

    An answer file in ``<course>/solutions/<assignment>/`` would hold the key, and nbgrader copies every file of that
    folder to the students (``generate_assignment``); so an instructor running a solution notebook in place keeps the
    answers in ``<course>/.pm-course/instructor-answers/<assignment>/`` instead (git and nbgrader ignore it).
    """
    absolute = folder.absolute()
    course = absolute.parent.parent
    if absolute.parent.name == "solutions" and (course / "nbgrader_config.py").is_file():
        return course / ".pm-course" / "instructor-answers" / absolute.name
    return folder


class AnswerStore:
    """Reads and writes the answer file of one folder."""

    def __init__(self, folder: str | Path | None = None):
        self.path = _answer_folder(Path(folder if folder is not None else os.getcwd())) / ANSWER_FILE_NAME

    def load(self) -> dict[str, Any]:
        """Every widget's answers, by widget id; empty when nothing was saved yet."""
        return self._document()["answers"]

    def _document(self) -> dict[str, Any]:
        """The whole file, checked: ``answers`` and every section are objects of widget id to object."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"answers": {}}
        except OSError as error:
            raise AnswerFileError(f"Could not read your saved answers in {self.path.name}: {error}") from None
        try:
            content = json.loads(text)
        except (ValueError, RecursionError):
            raise AnswerFileError(
                f"Your saved answers in {self.path.name} are damaged (not valid JSON), so this exercise starts "
                "unanswered. Answer again and the file is written afresh."
            ) from None
        answers = content.get("answers") if isinstance(content, dict) else None
        if not _widget_map(answers) or not all(_widget_map(content.get(name, {})) for name in SECTIONS):
            raise AnswerFileError(
                f"{self.path.name} does not hold answers in the form this course writes, so this exercise starts "
                "unanswered. Answer again and the file is written afresh."
            )
        return content

    def answers_for(self, widget_id: str) -> dict[str, Any]:
        """One widget's answers (question id to answer); empty when none were saved."""
        return dict(self.load().get(widget_id, {}))

    def section_for(self, section: str, widget_id: str) -> dict[str, Any]:
        """What one widget keeps in a section (``attempts`` or ``shown``); empty when nothing was kept."""
        return dict(self._document().get(_checked_section(section), {}).get(widget_id, {}))

    def save(self, widget_id: str, answers: dict[str, Any], **sections: dict[str, Any]) -> None:
        """Replace one widget's answers (and, when given, its part of each named section), keeping the rest."""
        for name in sections:
            _checked_section(name)
        with _lock_for(self.path):
            document = self._document_or_fresh()
            document["answers"][widget_id] = answers
            for name, value in sections.items():
                document.setdefault(name, {})[widget_id] = value
            self._write(document)

    def keep(self, section: str, widget_id: str, value: dict[str, Any]) -> None:
        """Replace one widget's part of a section, leaving its answers and everything else as they are."""
        _checked_section(section)
        with _lock_for(self.path):
            document = self._document_or_fresh()
            document.setdefault(section, {})[widget_id] = value
            self._write(document)

    def seed(self) -> str:
        """The learner's seed: the hub user name where there is one, else a random one kept in the file.

        On a JupyterHub the user name is also the nbgrader student id, so the grader can work out what a
        student was shown without trusting the file; elsewhere the seed is made once and saved.
        """
        # in a read-only folder the seed is not kept, but the order is still stable for this session
        return self._settle_seed(f"random:{secrets.token_hex(8)}", unwritable_ok=True)

    def known_seed(self) -> str | None:
        """The learner's seed if one is already decided (hub user name, or kept in a readable file); never writes.

        A widget that finds the file damaged uses it to avoid :meth:`seed`, which would write a fresh file over the
        damaged one before the learner has answered.
        """
        hub_user = os.environ.get("JUPYTERHUB_USER")
        if hub_user:
            return f"user:{hub_user}"
        try:
            saved = self._document().get("seed")
        except AnswerFileError:
            return None
        return saved if isinstance(saved, str) and saved else None

    def adopt_seed(self, proposed: str) -> str:
        """Keep ``proposed`` as the seed unless one is already decided; the seed in force.

        A widget that showed options from a seed of its own (the file was damaged) calls it once the learner's
        answer has replaced the file, so the order the learner saw stays the same in later sessions.
        """
        return self._settle_seed(proposed)

    def _settle_seed(self, proposed: str, unwritable_ok: bool = False) -> str:
        """The seed already decided, or ``proposed`` kept in the file as the seed from now on."""
        known = self.known_seed()
        if known:
            return known
        try:
            lock = _lock_for(self.path)
            lock.acquire()
        except OSError:
            if not unwritable_ok:
                raise
            return proposed  # a folder the learner cannot write: the seed holds for this session only
        try:
            document = self._document_or_fresh()
            if not (isinstance(document.get("seed"), str) and document["seed"]):
                document["seed"] = proposed
                try:
                    self._write(document)
                except OSError:
                    if not unwritable_ok:
                        raise
            return document["seed"]
        finally:
            lock.release()

    def _document_or_fresh(self) -> dict[str, Any]:
        try:
            document = self._document()
        except AnswerFileError:
            document = {"answers": {}}
        document["format"] = _FORMAT_VERSION
        return document

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


def _widget_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(item, dict) for item in value.values())


def _checked_section(name: str) -> str:
    if name not in SECTIONS:
        raise ValueError(f"unknown answer-file section {name!r}; known: {', '.join(SECTIONS)}")
    return name
