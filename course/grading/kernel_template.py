"""A kernel template: one process that has imported ipykernel and the course's libraries once, and forks a fresh
kernel for each notebook.

Starting a Python kernel costs about 1.2 s (the interpreter, ipykernel, IPython, debugpy) and the course's notebooks
then import pandas, ipywidgets and the course package, 0.5 s more, while their own code runs in a few tenths of a
second. A kernel forked from this template finds all of that imported and is ready for its first cell in about a
quarter of a second; its state is otherwise a new process's: a new kernel application, a new IPython shell, its own
folder and environment.

Run by :mod:`course.grading.forked_kernels` as::

    python -m course.grading.kernel_template FD [--own-pid-namespace] [--preload MODULE ...]

FD is this process's end of a socket pair that only the grader holds the other end of (no path in the file system,
so no student's kernel can reach it: every forked kernel closes it first). Requests are tuples:

``("start", connection_file, cwd, env)``
    fork a kernel; answers its process id.
``("poll", pid)``
    answers its exit code, or None while it runs.
``("signal", pid, signum)``
    signals the kernel's process group (the kernel and what it started).
``("clear",)``
    ends every process but this one: with ``--own-pid-namespace`` (inside the sandbox), every process there,
    so nothing a student left running survives to meet the next student; otherwise the kernels' process groups.

A closed channel (the grader ended) ends the template and its kernels.
"""
from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import time
from multiprocessing.connection import Connection


class KernelTemplate:
    def __init__(self, channel: Connection, own_pid_namespace: bool):
        self.channel = channel
        self.own_pid_namespace = own_pid_namespace
        self.exit_codes: dict[int, int] = {}
        self.kernels: set[int] = set()

    def serve(self) -> None:
        while True:
            try:
                request = self.channel.recv()
            except (EOFError, OSError):
                break
            try:
                answer = getattr(self, "_" + request[0])(*request[1:])
            except OSError as error:
                answer = error
            self.channel.send(answer)
        self._clear()

    def _start(self, connection_file: str, cwd: str, env: dict[str, str]) -> int:
        pid = os.fork()
        if pid == 0:
            # the kernel ends when its parent, this template, ends; in the sandbox the template is PID 1, which
            # ipykernel takes as "no parent to watch" (and the sandbox ends all its processes with the template)
            _become_kernel(self.channel, connection_file, cwd, env, parent=os.getppid())
        self.kernels.add(pid)
        return pid

    def _poll(self, pid: int) -> int | None:
        self._reap()
        return self.exit_codes.get(pid)

    def _signal(self, pid: int, signum: int) -> None:
        for target in (lambda: os.killpg(pid, signum), lambda: os.kill(pid, signum)):
            try:
                target()
                break
            except ProcessLookupError:
                continue
        if signum == signal.SIGKILL:  # answer once it has ended, so that the first poll finds it ended
            for _attempt in range(100):
                if self._poll(pid) is not None:
                    break
                time.sleep(0.002)

    def _clear(self) -> None:
        for _attempt in range(100):  # a fork bomb may add processes while they are being ended
            others = self._other_processes()
            if not others:
                break
            for pid in others:
                try:
                    os.killpg(pid, signal.SIGKILL) if pid in self.kernels else os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            self._reap()
        self._reap()

    def _other_processes(self) -> list[int]:
        self._reap()
        if not self.own_pid_namespace:
            # a kernel's process group, while anything of it lives (the kernel may have ended before what it started);
            # a group found empty is forgotten, so that its number, once reused, is never signalled
            self.kernels = {pid for pid in self.kernels if _group_alive(pid)}
            return sorted(self.kernels)
        me = os.getpid()
        return [int(entry) for entry in os.listdir("/proc")
                if entry.isdigit() and int(entry) not in (1, me) and not _is_gone(int(entry))]

    def _reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            if pid in self.kernels:
                self.exit_codes[pid] = os.waitstatus_to_exitcode(status)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


def _is_gone(pid: int) -> bool:
    """Ended: no longer listed, or a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return True  # already gone


def _become_kernel(channel: Connection, connection_file: str, cwd: str, env: dict[str, str], parent: int) -> None:
    """In the forked child: drop the template's channel, take the kernel's folder and environment, run ipykernel
    (which ends when process ``parent`` ends, unless ``parent`` is 1)."""
    code = 1
    try:
        channel.close()
        os.setsid()
        _set_dumpable(True)  # the template is not (see main); the kernel is an ordinary process again
        signal.signal(signal.SIGINT, signal.default_int_handler)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        import tempfile

        tempfile.tempdir = None  # the kernel's TMPDIR, not the template's
        from .sandbox import limit_resources

        limit_resources()
        numpy = sys.modules.get("numpy")
        if numpy is not None:
            numpy.random.seed()  # Python's random reseeds itself in a forked child; numpy's global generator does not
        argv = ["-f", connection_file, f"--IPKernelApp.parent_handle={parent}"]
        sys.argv = [sys.executable, *argv]
        from ipykernel.kernelapp import IPKernelApp

        IPKernelApp.launch_instance(argv=argv)
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush() if sys.stdout else None
        os._exit(code)


def preload(modules: list[str]) -> None:
    """Import what every kernel imports, so that forked kernels find it done."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # no BLAS thread pool running while the template forks
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's warning about frozen modules
    for name in ["ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.completer", *modules]:
        try:
            importlib.import_module(name)
        except Exception as error:  # a module that fails here fails, with its own message, in the kernel that needs it
            print(f"pm-course kernel template: could not preload {name}: {error}", file=sys.stderr)


def _set_dumpable(dumpable: bool) -> None:
    """prctl(PR_SET_DUMPABLE): a process that is not dumpable cannot be traced, nor its memory read or written through
    /proc/PID/mem, by a process of the same user without CAP_SYS_PTRACE (which nothing in the sandbox has)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, int(dumpable), 0, 0, 0)  # 4 is PR_SET_DUMPABLE


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fd", type=int)
    parser.add_argument("--own-pid-namespace", action="store_true")
    parser.add_argument("--preload", nargs="*", default=[])
    args = parser.parse_args(argv)
    channel = Connection(args.fd)
    os.chdir("/")
    if args.own_pid_namespace:
        # as the sandbox's PID 1, signals from inside it reach this process only if it handles them: it handles none
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _set_dumpable(False)  # no kernel can rewrite the template that the next student's kernel is forked from
    preload(args.preload)
    channel.send("ready")
    KernelTemplate(channel, args.own_pid_namespace).serve()


if __name__ == "__main__":
    main()
