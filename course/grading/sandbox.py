"""Where student kernels run when a class is graded: forked from a kernel template inside a bubblewrap sandbox.

:func:`use_kernel_template` makes nbgrader (in this process) start every student kernel through the
``pm-course-grading`` kernel spec, whose provisioner (:mod:`course.grading.forked_kernels`) forks it from a
template that has imported ipykernel and the course's libraries once. The template runs in a sandbox made with
Linux namespaces by ``bwrap`` (:func:`template_command`), where:

* the whole file system is read-only, and the course folder is replaced by an empty one (no solutions, no
  gradebook, no other students), except the course's public files the notebooks read (the package, data, exercises);
* the only writable place is the *slot*: the student's own copy, its temporary folder and its home, emptied
  before each student, when every process but the template has been ended;
* there is no network (a new network namespace) and processes die with the grader and cannot signal it (new PID
  namespace and session); no process has any capability, and the template is the sandbox's PID 1, which none
  can signal;
* each kernel's memory, CPU time, processes and file size are limited with ``setrlimit``.

The kernel talks to nbgrader over IPC sockets in the slot, so it needs no network. Where bubblewrap is missing
(another OS, or not installed), :func:`sandbox_available` says so and kernels are forked unsandboxed, with the
resource limits alone.
"""
from __future__ import annotations

import json
import os
import resource
import shutil
import sys
from pathlib import Path

KERNEL_NAME = "pm-course-grading"
PROVISIONER_NAME = "pm-course-forking"
# what the assignments' notebooks import: the template imports it once, and every forked kernel finds it done
PRELOADED_MODULES = ("pandas", "ipywidgets", "course.answers", "course.paths", "course.roles", "course.portfolio",
                     "course.quiz", "course.raci", "course.widgets.role_sorter", "course.widgets.quiz",
                     "course.widgets.raci", "course.grading.widget_checks")
_KERNEL_DIR_VARIABLE = "PM_COURSE_KERNEL_DIR"
LIMITS = {
    "RLIMIT_AS": 2 * 1024**3,       # 2 GiB of address space: a memory bomb fails with MemoryError
    "RLIMIT_CPU": 300,              # 5 minutes of CPU time for the whole notebook
    "RLIMIT_FSIZE": 64 * 1024**2,   # no file over 64 MiB
    "RLIMIT_NPROC": 256,            # a fork bomb stops here
}


def sandbox_available() -> bool:
    return sys.platform.startswith("linux") and shutil.which("bwrap") is not None


def install_kernel_spec(folder: Path, isolate: bool) -> Path:
    """Write the grading kernel spec under ``folder/kernels/`` (add ``folder`` to JUPYTER_PATH to use it)."""
    spec_dir = folder / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True, exist_ok=True)
    provisioner = {"provisioner_name": PROVISIONER_NAME,
                   "config": {"isolate": isolate, "preload": list(PRELOADED_MODULES)}}
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (pm-course grading)", "language": "python",
            # interrupts (a cell over its time) travel as messages: a signal could not reach a sandboxed kernel
            "interrupt_mode": "message", "env": {},
            "metadata": {"debugger": False, "kernel_provisioner": provisioner}}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return spec_dir


def use_kernel_template(config, course_root: Path, isolate: bool = True) -> None:
    """Make nbgrader (this process) fork every student kernel from a template, sandboxed if ``isolate``.

    The kernel spec, the connection files and the slot live in a folder private to this process, so a student's
    kernel can reach no other student's kernel.
    """
    import tempfile

    from ..paths import PACKAGE_DIR, data_dir, exercises_dir

    private = Path(tempfile.mkdtemp(prefix="pm-course-kernels-"))
    (private / "slot").mkdir()
    install_kernel_spec(private, isolate)
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(private), os.environ.get("JUPYTER_PATH")]))
    os.environ["TMPDIR"] = str(private)  # where jupyter_client writes each kernel's connection file
    tempfile.tempdir = None
    os.environ[_KERNEL_DIR_VARIABLE] = str(private)
    os.environ["PM_COURSE_HIDDEN_ROOT"] = str(course_root.resolve())
    os.environ["PM_COURSE_PUBLIC_PATHS"] = os.pathsep.join(str(p) for p in (PACKAGE_DIR, data_dir(), exercises_dir()))
    config.AsyncKernelManager.client_class = "course.grading.kernel_client.PromptKernelClient"
    config.KernelManager.transport = "ipc"
    config.KernelManager.ip = str(private / "slot" / "kernel")
    config.Execute.kernel_name = KERNEL_NAME


def kernel_dir() -> Path:
    """This process's private kernel folder, made by :func:`use_kernel_template`."""
    return Path(os.environ[_KERNEL_DIR_VARIABLE])


def template_command(slot: Path) -> list[str]:
    """The bwrap command line the template runs under: hide /tmp, the home folder and the course folder behind
    empty read-only tmpfs mounts, then bring back, read-only, only the Python installation and the course's public
    files found beneath them, and this process's kernel folder; the slot inside it is the one writable place."""
    hidden_root = Path(os.environ["PM_COURSE_HIDDEN_ROOT"]) if os.environ.get("PM_COURSE_HIDDEN_ROOT") else None
    public = [Path(p) for p in os.environ.get("PM_COURSE_PUBLIC_PATHS", "").split(os.pathsep) if p]
    home = Path.home()
    hidden = [Path("/tmp")]
    if home != Path("/"):
        hidden.append(home)
    if hidden_root is not None:
        hidden.append(hidden_root)
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
               "--unshare-net", "--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session",
               # the template is the sandbox's init (PID 1), which no process in the sandbox can signal or end
               "--as-pid-1",
               # run by root, bwrap would otherwise keep root's capabilities (mount, ptrace, ...): a kernel could
               # remount the file system writable or rewrite the template
               "--cap-drop", "ALL"]
    for folder in hidden:
        command += ["--tmpfs", str(folder)]
    for path in _outermost(_python_paths() | {p.resolve() for p in public if p.exists()}):
        under_hidden = any(path.is_relative_to(folder) for folder in hidden)
        exposes_course = hidden_root is not None and hidden_root.is_relative_to(path)
        if under_hidden and not exposes_course:
            command += ["--ro-bind", str(path), str(path)]
    kernels = slot.parent
    command += ["--ro-bind", str(kernels), str(kernels), "--bind", str(slot), str(slot)]
    for folder in [*hidden, Path("/dev")]:  # read-only once the mount points beneath them are made
        command += ["--remount-ro", str(folder)]
    return command + ["--chdir", "/"]
    return command


def _python_paths() -> set[Path]:
    """The Python installation (interpreter and its site-packages), never arbitrary sys.path entries: an editable
    install puts a whole checkout, solutions included, on sys.path."""
    return {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}


def _outermost(paths: set[Path]) -> list[Path]:
    """The paths that are not inside another one of them, so that no bind is nested in another."""
    return sorted(path for path in paths if not any(path != other and path.is_relative_to(other) for other in paths))


def limit_resources() -> None:
    for name, value in LIMITS.items():
        limit = getattr(resource, name)
        soft, hard = resource.getrlimit(limit)
        wanted = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (wanted, wanted if hard == resource.RLIM_INFINITY else hard))
