"""Resource caps for a grading sandbox as a whole: memory, processes and CPU, with Linux control groups.

``setrlimit`` limits each process on its own: 2 GiB of memory and 256 processes *each*, so a notebook that starts
many processes holds many times that, and a grader running as root has no process limit at all (the kernel does not
count root's processes). A control group caps everything the sandbox holds together, whatever the user, including
the memory of files written to its in-memory file system. Each grading worker's sandbox gets a group of its own
(:func:`create_group`), joined by the sandbox's first process before it starts (so nothing it starts escapes it),
and removed when the sandbox has ended.

cgroup v2 is used where the grader's own group may have children with the ``memory``, ``pids`` and ``cpu``
controllers (a delegated subtree, e.g. a systemd unit with ``Delegate=yes``); otherwise cgroup v1's hierarchies of
the same names, where writable. What neither offers is reported by :attr:`ResourceGroup.missing`, and
``pm-course grade`` says so.
"""
from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

CONTROLLERS = {"memory": "memory", "pids": "processes", "cpu": "CPU"}  # controller -> the protection it gives
_V1_NAMES = {"memory": "memory", "pids": "pids", "cpu": "cpu"}
_PREFIX = "pm-course-sandbox-"
# a group's folder can be removed only once its last process has ended, which may take a moment after the sandbox's
# end: tried this many times, this far apart (1 s in all)
REMOVAL_TRIES, REMOVAL_RETRY_SECONDS = 50, 0.02
_counter = 0


@dataclass
class ResourceGroup:
    """One sandbox's group: a folder per hierarchy it was created in, and which controllers limit it."""

    folders: list[Path] = field(default_factory=list)
    limited: set[str] = field(default_factory=set)

    @property
    def procs_files(self) -> list[Path]:
        """Where a process writes its id to join the group (one file per hierarchy)."""
        return [folder / "cgroup.procs" for folder in self.folders]

    @property
    def missing(self) -> list[str]:
        """The protections no controller gives here, in words (``memory``, ``processes``, ``CPU``)."""
        return [words for controller, words in CONTROLLERS.items() if controller not in self.limited]

    def remove(self) -> None:
        """Remove the group's folders (once the processes in it have ended; retried briefly while they end)."""
        for folder in self.folders:
            for _attempt in range(REMOVAL_TRIES):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(REMOVAL_RETRY_SECONDS)
        self.folders = []


def create_group(memory_bytes: int, max_tasks: int, cpu_cores: float) -> ResourceGroup:
    """A new group capped at ``memory_bytes`` of memory (no swap), ``max_tasks`` processes and threads, and
    ``cpu_cores`` cores of CPU time; with no folders when no controller is available (nothing is then capped)."""
    global _counter
    _counter += 1
    name = f"{_PREFIX}{os.getpid()}-{_counter}"
    group = ResourceGroup()
    wanted = {"memory": memory_bytes, "pids": max_tasks, "cpu": cpu_cores}
    v2 = _v2_base()
    if v2 is not None:
        available = _enable_v2_controllers(v2, set(wanted))
        if available:
            folder = _make(v2, name)
            if folder is not None:
                for controller in sorted(available):
                    if _write_v2_limit(folder, controller, wanted[controller]):
                        group.limited.add(controller)
                group.folders.append(folder)
    for controller in sorted(set(wanted) - group.limited):
        base = _v1_base(controller)
        folder = _make(base, name) if base is not None else None
        if folder is None:
            continue
        if _write_v1_limit(folder, controller, wanted[controller]):
            group.limited.add(controller)
            group.folders.append(folder)
        else:
            _remove_quietly(folder)
    return group


def _make(base: Path, name: str) -> Path | None:
    _remove_stale(base)
    folder = base / name
    try:
        folder.mkdir()
    except OSError:
        return None
    return folder


def _remove_stale(base: Path) -> None:
    """Groups left by graders that ended without removing theirs (killed, a power cut): empty, so removable."""
    try:
        entries = list(base.glob(f"{_PREFIX}*"))
    except OSError:
        return
    for entry in entries:
        found = re.match(rf"{_PREFIX}(\d+)-\d+$", entry.name)
        if found and not process_alive(int(found.group(1))):
            _remove_quietly(entry)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (also one of another user)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_quietly(folder: Path) -> None:
    try:
        folder.rmdir()
    except OSError:
        pass


def _write(path: Path, value: str) -> bool:
    try:
        path.write_text(value)
    except OSError:
        return False
    return True


# cgroup v2 -------------------------------------------------------------------------------------------------------

def _v2_base() -> Path | None:
    """This process's own cgroup v2 folder, when a cgroup2 file system is mounted."""
    mount = _mount_point("cgroup2")
    if mount is None:
        return None
    for line in _read("/proc/self/cgroup").splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and controllers == "":
            folder = mount / path.lstrip("/")
            return folder if folder.is_dir() else None
    return None


def _enable_v2_controllers(base: Path, wanted: set[str]) -> set[str]:
    """The controllers children of ``base`` may use, enabling those its parent offers (possible only where the
    group is delegated and holds no process of its own: cgroup v2 allows no process beside child groups)."""
    offered = set(_read(base / "cgroup.controllers").split())
    enabled = set(_read(base / "cgroup.subtree_control").split())
    for controller in sorted((wanted & offered) - enabled):
        if _write(base / "cgroup.subtree_control", f"+{controller}"):
            enabled.add(controller)
    return wanted & enabled


def _write_v2_limit(folder: Path, controller: str, value: float) -> bool:
    if controller == "memory":
        written = _write(folder / "memory.max", str(int(value)))
        _write(folder / "memory.swap.max", "0")
        return written
    if controller == "pids":
        return _write(folder / "pids.max", str(int(value)))
    period = 100_000
    return _write(folder / "cpu.max", f"{int(period * value)} {period}")


# cgroup v1 -------------------------------------------------------------------------------------------------------

def _v1_base(controller: str) -> Path | None:
    """This process's own folder in cgroup v1's hierarchy of ``controller``, when it is mounted."""
    for line in _read("/proc/self/cgroup").splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3 and _V1_NAMES[controller] in parts[1].split(","):
            mount = _mount_point("cgroup", _V1_NAMES[controller])
            if mount is not None:
                folder = mount / parts[2].lstrip("/")
                return folder if folder.is_dir() else None
    return None


def _write_v1_limit(folder: Path, controller: str, value: float) -> bool:
    if controller == "memory":
        written = _write(folder / "memory.limit_in_bytes", str(int(value)))
        if (folder / "memory.memsw.limit_in_bytes").exists():
            _write(folder / "memory.memsw.limit_in_bytes", str(int(value)))  # no swap beyond the memory cap
        return written
    if controller == "pids":
        return _write(folder / "pids.max", str(int(value)))
    period = 100_000
    return _write(folder / "cpu.cfs_period_us", str(period)) and \
        _write(folder / "cpu.cfs_quota_us", str(int(period * value)))


# mounts ----------------------------------------------------------------------------------------------------------

def _mount_point(fstype: str, option: str | None = None) -> Path | None:
    """Where a file system of ``fstype`` (with ``option`` among its super options) is mounted, read from
    /proc/self/mountinfo."""
    for line in _read("/proc/self/mountinfo").splitlines():
        before, _, after = line.partition(" - ")
        fields = after.split()
        if len(fields) >= 3 and fields[0] == fstype:
            if option is None or option in fields[2].split(","):
                return Path(before.split()[4])
    return None


def _read(path: str | Path) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""
