"""A kernel template: one process that has imported ipykernel and the course's libraries once, and forks a fresh
kernel for each notebook.

Starting a Python kernel costs about 1.2 s (the interpreter, ipykernel, IPython, debugpy) and the course's notebooks
then import pandas, ipywidgets and the course package, 0.5 s more, while their own code runs in a few tenths of a
second. A kernel forked from this template finds all of that imported and is ready for its first cell in about a
quarter of a second; its state is otherwise a new process's: a new kernel application, a new IPython shell, its own
folder and environment. The template never holds a student's data (it never reads a student's files: the kernel
copies them itself, after the fork), so no kernel finds another student's work in the memory it was forked from.

Run by :mod:`course.kernels.forked_kernels` as::

    python -m course.kernels.kernel_template FD [--own-pid-namespace] [--preload MODULE ...]
                                            [--limit RLIMIT_NAME=VALUE ...]
                                            [--student-namespaces --slot-bytes N --slot PATH --inbox PATH
                                             [--own-user-namespace]]

FD is this process's end of a socket pair that only the grader holds the other end of (no path in the file system,
so no student's kernel can reach it: every forked kernel closes it first). Requests are tuples, whose first item
names one of these (any other name is answered with an error, never looked up on the template):

``("start", connection, cwd, env)``
    fork a kernel; answers its process id. ``connection`` is the kernel's connection file: its path (outside the
    sandbox), or, with ``--student-namespaces``, its content as a dict, followed on the channel by the kernel's
    sockets, already listening (one per port, in the order of :data:`PORTS`).
``("poll", pid)``
    answers its exit code, or None while it runs.
``("signal", pid, signum)``
    signals the kernel's process group (the kernel and what it started).
``("clear",)``
    ends every process but this one: with ``--own-pid-namespace`` (inside the sandbox), every process there,
    whatever its state (a process whose main thread has exited included), so nothing a student left running
    survives to meet the next student; otherwise the kernels' process groups. Answers whether all have ended.

With ``--student-namespaces`` (inside the sandbox) each kernel, before it runs anything of the student's, gets a
mount namespace with a fresh in-memory file system of ``--slot-bytes`` at ``--slot``, into which it copies the
student's folder from ``--inbox``, and an IPC namespace of its own; it drops every capability first. Both
namespaces, and all the student wrote, end with the student's last process. The template makes them with the one
capability the sandbox leaves it, or, with ``--own-user-namespace`` (a bubblewrap too old to forbid user
namespaces, which then gives the template none), inside a user namespace of the kernel's own.

Each kernel takes the ``--limit`` resource limits (``setrlimit``) before it runs anything; none are given to the
learner's kernels (``pm-course start``), which run the learner's own code on their own machine.

A closed channel (the grader ended) ends the template and its kernels.
"""
from __future__ import annotations

import argparse
import ctypes
import errno
import importlib
import inspect
import json
import logging
import os
import shutil
import signal
import socket
import sys
import time
from multiprocessing.connection import Connection
from typing import Any, Callable, NamedTuple

LOGGER = logging.getLogger(__name__)
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
CLEAR_SECONDS = 5.0  # how long "clear" waits for processes to end (one stuck in the kernel answers False)
CLEAR_CHECK_SECONDS = 0.001  # how often "clear" looks again for an ended process while none has ended yet
# "clear" outside a PID namespace: rounds of ending the kernels' process groups (a fork bomb may add processes while
# they are being ended; each round ends all it finds)
CLEAR_ROUNDS = 100
# after SIGKILL, "signal" waits for the kernel to end, so that the first poll finds it ended: at most this many
# checks, this far apart (0.2 s in all; a killed process ends within a few milliseconds)
KILL_CHECKS, KILL_CHECK_SECONDS = 100, 0.002
# Linux's constants (<sched.h>, <sys/mount.h>, <linux/prctl.h>, <linux/capability.h>), which Python does not export
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 1 << 18
PR_SET_DUMPABLE = 4
PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522  # capset's header: version 3 takes two 32-bit words per set


