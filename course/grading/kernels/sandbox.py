"""Where student kernels run when a class is graded: forked from a kernel template inside a bubblewrap sandbox.

:func:`course.grading.kernels.private_folder.grading_kernels` makes nbgrader start every student kernel through the
``pm-course-grading`` kernel spec, whose provisioner (:mod:`course.kernels.forked_kernels`) forks it from a template
that has imported ipykernel and the course's libraries once; the spec's provisioner configuration carries every
setting (the private folder, the course to hide, the public paths, the limits, the preloads, the log), and the
provisioner imports this module only for a sandboxed template or grading's environment allow-list (this module
imports nothing of the provisioner's). The template runs in a sandbox made with
Linux namespaces by ``bwrap`` (:func:`template_command`), built as an allow-list: it starts empty and is given

* read-only: the system's programs and libraries (``/usr`` and the ``/lib`` and ``/bin`` folders), the Python
  installation, the course's public files (the package, the data, the released exercises), the few files of
  ``/etc`` a program needs to start (the linker's cache, the time zone) and an ``/etc/passwd`` that names only
  the sandbox's own user; nothing else of the machine: no home folder, no other checkout, no exchange, no
  ``/etc/shadow``, no ``/run`` or ``/var`` (so no database socket), no ``/sys``, and the configuration folders
  within what is bound (``/usr/local/etc``, the Python installation's ``etc``, where a site's Jupyter and nbgrader
  settings may hold tokens and passwords) are empty;
* read-only, the *inbox*: a copy of the one student's folder being graded;
* a minimal environment (:func:`kernel_environment`): no token, password or path of the grader's;
* no network, a PID namespace of its own whose init is the template (which no kernel can signal, trace or
  rewrite), and a non-root user (uid 65534) with no capability.

Each student's kernel then gets, forked from the template (:mod:`course.kernels.kernel_template`), namespaces of
its own: a mount namespace with a fresh in-memory file system of at most :data:`SLOT_BYTES` (its working copy,
temporary folder and home; it disappears with the last of the student's processes, so no clean-up is needed and no
folder shape can defeat one), and an IPC namespace (SysV shared memory and message queues die with the student).
Its sockets to the grader are passed to it already listening (the sandbox has no writable folder of the host's).
Memory, processes and CPU are capped for the sandbox as a whole by a control group where the host offers one
(:mod:`course.grading.kernels.cgroups`), and per process by ``setrlimit``. :func:`missing_protections` names what the
host does not provide; without bubblewrap, ``pm-course grade`` refuses to run student code unless told
``--no-isolation``.
"""
from __future__ import annotations

import functools
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Mapping

from course.grading.kernels.cgroups import ResourceGroup, create_group
from course.kernels.folders import PRIVATE_PREFIX, remove_tree

LIMITS = {
    "RLIMIT_AS": 2 * 1024**3,       # 2 GiB of address space: a memory bomb fails with MemoryError
    "RLIMIT_CPU": 300,              # 5 minutes of CPU time for the whole notebook
    "RLIMIT_FSIZE": 64 * 1024**2,   # no file over 64 MiB
    "RLIMIT_NPROC": 256,            # a fork bomb stops here (not counted for a user that is root outside)
}
SLOT_BYTES = 256 * 1024**2  # each student's file system: working copy, temporary folder and home together
# the sandbox as a whole (the template, about 0.3 GiB, and one student's kernel and everything it starts)
SANDBOX_MEMORY = 3 * 1024**3
SANDBOX_TASKS = 320  # processes and threads (a kernel runs about ten threads)
SANDBOX_CPUS = 1.0
SANDBOX_UID = SANDBOX_GID = 65534
SANDBOX_USER = "student"
INBOX = "/pm-course/inbox"  # inside the sandbox: the student's folder, read-only
SLOT = "/pm-course/slot"    # inside the sandbox: each student's own file system is mounted here
# the environment a kernel may see, beside PATH, HOME and TMPDIR (which the sandbox sets)
KERNEL_ENVIRONMENT = ("LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "NBGRADER_EXECUTION", "MPLBACKEND",
                      "PYDEVD_DISABLE_FILE_VALIDATION", "JPY_PARENT_PID", "JPY_SESSION_NAME")
_SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
_SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/alternatives")
BWRAP_HELP_SECONDS = 10  # how long asking bubblewrap for its options may take
SANDBOX_CHECK_SECONDS = 60  # how long the check that a sandbox starts (sandbox_problem) may take
BUBBLEWRAP_HINT = ("install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap), "
                   "or pass --no-isolation for submissions you trust")


def sandbox_available() -> bool:
    return sys.platform.startswith("linux") and shutil.which("bwrap") is not None


def kernel_environment(env: Mapping[str, str]) -> dict[str, str]:
    """What of ``env`` a kernel may see: the locale and a few harmless settings, and a PATH of the system's and the
    Python installation's programs; never the grader's own variables (tokens, database passwords, paths)."""
    kept = {name: env[name] for name in KERNEL_ENVIRONMENT if name in env}
    kept["PATH"] = os.pathsep.join(dict.fromkeys([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin",
                                                  "/bin"]))
    kept.setdefault("LANG", "C.UTF-8")
    kept["USER"] = kept["LOGNAME"] = SANDBOX_USER
    return kept


