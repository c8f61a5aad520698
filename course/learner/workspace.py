"""The learner's workspace: the course's lessons and exercises, copied where the learner can edit them.

Copying never overwrites the learner's work. A manifest in ``.pm-course/manifest.json``
records the fingerprint of every file as it was copied; on a later start a file is
replaced by a newer course version only while it still matches that fingerprint
(the learner has not touched it). A file the learner changed, or one the manifest
does not know, is always left as it is.

Besides the lessons and exercises, the workspace holds every file a lesson cites by its path (the data sets in
``data/`` with their description ``data/README.md``, and the release model ``course/exercises/tradeoff.py``, whose
docstring documents it), so a learner can open what the text points to. They are copied read-only: they are the course's
record, not the learner's work.
"""
from __future__ import annotations

import hashlib
import json
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from course.content.json_data import read_record
from course.errors import CourseError
from course.paths import LESSONS_DIR, PACKAGE_DIR, data_dir, exercises_dir

MANIFEST = Path(".pm-course") / "manifest.json"
_SKIPPED_PARTS = {".ipynb_checkpoints", "__pycache__"}
# A path a lesson cites, in code style: `data/portfolio.csv`, `course/exercises/tradeoff.py`.
_CITED_PATH = re.compile(r"`((?:data|course)/[A-Za-z0-9_./-]+?)`")
READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


@dataclass
class SyncReport:
    """What a sync did, file by file (paths relative to the workspace)."""

    copied: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        lines = [f"{len(self.copied)} file(s) copied, {len(self.updated)} updated to the course's newer version, "
                 f"{len(self.unchanged)} already up to date."]
        if self.kept_edited:
            lines.append(f"{len(self.kept_edited)} file(s) you changed were kept as they are "
                         "(the course has a different version of them):")
            lines += [f"  {path}" for path in self.kept_edited]
        return "\n".join(lines)


def course_files() -> dict[str, Path]:
    """Every file a workspace receives, by its path inside the workspace."""
    files: dict[str, Path] = {}
    for prefix, root in (("lessons", LESSONS_DIR), ("exercises", exercises_dir())):
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and not (_SKIPPED_PARTS & set(path.relative_to(root).parts)) and path.suffix != ".pyc":
                files[f"{prefix}/{path.relative_to(root).as_posix()}"] = path
    files.update(cited_files())
    return files


def cited_files() -> dict[str, Path]:
    """Every data file and course module a lesson cites by path, by that path (copied read-only)."""
    roots = {"data": data_dir(), "course": PACKAGE_DIR}
    cited: dict[str, Path] = {}
    for lesson in sorted(LESSONS_DIR.glob("*.ipynb")):
        for relative in _CITED_PATH.findall(lesson.read_text(encoding="utf-8")):
            top, _, rest = relative.partition("/")
            source = roots[top] / rest
            if source.is_file() and ".." not in Path(rest).parts:
                cited[relative] = source
    return dict(sorted(cited.items()))


def is_read_only(relative: str) -> bool:
    """Whether the workspace keeps this file read-only (a cited course file, not the learner's work)."""
    return relative.split("/", 1)[0] in ("data", "course")


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync_workspace(workspace: str | Path) -> SyncReport:
    """Copy the course into ``workspace``, keeping every file the learner has changed."""
    workspace = Path(workspace).expanduser()
    if workspace.exists() and not workspace.is_dir():
        raise CourseError(f"{workspace} is a file, not a folder: choose another place with --dir.")
    try:
        workspace.mkdir(parents=True, exist_ok=True)
        manifest = read_record(workspace / MANIFEST)  # missing or damaged: no file counts as the course's
        report = SyncReport()
        for relative, source in course_files().items():
            target = workspace / relative
            shipped = fingerprint(source)
            if not target.exists():
                _copy(source, target, is_read_only(relative))
                report.copied.append(relative)
            else:
                current = fingerprint(target)
                if current == shipped:
                    report.unchanged.append(relative)
                elif manifest.get(relative) == current:
                    _copy(source, target, is_read_only(relative))
                    report.updated.append(relative)
                else:
                    report.kept_edited.append(relative)
                    continue
            manifest[relative] = shipped
        _write_manifest(workspace, manifest)
    except PermissionError as error:
        raise CourseError(f"Cannot write to {error.filename or workspace}: choose a folder you can write to "
                          "with --dir.") from None
    return report


def _copy(source: Path, target: Path, read_only: bool = False) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.copying")
    temporary.unlink(missing_ok=True)
    shutil.copyfile(source, temporary)
    if read_only:
        temporary.chmod(READ_ONLY)
    temporary.replace(target)


def _write_manifest(workspace: Path, manifest: dict[str, str]) -> None:
    path = workspace / MANIFEST
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    temporary.replace(path)
