"""An nbgrader course folder as the grading pipeline sees it: its config, its folders, its students.

Every folder nbgrader reads or writes (``solutions/``, ``exercises/``, ``submitted/<student>/<assignment>/``,
``autograded/``, ``feedback/``) and the gradebook's URL come from nbgrader's own ``CourseDirectory``, configured by
the course's ``nbgrader_config.py``: the pipeline and nbgrader cannot disagree on where anything is. The gradebook
is ``--db URL`` when given, else ``c.CourseDirectory.db_url`` in the config file, else nbgrader's default,
``gradebook.db`` in the folder.
A student is a folder of ``submitted/`` whose name is a valid student id (:mod:`.submission_files`);
anything else there is a stray, reported and never graded.
"""
from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from course.errors import CourseError
from course.grading.pipeline.submission_files import printable, scan_folder, valid_student_id

if TYPE_CHECKING:
    from nbgrader.coursedir import CourseDirectory

CONFIG_FILE = "nbgrader_config.py"
DB_URL_SCHEMES = ("sqlite", "postgresql", "mysql", "mariadb")


@dataclass(frozen=True)
class CourseFolder:
    root: Path
    db_url: str | None = None
    cell_timeout: float | None = None  # seconds, instead of the config file's
    notebook_timeout: float | None = None

    @classmethod
    def at(cls, root: str | Path, db_url: str | None = None, cell_timeout: float | None = None,
           notebook_timeout: float | None = None) -> "CourseFolder":
        root = Path(root).expanduser().resolve()
        if not (root / CONFIG_FILE).is_file():
            raise CourseError(f"{root} is not a course folder: it has no {CONFIG_FILE}. Run the command inside the "
                              "course folder, or name it with --course.")
        for name, value in (("--cell-timeout", cell_timeout), ("--notebook-timeout", notebook_timeout)):
            if value is not None and value <= 0:
                raise CourseError(f"{name} must be a number of seconds above 0, not {value:g}")
        if db_url is not None:
            check_db_url(db_url, "--db", root)
        return cls(root, db_url, cell_timeout, notebook_timeout)

    def config(self):
        """nbgrader's configuration from the folder's config file, with the gradebook URL if one was given."""
        config = _load_config(self.root)
        config.CourseDirectory.root = str(self.root)
        if self.db_url:
            config.CourseDirectory.db_url = self.db_url
        if self.cell_timeout is not None:
            config.ExecutePreprocessor.timeout = int(max(1, self.cell_timeout))
        if self.notebook_timeout is not None:
            config.ExecuteWithinDeadline.notebook_timeout = float(self.notebook_timeout)
        return config

    @property
    def layout(self) -> "CourseDirectory":
        """nbgrader's ``CourseDirectory`` for this folder (its folder names, path format and gradebook URL), read
        once per folder and ``--db``; only read, never changed."""
        return _course_directory(self.root, self.db_url)

    @property
    def gradebook_url(self) -> str:
        """``--db``, else the config file's ``c.CourseDirectory.db_url``, else nbgrader's default (``gradebook.db``
        in the folder)."""
        return self.layout.db_url

    def require_gradebook(self) -> None:
        """Open the gradebook once, so that a wrong or unreachable database is one line, not a traceback."""
        open_gradebook_or_explain(self.gradebook_url)

    def _folder(self, step: str, student: str = ".", assignment: str = ".") -> Path:
        """nbgrader's folder for one step (``submitted_directory`` ...), of one student and assignment or of all
        (``.``: pathlib drops it, as nbgrader's own ``format_path(step, ".", assignment)`` for the source does)."""
        return Path(self.layout.format_path(step, student, assignment))

    def source(self, assignment: str) -> Path:
        return self._folder(self.layout.source_directory, assignment=assignment)

    def submitted(self, student: str | None = None, assignment: str | None = None) -> Path:
        return self._folder(self.layout.submitted_directory, student or ".", assignment or ".")

    def autograded(self, student: str, assignment: str) -> Path:
        return self._folder(self.layout.autograded_directory, student, assignment)

    def feedback(self, student: str, assignment: str) -> Path:
        return self._folder(self.layout.feedback_directory, student, assignment)

    def released_folder(self, assignment: str) -> Path:
        """The student version of the assignment, else (never generated yet) the instructor's."""
        folder = self._folder(self.layout.release_directory, assignment=assignment)
        return folder if folder.is_dir() else self.source(assignment)

    def released_notebooks(self, assignment: str) -> list[str]:
        return sorted(path.name for path in self.released_folder(assignment).glob("*.ipynb"))

    def assignments(self) -> list[str]:
        return sorted(path.name for path in self._folder(self.layout.source_directory).iterdir() if path.is_dir())

    def require_assignment(self, assignment: str) -> None:
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none"
            raise CourseError(f"there is no assignment '{assignment}' in {self._folder(self.layout.source_directory)} "
                              f"(known: {known})")

    def students_with_folders(self) -> list[str]:
        """Every folder of ``submitted/`` named by a valid student id (never through a link)."""
        return [name for name, problem in self.submitted_entries() if problem is None]

    def strays(self) -> list[str]:
        """What else ``submitted/`` holds, one line each: not graded, never taken for a student."""
        return [f"submitted/{printable(name)}: {problem}" for name, problem in self.submitted_entries() if problem]

    def submitted_entries(self) -> list[tuple[str, str | None]]:
        folder = self.submitted()
        try:
            entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
        except OSError:
            return []
        listed = []
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            if not stat.S_ISDIR(mode):
                from course.grading.pipeline.submission_files import kind_of

                listed.append((entry.name, f"is {kind_of(mode)}, not a student's folder: ignored"))
            elif not valid_student_id(entry.name):
                listed.append((entry.name, "is not a valid student id (letters, digits, '.', '_' and '-' only): "
                                           "not graded"))
            else:
                listed.append((entry.name, None))
        return listed

    def pipeline_dir(self, assignment: str) -> Path:
        path = self.root / ".pm-course" / "grading" / assignment
        path.mkdir(parents=True, exist_ok=True)
        return path