class KernelTemplate:
    """The template's side of the channel: it serves the grader's requests, one at a time, until the channel
    closes, then ends its kernels."""

    def __init__(self, channel: Connection, own_pid_namespace: bool, student_slot: "StudentSlot | None" = None,
                 limits: dict[str, int] | None = None):
        self.channel = channel
        self.own_pid_namespace = own_pid_namespace
        self.student_slot = student_slot
        self.limits = limits or {}
        self.exit_codes: dict[int, int] = {}
        self.kernels: set[int] = set()

    def serve(self) -> None:
        while True:
            try:
                request = self.channel.recv()
            except (EOFError, OSError):
                break
            try:
                answer = self.answer(request)
            except OSError as error:
                answer = error
            self.channel.send(answer)
        self.clear()

    def answer(self, request: Any) -> Any:
        """Run one request through :data:`REQUESTS`; an unknown name (or no name) is refused with an OSError."""
        name = request[0] if isinstance(request, tuple) and request else None
        handler = REQUESTS.get(name) if isinstance(name, str) else None
        if handler is None:
            raise OSError(errno.EINVAL, f"unknown request to the kernel template: {name!r}")
        try:
            inspect.signature(handler).bind(self, *request[1:])
        except TypeError:
            raise OSError(errno.EINVAL, f"request {name!r} to the kernel template with the wrong arguments") from None
        return handler(self, *request[1:])

    def start(self, connection, cwd: str | None, env: dict[str, str]) -> int:
        sockets: list[int] = []
        if self.student_slot is not None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM, fileno=os.dup(self.channel.fileno())) as raw:
                _, sockets, _, _ = socket.recv_fds(raw, 1, len(PORTS))
        try:
            pid = os.fork()
            if pid == 0:
                # the kernel ends when its parent, this template, ends; in the sandbox the template is PID 1, which
                # ipykernel takes as "no parent to watch" (and the sandbox ends all its processes with the template)
                _become_kernel(self.channel, connection, cwd, env, parent=os.getppid(), sockets=sockets,
                               slot=self.student_slot, limits=self.limits)
        finally:
            for fd in sockets:
                os.close(fd)
        self.kernels.add(pid)
        return pid

    def poll(self, pid: int) -> int | None:
        self._reap()
        return self.exit_codes.get(pid)

    def send_signal(self, pid: int, signum: int) -> None:
        for target in (lambda: os.killpg(pid, signum), lambda: os.kill(pid, signum)):
            try:
                target()
                break
            except ProcessLookupError:
                continue
        if signum == signal.SIGKILL:  # answer once it has ended, so that the first poll finds it ended
            for _check in range(KILL_CHECKS):
                if self.poll(pid) is not None:
                    break
                time.sleep(KILL_CHECK_SECONDS)

    def clear(self) -> bool:
        if self.own_pid_namespace:
            return self._clear_namespace()
        for _round in range(CLEAR_ROUNDS):
            others = self._kernel_groups()
            if not others:
                break
            for pid in others:
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            self._reap()
        self._reap()
        return not self._kernel_groups()

    def _clear_namespace(self) -> bool:
        """End every other process of the PID namespace, whose init this process is.

        ``kill(-1)`` from a namespace's init reaches every other process in it, whatever its state: a process whose
        main thread has exited (a zombie to /proc, its other threads still running) is ended with the rest of its
        threads. Every process in the namespace is this one's child or, once orphaned, adopted by it, so when
        ``waitpid`` finds no child left, none is left at all.
        """
        deadline = time.monotonic() + CLEAR_SECONDS
        while True:
            try:
                os.kill(-1, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return True
            if pid:
                self._record(pid, status)
            elif time.monotonic() > deadline:
                return False
            else:
                time.sleep(CLEAR_CHECK_SECONDS)

    def _kernel_groups(self) -> list[int]:
        """The kernels' process groups while anything of them lives (the kernel may have ended before what it
        started); a group found empty is forgotten, so that its number, once reused, is never signalled."""
        self._reap()
        self.kernels = {pid for pid in self.kernels if _group_alive(pid)}
        return sorted(self.kernels)

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self._record(pid, status)

    def _record(self, pid: int, status: int) -> None:
        if pid in self.kernels:
            self.exit_codes[pid] = os.waitstatus_to_exitcode(status)


# The requests the grader may send, by name: nothing else of the template is reachable over the channel.
REQUESTS: dict[str, Callable[..., Any]] = {
    "start": KernelTemplate.start,
    "poll": KernelTemplate.poll,
    "signal": KernelTemplate.send_signal,
    "clear": KernelTemplate.clear,
}


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


class StudentSlot(NamedTuple):
    """Where each student's own file system goes (its size and mount point) and where their folder comes from."""

    size: int
    mount_point: str
    inbox: str
    own_user_namespace: bool = False


def _become_kernel(channel: Connection, connection, cwd: str | None, env: dict[str, str], parent: int,
                   sockets: list[int], slot: StudentSlot | None, limits: dict[str, int]) -> None:
    """In the forked child: drop the template's channel, take the kernel's namespaces, folder and environment, run
    ipykernel (which ends when process ``parent`` ends, unless ``parent`` is 1)."""
    code = 1
    try:
        channel.close()
        os.setsid()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        if slot is not None:
            _enter_student_namespaces(slot)
            _drop_capabilities()  # before anything of the student's is touched
            cwd = os.path.join(slot.mount_point, "work")
            _copy_folder(slot.inbox, cwd)
            for private in ("tmp", "home"):
                os.mkdir(os.path.join(slot.mount_point, private), 0o700)
            connection_file = os.path.join(slot.mount_point, "kernel.json")
            descriptor = os.open(connection_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as written:
                json.dump(connection, written)
            _bind_to_given_sockets(connection, sockets)
            env = {**env, **{name: os.path.join(slot.mount_point, folder)
                             for name, folder in (("TMPDIR", "tmp"), ("HOME", "home"))}}
        else:
            connection_file = connection
        _set_dumpable(True)  # the template is not (see main); the kernel is an ordinary process again
        _first_to_go_when_memory_runs_out()
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        import tempfile

        tempfile.tempdir = None  # the kernel's TMPDIR, not the template's
        from course.grading.kernels.sandbox import limit_resources

        limit_resources(limits)
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # Python's random reseeds itself in a forked child; numpy's global generator does not
        argv = ["-f", connection_file, f"--IPKernelApp.parent_handle={parent}"]
        sys.argv = [sys.executable, *argv]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()  # what IPKernelApp.launch_instance does, with the shell's hooks in between
        app.initialize(argv)
        _connect_preloaded_modules_to_the_shell()
        app.start()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush() if sys.stdout else None
        os._exit(code)


def _connect_preloaded_modules_to_the_shell() -> None:
    """Do what a preloaded module does on import when it finds a running IPython shell, which the template had not:
    ipywidgets registers its comm targets (without them JupyterLab cannot ask for the widgets' state), and the inline
    backend of matplotlib hooks itself into the shell (so that a figure made with pyplot shows under its cell)."""
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None:
        widgets.register_comm_target()
    inline = sys.modules.get("matplotlib_inline.backend_inline")
    if inline is not None:
        inline._enable_matplotlib_integration()  # what its import runs; a no-op unless inline is the backend


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _enter_student_namespaces(slot: StudentSlot) -> None:
    """A mount namespace with a fresh in-memory file system of ``slot.size`` bytes at ``slot.mount_point``, and an
    IPC namespace, both this process's (and its children's) alone: they end with the last of them."""
    libc = _libc()
    libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
    uid, gid = os.getuid(), os.getgid()
    _check(libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | (CLONE_NEWUSER if slot.own_user_namespace else 0)),
           "unshare")
    if slot.own_user_namespace:  # the same user inside as outside
        for name, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
            with open(f"/proc/self/{name}", "w") as written:
                written.write(text)
    _check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), "private mounts")
    _check(libc.mount(b"tmpfs", slot.mount_point.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                      f"size={slot.size},mode=0700".encode()), "the student's file system")


