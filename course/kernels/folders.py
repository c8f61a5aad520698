"""Removing a folder whatever a student's code did to it.

A student's kernel can leave in its folder entries made unwritable or unreadable, links, and trees thousands of folders
deep; the sandbox's inbox and the grading process's private folder must go all the same. Used by the forking
provisioner (the inbox, before each student) and by grading (:mod:`course.grading.kernels.private_folder`).
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

# a grading process's temporary folders are named with this prefix and its pid, so that the next grading process can
# remove those of one that ended without doing so (course.grading.kernels.private_folder.make_private_folder)
PRIVATE_PREFIX = "pm-course-kernels-"


def remove_tree(folder: Path, keep: bool = False) -> None:
    """Remove ``folder`` (or, with ``keep``, only what is in it), whatever was done to it: entries made unwritable
    or unreadable, a tree thousands of folders deep. It walks the tree through one folder descriptor at a time
    (never a path, never recursion), so neither Python's recursion limit, nor the length of a path, nor the number
    of open files stops it; links are removed, never followed."""
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        current = os.open(folder, flags)
    except FileNotFoundError:
        return
    except OSError:
        try:
            os.unlink(folder)  # a link or a file where a folder was expected
        except OSError:
            pass
        return
    names: list[str] = []  # the folders walked into, from ``folder`` down
    given_up: list[set[str]] = [set()]  # per level: subfolders that could not be removed
    try:
        while True:
            below = _empty_files_and_find_folder(current, given_up[-1])
            if below is not None:
                try:
                    child = os.open(below, flags, dir_fd=current)
                except PermissionError:
                    os.chmod(below, stat.S_IRWXU, dir_fd=current, follow_symlinks=False)
                    child = os.open(below, flags, dir_fd=current)
                except OSError:
                    given_up[-1].add(below)
                    continue
                os.close(current)
                current = child
                names.append(below)
                given_up.append(set())
                continue
            if not names:
                break
            parent = os.open("..", flags & ~os.O_NOFOLLOW, dir_fd=current)
            os.close(current)
            current = parent
            given_up.pop()
            name = names.pop()
            try:
                os.rmdir(name, dir_fd=current)
            except OSError:
                given_up[-1].add(name)
    finally:
        os.close(current)
    if not keep:
        try:
            os.rmdir(folder)
        except OSError:
            pass


def _empty_files_and_find_folder(descriptor: int, given_up: set[str]) -> str | None:
    """Unlink every entry of the folder that is not a folder; the name of a subfolder left to walk into."""
    try:
        entries = os.listdir(descriptor)
    except PermissionError:
        os.chmod(descriptor, stat.S_IRWXU)
        entries = os.listdir(descriptor)
    for entry in entries:
        if entry in given_up:
            continue
        try:
            if stat.S_ISDIR(os.stat(entry, dir_fd=descriptor, follow_symlinks=False).st_mode):
                return entry
            try:
                os.unlink(entry, dir_fd=descriptor)
            except PermissionError:
                os.chmod(descriptor, stat.S_IRWXU)  # a folder made unwritable
                os.unlink(entry, dir_fd=descriptor)
        except FileNotFoundError:
            continue
        except OSError:
            given_up.add(entry)
    return None