def fingerprint_folder(folder: Path) -> str:
    """A digest of every regular file's path and bytes under ``folder`` (empty or missing folder: the digest of
    nothing), and of whatever else it holds (a link, a pipe, an oversized file: named, never read)."""
    digest = hashlib.sha256()
    try:
        is_folder = stat.S_ISDIR(os.lstat(folder).st_mode)
    except OSError:
        is_folder = False
    if is_folder:
        scan = scan_folder(folder)
        for relative in sorted(scan.files):
            digest.update(relative.encode() + b"\0")
            try:
                fd = os.open(folder / relative, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
                inner = hashlib.sha256()
                with os.fdopen(fd, "rb") as stream:
                    while chunk := stream.read(1 << 20):
                        inner.update(chunk)
                digest.update(inner.digest())
            except OSError:
                digest.update(b"unreadable")
        for problem in scan.problems:
            digest.update(b"\1" + problem.encode())
    return digest.hexdigest()


def check_db_url(url: str, where: str, base: Path | None = None) -> None:
    """A gradebook location must be a database URL; a bare file name is a one-line message saying what to write."""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower() if "://" in url else ""
    if scheme not in DB_URL_SCHEMES:
        named = Path(url).expanduser()
        hint = f"sqlite:///{(named if named.is_absolute() else (base or Path.cwd()) / named).resolve()}" \
            if url and "://" not in url else "sqlite:////path/to/gradebook.db"
        raise CourseError(f"{where} takes a database URL such as {hint} or postgresql://user@host/course, "
                          f"not {printable(url)!r}")


def open_gradebook_or_explain(url: str) -> None:
    """Connect to the gradebook with a short timeout; any failure is a CourseError of one line."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

    check_db_url(url, "the gradebook URL")
    shown = _without_password(url)
    arguments = {"connect_timeout": 5} if url.startswith(("postgresql", "mysql", "mariadb")) else {}
    try:
        engine = create_engine(url, connect_args=arguments)
    except NoSuchModuleError:
        raise CourseError(f"the gradebook {shown} needs a database driver that is not installed "
                          "(for PostgreSQL: pip install '.[postgres]')") from None
    except (ArgumentError, ValueError) as error:
        raise CourseError(f"the gradebook URL {shown} is not valid: {printable(error, 160)}") from None
    except ImportError as error:
        raise CourseError(f"the gradebook {shown} needs a database driver that is not installed ({error.name}; "
                          "for PostgreSQL: pip install '.[postgres]')") from None
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except ImportError as error:
        raise CourseError(f"the gradebook {shown} needs a database driver that is not installed ({error.name})") \
            from None
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()
        raise CourseError(f"cannot open the gradebook {shown}: {printable(reason[0] if reason else error, 200)}") \
            from None
    finally:
        engine.dispose()


def _without_password(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL: show it cut short rather than fail here
        return printable(url, 60)


def _load_config(root: Path):
    """The course's ``nbgrader_config.py``, freshly loaded (callers change their copy); a broken file is one line."""
    from traitlets.config.loader import PyFileConfigLoader

    try:
        return PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    except Exception as error:  # the instructor's own config file: say which file is broken
        raise CourseError(f"{root / CONFIG_FILE} could not be read: {printable(error, 200)}") from None


@lru_cache(maxsize=16)
def _course_directory(root: Path, db_url: str | None) -> "CourseDirectory":
    """nbgrader's ``CourseDirectory`` as the course's config file and ``--db`` configure it, with the config
    file's ``db_url``, if it sets one, checked to be a database URL."""
    from nbgrader.coursedir import CourseDirectory  # (nbgrader takes seconds to import: only once it is needed)

    config = _load_config(root)
    configured = config.CourseDirectory.get("db_url") if "CourseDirectory" in config else None
    if configured and not db_url:
        check_db_url(str(configured), f"c.CourseDirectory.db_url in {CONFIG_FILE}")
    config.CourseDirectory.root = str(root)
    if db_url:
        config.CourseDirectory.db_url = db_url
    return CourseDirectory(config=config)
