"""Handed-in files are hostile until checked: what may be read, copied or unpacked, and who it belongs to.

Every path a student controls (a folder in ``submitted/``, a submission in nbgrader's exchange, a file or zip
from an LMS download) is looked at with ``lstat`` before anything opens it: only regular files are read or
copied, so a symbolic link (to the instructor's solution, to another student's work, to ``/dev/zero``), a named
pipe (which would block the reader for ever) or a device is never followed; sizes, file counts and folder
depth are bounded; JSON is parsed only up to a size and nesting depth; a zip is unpacked member by member
within limits on members, total size and compression ratio, and never through a link or outside its folder.

A student id comes only from the name of the folder, archive or file it was handed in as, and must match
:data:`STUDENT_ID`: letters, digits, ``.``, ``_`` and ``-``, starting with a letter or digit. So ``*`` (which
nbgrader would expand to every student), ``..``, an empty name or a spreadsheet formula never becomes one.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from course.printable import printable  # noqa: F401 (the pipeline imports it from here too)

STUDENT_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")

MAX_FILE_BYTES = 25_000_000          # one notebook or answer file (a notebook with plots is a few MB)
MAX_ANSWER_FILE_BYTES = 1_000_000    # pm-course-answers.json
MAX_SUBMISSION_BYTES = 100_000_000   # everything one student hands in for one assignment
MAX_SUBMISSION_FILES = 200
MAX_FOLDER_DEPTH = 8
MAX_JSON_DEPTH = 64                  # a notebook is about 8 levels deep; an answer file about 5
MAX_CELLS = 1_000                    # an assignment's notebook has about 25; each cell costs the grader and formgrader
MAX_ZIP_MEMBERS = 2_000              # an LMS download of a large class, or one student's zip
MAX_ZIP_BYTES = 2_000_000_000        # unpacked size of a whole LMS download
MAX_ZIP_RATIO = 200                  # unpacked / packed size of any one member: more is a zip bomb


def valid_student_id(name: str) -> bool:
    return bool(STUDENT_ID.fullmatch(name)) and name not in {".", ".."}


def kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


@dataclass
class FolderScan:
    """The regular files under a folder (relative POSIX paths and sizes) and every reason not to trust it."""

    files: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def total_bytes(self) -> int:
        return sum(self.files.values())


def scan_folder(folder: Path, max_files: int = MAX_SUBMISSION_FILES, max_bytes: int = MAX_SUBMISSION_BYTES,
                max_file_bytes: int = MAX_FILE_BYTES, max_depth: int = MAX_FOLDER_DEPTH) -> FolderScan:
    """Walk ``folder`` without following any link; ``folder`` itself must be a real folder."""
    scan = FolderScan()
    try:
        mode = os.lstat(folder).st_mode
    except OSError:
        scan.problems.append("the folder is missing")
        return scan
    if not stat.S_ISDIR(mode):
        scan.problems.append(f"{printable(folder.name)} is {kind_of(mode)}, not a folder")
        return scan
    pending: list[tuple[Path, int]] = [(folder, 0)]
    while pending:
        current, depth = pending.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError as error:
            scan.problems.append(f"{printable(current.name)} cannot be read ({error.strerror})")
            continue
        for entry in entries:
            relative = Path(entry.path).relative_to(folder).as_posix()
            if entry.name == ".ipynb_checkpoints":
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                scan.problems.append(f"{printable(relative)} cannot be read")
                continue
            if stat.S_ISDIR(info.st_mode):
                if depth + 1 >= max_depth:
                    scan.problems.append(f"{printable(relative)} is nested more than {max_depth} folders deep")
                else:
                    pending.append((Path(entry.path), depth + 1))
            elif not stat.S_ISREG(info.st_mode):
                scan.problems.append(f"{printable(relative)} is {kind_of(info.st_mode)}, not a file")
            elif info.st_size > max_file_bytes:
                scan.problems.append(f"{printable(relative)} is {info.st_size / 1e6:.0f} MB, over the "
                                     f"{max_file_bytes / 1e6:.0f} MB a file may have")
            else:
                scan.files[relative] = info.st_size
            if len(scan.files) > max_files:
                scan.problems.append(f"more than {max_files} files")
                return scan
    if scan.total_bytes > max_bytes:
        scan.problems.append(f"{scan.total_bytes / 1e6:.0f} MB in all, over the {max_bytes / 1e6:.0f} MB allowed")
    return scan


def regular_file_problem(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """Why ``path`` may not be read (missing, not a regular file, too large), or None."""
    try:
        info = os.lstat(path)
    except OSError:
        return "is missing"
    if not stat.S_ISREG(info.st_mode):
        return f"is {kind_of(info.st_mode)}, not a file"
    if info.st_size > max_bytes:
        return f"is {info.st_size / 1e6:.1f} MB, over the {max_bytes / 1e6:.1f} MB allowed"
    return None


def json_depth(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (a scalar: 0), without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        pending.extend((child, depth + 1) for child in children)
    return deepest


def read_json(path: Path, max_bytes: int = MAX_FILE_BYTES, max_depth: int = MAX_JSON_DEPTH) -> tuple[Any, str | None]:
    """``(content, None)`` for a regular file of bounded size holding JSON of bounded depth, else
    ``(None, why not)``; never follows a link, never blocks on a pipe, never recurses without bound."""
    problem = regular_file_problem(path, max_bytes)
    if problem:
        return None, problem
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as stream:
        raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        return None, f"is over the {max_bytes / 1e6:.1f} MB allowed"
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None, "is not a text file"
    try:
        content = json.loads(text)
    except RecursionError:
        return None, f"nests its JSON more than {max_depth} levels deep"
    except ValueError as error:
        return None, f"is not valid JSON ({printable(error.args[0] if error.args else error, 120)})"
    if json_depth(content) > max_depth:
        return None, f"nests its JSON more than {max_depth} levels deep"
    return content, None


def copy_regular_file(source: Path, target: Path, max_bytes: int = MAX_FILE_BYTES) -> None:
    """Copy one checked regular file; the source is opened without following a link and re-checked once open."""
    fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as stream:
        info = os.fstat(stream.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
            raise OSError(f"{source.name} changed while it was being copied")
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as out:
            shutil.copyfileobj(stream, out)


class UnsafeArchive(Exception):
    """A zip that is not unpacked at all (a zip bomb, too many members, not a zip); the message says why."""


@dataclass
class Unpacked:
    files: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # members left out, each with its reason


def unpack_zip(archive: Path, target: Path, max_members: int = MAX_ZIP_MEMBERS, max_bytes: int = MAX_ZIP_BYTES,
               max_member_bytes: int = MAX_FILE_BYTES, max_ratio: int = MAX_ZIP_RATIO) -> Unpacked:
    """Unpack ``archive`` into ``target`` member by member: regular files only, each under ``target`` (no absolute
    path, no ``..``), within the limits; the whole archive is refused (UnsafeArchive) when its declared sizes or
    counts exceed them, and a member that inflates past its declared size is cut off and refused."""
    problem = regular_file_problem(archive, max_bytes)
    if problem:
        raise UnsafeArchive(problem)
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UnsafeArchive(f"is not a readable zip ({printable(error, 120)})") from None
    unpacked = Unpacked()
    with zipped:
        members = zipped.infolist()
        if len(members) > max_members:
            raise UnsafeArchive(f"holds {len(members)} files, more than the {max_members} allowed")
        declared = sum(member.file_size for member in members)
        if declared > max_bytes:
            raise UnsafeArchive(f"would unpack to {declared / 1e6:.0f} MB, over the {max_bytes / 1e6:.0f} MB allowed")
        for member in members:
            if member.compress_size and member.file_size / member.compress_size > max_ratio \
                    and member.file_size > 1_000_000:
                ratio = member.file_size // member.compress_size
                raise UnsafeArchive(f"{printable(member.filename)} would expand {ratio} times: refused as a zip bomb")
        written = 0
        for member in members:
            name = member.filename
            kind = (member.external_attr >> 16) & 0o170000
            if member.is_dir():
                continue
            if kind and not stat.S_ISREG(kind):
                unpacked.skipped.append(f"{printable(name)} is {kind_of(kind)} in the zip")
                continue
            relative = _safe_member_path(name)
            if relative is None:
                unpacked.skipped.append(f"{printable(name)} points outside the zip's folder")
                continue
            if member.file_size > max_member_bytes:
                unpacked.skipped.append(f"{printable(name)} is {member.file_size / 1e6:.0f} MB, over the "
                                        f"{max_member_bytes / 1e6:.0f} MB a file may have")
                continue
            destination = target.joinpath(*relative.parts)
            if destination.exists() or destination.is_symlink():
                unpacked.skipped.append(f"{printable(name)} appears twice in the zip")
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            size = 0
            try:
                with zipped.open(member) as source, open(destination, "xb") as out:
                    while chunk := source.read(1 << 20):
                        size += len(chunk)
                        if size > member.file_size or size > max_member_bytes or written + size > max_bytes:
                            raise UnsafeArchive(f"{printable(name)} inflates past its declared size: refused "
                                                "as a zip bomb")
                        out.write(chunk)
            except UnsafeArchive:
                destination.unlink(missing_ok=True)
                raise
            except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as error:
                destination.unlink(missing_ok=True)
                unpacked.skipped.append(f"{printable(name)} could not be unpacked ({printable(error, 100)})")
                continue
            written += size
            unpacked.files.append(destination)
    return unpacked


def _safe_member_path(name: str) -> PurePosixPath | None:
    path = PurePosixPath(name.replace("\\", "/"))
    parts = [part for part in path.parts if part not in ("", ".")]
    if path.is_absolute() or not parts or any(part == ".." for part in parts) or ":" in parts[0]:
        return None
    if any(not part.isprintable() for part in parts):
        return None
    return PurePosixPath(*parts)