def template_command(inbox: Path, etc: Path, hidden_root: Path | None = None,
                     public: set[Path] | None = None) -> list[str]:
    """The bwrap command line the template runs under: an empty root, and only what the kernels need bound into it
    (see the module's docstring); ``inbox`` is the host folder holding the student's copy, ``etc`` a folder with
    the sandbox's own ``passwd`` and ``group`` (:func:`write_sandbox_etc`), ``hidden_root`` the course being
    graded (emptied where it sits inside a bound folder), ``public`` the course's public files (default:
    :func:`public_paths`)."""
    command = ["bwrap", "--unshare-user", "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_GID),
               "--unshare-pid", "--unshare-ipc", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
               "--die-with-parent", "--new-session",
               # the template is the sandbox's init (PID 1), which no process in the sandbox can signal or end
               "--as-pid-1", "--cap-drop", "ALL"]
    if bwrap_disables_userns():
        # no process in the sandbox may make a user namespace (no capability ever comes back), and the template
        # keeps one capability, within the sandbox's own namespaces: making each student's mount and IPC
        # namespaces; each kernel drops it before the student's first line runs
        command += ["--disable-userns", "--cap-add", "CAP_SYS_ADMIN"]
    # (else, with an older bubblewrap, each kernel makes its namespaces in a user namespace of its own: see
    # course.kernels.kernel_template, --own-user-namespace)
    command += ["--clearenv"]
    for name, value in template_environment().items():
        command += ["--setenv", name, value]
    command += ["--proc", "/proc", "--dev", "/dev"]
    bound: list[Path] = []
    for folder in _SYSTEM_FOLDERS:
        path = Path(folder)
        if path.is_symlink():
            command += ["--symlink", os.readlink(path), folder]
        elif path.is_dir():
            command += ["--ro-bind", folder, folder]
            bound.append(path)
    command += ["--dir", "/etc"]
    for file in _SYSTEM_FILES:
        if os.path.lexists(file):
            command += ["--ro-bind", file, file]
    command += ["--ro-bind", str(etc / "passwd"), "/etc/passwd", "--ro-bind", str(etc / "group"), "/etc/group"]
    for path in outermost(python_installation() | (public_paths() if public is None else public)):
        if not any(path.is_relative_to(outer) for outer in bound):
            command += ["--ro-bind", str(path), str(path)]
            bound.append(path)
    hidden = configuration_folders(bound)
    if hidden_root and any(hidden_root.is_relative_to(path) for path in bound):
        hidden.append(hidden_root)  # the course being graded sits inside a bound folder
    for folder in hidden:  # empty and read-only in the sandbox
        command += ["--tmpfs", str(folder), "--remount-ro", str(folder)]
    command += ["--ro-bind", str(inbox), INBOX, "--dir", SLOT]
    if not any(path.is_relative_to("/tmp") for path in bound + hidden):
        # /tmp is the student's own temporary folder in the slot; where the Python installation or the course lives
        # under /tmp (a virtualenv in a checkout there), bubblewrap has already made /tmp a folder for those binds,
        # so it stays that read-only folder and TMPDIR (set to the slot's tmp) is the place to write
        command += ["--symlink", f"{SLOT}/tmp", "/tmp"]
    command += ["--remount-ro", "/", "--remount-ro", "/dev", "--chdir", "/"]
    return command


@functools.lru_cache(maxsize=1)
def bwrap_disables_userns() -> bool:
    """Whether this bubblewrap can forbid user namespaces inside the sandbox (``--disable-userns``, 0.8 and newer)."""
    try:
        shown = subprocess.run(["bwrap", "--help"], capture_output=True, text=True,
                               timeout=BWRAP_HELP_SECONDS).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--disable-userns" in shown


def template_options(slot_bytes: int | None = None) -> list[str]:
    """The template's own options in the sandbox (:mod:`course.kernels.kernel_template`), each student's
    file system of ``slot_bytes`` (default :data:`SLOT_BYTES`)."""
    slot_bytes = SLOT_BYTES if slot_bytes is None else slot_bytes
    options = ["--own-pid-namespace", "--student-namespaces", "--slot-bytes", str(slot_bytes), "--slot", SLOT,
               "--inbox", INBOX]
    return options + ([] if bwrap_disables_userns() else ["--own-user-namespace"])


def configuration_folders(bound: list[Path]) -> list[Path]:
    """The configuration folders inside the bound ones (``/usr/local/etc``, the Python installation's ``etc``):
    a site keeps its Jupyter, JupyterHub and nbgrader settings there, tokens and database passwords included."""
    roots = {Path("/usr"), Path("/usr/local"), Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve()}
    return sorted({root / "etc" for root in roots if (root / "etc").is_dir() and not (root / "etc").is_symlink()
                   and any((root / "etc").is_relative_to(path) for path in bound)})


