"""Run a student's kernel isolated, with Linux namespaces through bubblewrap (``bwrap``).

This module is the ``argv`` of the ``pm-course-sandbox`` kernel spec. Started by nbgrader in
the student's autograded folder, it execs ipykernel inside a sandbox where:

* the whole file system is read-only, and the course folder is replaced by an empty one
  (no solutions, no gradebook, no other students), except the student's own working copy
  (writable) and the course's public files the notebooks read (the package, data, exercises);
* there is no network (a new network namespace) and a private /tmp and home;
* processes die with the grader and cannot signal it (new PID namespace and session);
* memory, CPU time, processes and file size are limited with ``setrlimit``.

The kernel talks to nbgrader over IPC sockets in the working folder, so it needs no network.
Where bubblewrap is missing (another OS, or not installed), :func:`sandbox_available` says so
and grading falls back to the resource limits alone.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from pathlib import Path

KERNEL_NAME = "pm-course-sandbox"
LIMITS = {
    "RLIMIT_AS": 2 * 1024**3,       # 2 GiB of address space: a memory bomb fails with MemoryError
    "RLIMIT_CPU": 300,              # 5 minutes of CPU time for the whole notebook
    "RLIMIT_FSIZE": 64 * 1024**2,   # no file over 64 MiB
    "RLIMIT_NPROC": 256,            # a fork bomb stops here
}


def sandbox_available() -> bool:
    return sys.platform.startswith("linux") and shutil.which("bwrap") is not None


def install_kernel_spec(folder: Path) -> Path:
    """Write the sandbox kernel spec under ``folder/kernels/`` (add ``folder`` to JUPYTER_PATH to use it)."""
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {"argv": [sys.executable, "-m", "course.grading.sandbox", "{connection_file}"],
            "display_name": "Python 3 (pm-course sandbox)", "language": "python",
            # interrupts (a cell over its time) travel as messages: a signal to bwrap would not reach the kernel
            "interrupt_mode": "message", "env": {}, "metadata": {"debugger": False}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return spec_dir


def use_sandbox(config, course_root: Path) -> None:
    """Make nbgrader (this process) run every student kernel through the sandbox kernel spec.

    The kernel spec and the kernel's IPC sockets live in a folder private to this process, so a
    student's kernel can reach no other student's kernel.
    """
    import tempfile

    from ..paths import PACKAGE_DIR, data_dir, exercises_dir

    private = Path(tempfile.mkdtemp(prefix="pm-course-kernels-"))
    install_kernel_spec(private)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(private), os.environ.get("JUPYTER_PATH")]))
    os.environ["TMPDIR"] = str(private)  # where jupyter_client writes each kernel's connection file
    tempfile.tempdir = None
    os.environ["PM_COURSE_HIDDEN_ROOT"] = str(course_root.resolve())
    os.environ["PM_COURSE_PUBLIC_PATHS"] = os.pathsep.join(str(p) for p in (PACKAGE_DIR, data_dir(), exercises_dir()))
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(private / "kernel-ipc")
    config.Execute.kernel_name = KERNEL_NAME


def bwrap_command(connection_file: str, workdir: Path, hidden_root: Path | None, public: list[Path]) -> list[str]:
    """The bwrap command line: hide /tmp, the home folder and the course folder behind empty tmpfs mounts, then
    bring back, read-only, only the Python installation and the course's public files found beneath them, and the
    student's own working copy (writable)."""
    home = Path.home()
    hidden = [Path("/tmp")]
    if home != Path("/") and not workdir.is_relative_to(home):
        hidden.append(home)
    if hidden_root is not None:
        hidden.append(hidden_root)
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
               # in a new PID namespace the kernel's parent is PID 1, which ipykernel must not watch as "its parent"
               # (--die-with-parent does that job); a parent of 1 also keeps it from printing its console banner
               "--setenv", "JPY_PARENT_PID", "1"]
    for folder in hidden:
        command += ["--tmpfs", str(folder)]
    for path in _outermost(_python_paths() | {p.resolve() for p in public if p.exists()}):
        under_hidden = any(path.is_relative_to(folder) for folder in hidden)
        exposes_course = hidden_root is not None and hidden_root.is_relative_to(path)
        if under_hidden and not exposes_course:
            command += ["--ro-bind", str(path), str(path)]
    command += ["--bind", str(workdir), str(workdir)]
    connection_dir = Path(connection_file).resolve().parent
    if not connection_dir.is_relative_to(workdir):
        command += ["--bind", str(connection_dir), str(connection_dir)]
    command += ["--chdir", str(workdir), sys.executable, "-m", "ipykernel_launcher", "-f", connection_file]
    return command


def _python_paths() -> set[Path]:
    """The Python installation (interpreter and its site-packages), never arbitrary sys.path entries: an editable
    install puts a whole checkout, solutions included, on sys.path."""
    return {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}


def _outermost(paths: set[Path]) -> list[Path]:
    """The paths that are not inside another one of them, so that no bind is nested in another."""
    return sorted(path for path in paths if not any(path != other and path.is_relative_to(other) for other in paths))


def _limit_resources() -> None:
    for name, value in LIMITS.items():
        limit = getattr(resource, name)
        soft, hard = resource.getrlimit(limit)
        wanted = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (wanted, wanted if hard == resource.RLIM_INFINITY else hard))


def main(argv: list[str]) -> None:
    connection_file = argv[0]
    workdir = Path.cwd().resolve()
    hidden = os.environ.get("PM_COURSE_HIDDEN_ROOT")
    public = [Path(p) for p in os.environ.get("PM_COURSE_PUBLIC_PATHS", "").split(os.pathsep) if p]
    _limit_resources()
    if sandbox_available():
        command = bwrap_command(connection_file, workdir, Path(hidden) if hidden else None, public)
    else:
        command = [sys.executable, "-m", "ipykernel_launcher", "-f", connection_file]
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
