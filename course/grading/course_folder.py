"""An nbgrader course folder as the grading pipeline sees it: its config, its folders, its students."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ..errors import CourseError

CONFIG_FILE = "nbgrader_config.py"


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
        return cls(root, db_url, cell_timeout, notebook_timeout)

    def config(self):
        """nbgrader's configuration from the folder's config file, with the gradebook URL if one was given."""
        from traitlets.config.loader import PyFileConfigLoader

        config = PyFileConfigLoader(CONFIG_FILE, path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        if self.db_url:
            config.CourseDirectory.db_url = self.db_url
        if self.cell_timeout is not None:
            config.ExecutePreprocessor.timeout = int(max(1, self.cell_timeout))
        if self.notebook_timeout is not None:
            config.ExecuteWithinDeadline.notebook_timeout = float(self.notebook_timeout)
        return config

    @property
    def gradebook_url(self) -> str:
        return self.db_url or f"sqlite:///{self.root / 'gradebook.db'}"

    def source(self, assignment: str) -> Path:
        return self.root / "solutions" / assignment

    def submitted(self, student: str | None = None, assignment: str | None = None) -> Path:
        path = self.root / "submitted"
        if student:
            path = path / student
        if assignment:
            path = path / assignment
        return path

    def autograded(self, student: str, assignment: str) -> Path:
        return self.root / "autograded" / student / assignment

    def released_notebooks(self, assignment: str) -> list[str]:
        folder = self.root / "exercises" / assignment
        if not folder.is_dir():
            folder = self.source(assignment)
        return sorted(path.name for path in folder.glob("*.ipynb"))

    def assignments(self) -> list[str]:
        return sorted(path.name for path in (self.root / "solutions").iterdir() if path.is_dir())

    def require_assignment(self, assignment: str) -> None:
        if assignment not in self.assignments():
            known = ", ".join(self.assignments()) or "none"
            raise CourseError(f"there is no assignment '{assignment}' in {self.root / 'solutions'} (known: {known})")

    def students_with_folders(self) -> list[str]:
        folder = self.submitted()
        return sorted(path.name for path in folder.iterdir() if path.is_dir()) if folder.is_dir() else []

    def pipeline_dir(self, assignment: str) -> Path:
        path = self.root / ".pm-course" / "grading" / assignment
        path.mkdir(parents=True, exist_ok=True)
        return path


def fingerprint_folder(folder: Path) -> str:
    """A digest of every file's path and bytes under ``folder`` (empty folder: the digest of nothing)."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()