def _drop_capabilities() -> None:
    """Drop the template's one capability for good (effective, permitted, inheritable and ambient), and check."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]

    libc = _libc()
    libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    _check(libc.capset(ctypes.byref(Header(LINUX_CAPABILITY_VERSION_3, 0)), (Data * 2)()), "capset")
    with open("/proc/self/status") as status:
        held = {line.split(":")[0]: int(line.split(":")[1], 16) for line in status
                if line.startswith(("CapInh", "CapPrm", "CapEff", "CapAmb"))}
    if any(held.values()):
        raise OSError(f"capabilities still held: {held}")


def _bind_to_given_sockets(connection: dict, sockets: list[int]) -> None:
    """Make ipykernel bind its channels to the sockets the grader passed, already listening: the address it binds
    (ip-port) then only names the socket, and the sandbox needs no folder the grader can also see."""
    import zmq

    given = {f"ipc://{connection['ip']}-{connection[port]}": fd for port, fd in zip(PORTS, sockets, strict=True)}
    bind = zmq.Socket.bind

    def bind_given(self, address, *args, **kwargs):
        fd = given.pop(address, None)
        if fd is not None:
            self.setsockopt(zmq.USE_FD, fd)
        return bind(self, address, *args, **kwargs)

    for fd in sockets:
        os.set_inheritable(fd, False)
    zmq.Socket.bind = bind_given
    sockets.clear()  # owned by the kernel's sockets now: the finally in start must not close them here


def _copy_folder(source: str, target: str) -> None:
    """Copy the student's folder (read-only inbox) into their own file system, links as links."""
    shutil.copytree(source, target, symlinks=True)