def template_environment() -> dict[str, str]:
    """The template's whole environment (a kernel's memory is a copy of the template's, environment included)."""
    return {**kernel_environment(os.environ), "HOME": f"{SLOT}/home", "TMPDIR": f"{SLOT}/tmp"}


def write_sandbox_etc(folder: Path) -> Path:
    """``passwd`` and ``group`` naming only the sandbox's user, so that no kernel learns the host's users."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "passwd").write_text(f"{SANDBOX_USER}:x:{SANDBOX_UID}:{SANDBOX_GID}:{SANDBOX_USER}:{SLOT}/home:"
                                   "/usr/sbin/nologin\n")
    (folder / "group").write_text(f"{SANDBOX_USER}:x:{SANDBOX_GID}:\n")
    return folder


def python_installation() -> set[Path]:
    """The Python installation (interpreter and its site-packages), never arbitrary sys.path entries: an editable
    install puts a whole checkout, solutions included, on sys.path."""
    return {Path(sys.prefix).resolve(), Path(sys.base_prefix).resolve(), Path(sys.executable).resolve().parent}


def public_paths() -> set[Path]:
    """The course's public files a notebook reads: the package, the data, the released exercises."""
    from course.paths import PACKAGE_DIR, data_dir, exercises_dir

    return {path.resolve() for path in (PACKAGE_DIR, data_dir(), exercises_dir()) if path.exists()}


def outermost(paths: set[Path]) -> list[Path]:
    """The paths that are not inside another one of them, so that no bind is nested in another."""
    return sorted(path for path in paths if not any(path != other and path.is_relative_to(other) for other in paths))


def limit_resources(limits: Mapping[str, int]) -> None:
    """Cap this process (and what it starts) by ``limits``: ``setrlimit`` values by name, never above a hard limit
    already set."""
    for name, value in limits.items():
        limit = getattr(resource, name)
        soft, hard = resource.getrlimit(limit)
        wanted = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(limit, (wanted, wanted if hard == resource.RLIM_INFINITY else hard))


def sandbox_problem() -> str | None:
    """Why student kernels cannot be sandboxed here, in one line; None when they can. Starts the smallest sandbox
    and, inside it, makes a student's namespaces as a kernel's would be made (a few tenths of a second)."""
    if not sandbox_available():
        return "bubblewrap (bwrap) is not installed, so student code would run with your rights"
    private = Path(tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{os.getpid()}-check-"))
    try:
        (private / "inbox").mkdir()
        command = template_command(private / "inbox", write_sandbox_etc(private / "etc"))
        command += [sys.executable, "-c", "import sys; from course.kernels.kernel_template import "
                                          "check_student_namespaces; check_student_namespaces(sys.argv[1:])",
                    *template_options()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=SANDBOX_CHECK_SECONDS,
                                  stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as error:
            return f"the bubblewrap sandbox could not start: {error}"
        if done.returncode != 0:
            lines = [line for line in (done.stderr or done.stdout).splitlines() if line.strip()]
            why = lines[-1][:200] if lines else f"exit code {done.returncode}"
            return f"the bubblewrap sandbox could not start: {why}"
        return None
    finally:
        remove_tree(private)


def sandbox_group(memory_bytes: int | None = None, max_tasks: int | None = None,
                  cpu_cores: float | None = None) -> ResourceGroup:
    """A new control group for one sandbox, capped as given (each cap, when None: :data:`SANDBOX_MEMORY`,
    :data:`SANDBOX_TASKS`, :data:`SANDBOX_CPUS`)."""
    return create_group(SANDBOX_MEMORY if memory_bytes is None else memory_bytes,
                        SANDBOX_TASKS if max_tasks is None else max_tasks,
                        SANDBOX_CPUS if cpu_cores is None else cpu_cores)


def missing_protections(isolate: bool, memory_bytes: int | None = None, max_tasks: int | None = None,
                        cpu_cores: float | None = None) -> list[str]:
    """What this host cannot enforce, one short phrase each (empty when every protection is in place), for a sandbox
    capped as the provisioner's ``sandbox_memory``, ``sandbox_tasks`` and ``sandbox_cpus`` say (None: the defaults)."""
    if not isolate:
        return ["the sandbox (--no-isolation): student code runs with your rights, for submissions you trust"]
    group = sandbox_group(memory_bytes, max_tasks, cpu_cores)
    try:
        missing = [f"a cap on the {what} of a student's processes together (no cgroup controller for it here; "
                   "per-process limits only)" for what in group.missing]
    finally:
        group.remove()
    if not bwrap_disables_userns():
        missing.append("a block on user namespaces inside the sandbox (bubblewrap 0.8 or newer has one): a "
                       "student's code may make user namespaces, as any user of this host may")
    if "processes" in group.missing and os.geteuid() == 0:
        missing.append("any cap on the number of processes: the grader runs as root, whose processes the kernel "
                       "does not count (run it as another user, or where a pids cgroup is available)")
    return missing