def _first_to_go_when_memory_runs_out() -> None:
    """The kernel and what it starts are ended first when the sandbox's memory runs out, before the template."""
    try:
        with open("/proc/self/oom_score_adj", "w") as adjust:
            adjust.write("1000")
    except OSError:
        pass


def check_student_namespaces(argv: list[str]) -> None:
    """Make a student's namespaces, as a kernel does, in a child; exit 0 when it works (run by
    :func:`course.grading.kernels.sandbox.sandbox_problem` inside a new sandbox, with the template's options, which
    reads the last line of its standard error as the reason)."""
    _log_to_stderr("%(message)s")
    slot = _student_slot(_arguments(argv))
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            _enter_student_namespaces(slot)
            _drop_capabilities()
        except OSError as error:
            LOGGER.error("the sandbox cannot give each student namespaces of its own: %s", error)
            code = 1
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(status))


def preload(modules: list[str]) -> None:
    """Import what every kernel imports, so that forked kernels find it done."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS thread pool running while the template forks
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's warning about frozen modules
    if any(name.split(".")[0] in ("matplotlib", "matplotlib_inline") for name in modules):
        # the backend ipykernel gives every kernel (unless the environment names one), read when matplotlib is imported
        os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for name in ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.completer", *modules]:
        try:
            importlib.import_module(name)
        except Exception as error:  # a module that fails here fails, with its own message, in the kernel that needs it
            LOGGER.warning("could not preload %s: %s", name, error)


def _set_dumpable(dumpable: bool) -> None:
    """prctl(PR_SET_DUMPABLE): a process that is not dumpable cannot be traced, nor its memory read or written through
    /proc/PID/mem, by a process of the same user without CAP_SYS_PTRACE (which nothing in the sandbox has)."""
    if sys.platform.startswith("linux"):
        _libc().prctl(PR_SET_DUMPABLE, int(dumpable), 0, 0, 0)


def _arguments(argv: list[str] | None, with_channel: bool = False) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    if with_channel:
        parser.add_argument("fd", type=int)
    parser.add_argument("--own-pid-namespace", action="store_true")
    parser.add_argument("--student-namespaces", action="store_true")
    parser.add_argument("--own-user-namespace", action="store_true")
    parser.add_argument("--slot-bytes", type=int, default=0)
    parser.add_argument("--slot", default="")
    parser.add_argument("--inbox", default="")
    parser.add_argument("--preload", nargs="*", default=[])
    parser.add_argument("--limit", action="append", default=[], type=_limit, metavar="RLIMIT_NAME=VALUE")
    return parser.parse_args(argv)


def _limit(text: str) -> tuple[str, int]:
    name, _, value = text.partition("=")
    if not name.startswith("RLIMIT_") or not value.isdigit():
        raise argparse.ArgumentTypeError(f"not RLIMIT_NAME=VALUE: {text!r}")
    return name, int(value)


def _student_slot(args: argparse.Namespace) -> StudentSlot | None:
    if not args.student_namespaces:
        return None
    return StudentSlot(args.slot_bytes, args.slot, args.inbox, args.own_user_namespace)


def _log_to_stderr(form: str) -> None:
    """Where this program's own messages go: its standard error (the grader's capped kernel log). Only this
    module's logger is set up: the root logger, which the students' kernels forked from here inherit, is left as a
    new kernel has it."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(form))
    LOGGER.handlers[:] = [handler]
    LOGGER.setLevel(logging.WARNING)
    LOGGER.propagate = False


def main(argv: list[str] | None = None) -> None:
    _log_to_stderr("pm-course kernel template: %(message)s")
    args = _arguments(argv, with_channel=True)
    channel = Connection(args.fd)
    os.chdir("/")
    if args.own_pid_namespace:
        # as the sandbox's PID 1, signals from inside it reach this process only if it handles them: it handles none
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _set_dumpable(False)  # no kernel can rewrite the template that the next student's kernel is forked from
    preload(args.preload)
    channel.send("ready")
    KernelTemplate(channel, args.own_pid_namespace, _student_slot(args), dict(args.limit)).serve()


if __name__ == "__main__":
    main()
