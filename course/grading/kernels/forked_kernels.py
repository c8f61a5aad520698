"""A jupyter_client kernel provisioner that forks each kernel from a pre-imported template.

Registered as the ``pm-course-forking`` entry point of ``jupyter_client.kernel_provisioners`` and named in the
metadata of the grading kernel spec (:func:`course.grading.kernels.sandbox.use_kernel_template`), so nbgrader and
nbclient start, interrupt, poll and end these kernels through their own machinery, unchanged.

Each grading process has one template (:mod:`course.grading.kernels.kernel_template`), started at its first kernel. When
isolated, the template lives in a bubblewrap sandbox (:func:`course.grading.kernels.sandbox.template_command`) in a
control group of its own (:mod:`course.grading.kernels.cgroups`). Before each kernel, every process in the sandbox but
the template is ended and the student's folder (without the notebooks nbgrader put there, which already hold the
instructor's tests) is copied into the sandbox's read-only *inbox*; the kernel copies it into a file system of its own,
which ends with it. The kernel's sockets are bound here, in this process's private folder, and passed to it listening.
What the template and its kernels print goes to a log (at most :data:`course.grading.kernels.sandbox.LOG_BYTES` per
template), never to the terminal.

The learner's JupyterLab (``pm-course start``) uses the same provisioner for its ``python3`` kernel spec, configured
for a learner's own machine: no sandbox, no limits, the learner's environment and terminal, lessons' imports
preloaded; and should the template fail, a kernel started the usual way (with a warning in the server's log).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, BinaryIO

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, Dict, Int, List, Unicode

from course.grading.kernels import sandbox
from course.grading.kernels.kernel_template import PORTS

LOGGER = logging.getLogger(__name__)
_TEMPLATES: dict["TemplateSettings", "KernelTemplateProcess"] = {}
_TEMPLATES_LOCK = threading.Lock()
# files of the kernel's folder that never reach the kernel: the notebooks nbgrader wrote there already hold the
# instructor's test cells, hidden tests included (the kernel is sent the cells to run; it needs no notebook file)
NOT_FOR_THE_KERNEL = ("*.ipynb", "*.outside-checks.json", ".ipynb_checkpoints")


class TemplateUnavailable(RuntimeError):
    """The kernel template ended (or never started): no kernel can be forked from it."""


@dataclass(frozen=True)
class TemplateSettings:
    """What a template is started with; kernels with equal settings share one template."""

    isolate: bool
    preload: tuple[str, ...]
    limits: tuple[tuple[str, int], ...] = tuple(sorted(sandbox.LIMITS.items()))
    keep_environment: bool = False  # the kernel gets the environment jupyter_client gives it, not the allow-list
    capture_output: bool = True  # what the template and kernels print goes to the kernel log, not the terminal
    # one kernel at a time (grading): before a kernel starts and after it ends, everything the template's kernels
    # started is ended; without it (the learner's notebooks, side by side) each kernel ends only its own processes
    exclusive: bool = True


class KernelTemplateProcess:
    """The grader's side of one kernel template: its process and the channel to it."""

    def __init__(self, settings: TemplateSettings):
        self.settings = settings
        isolate = settings.isolate
        self.isolated = isolate
        self.group = None
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "course.grading.kernels.kernel_template", str(theirs.fileno()),
                   "--preload", *settings.preload, *[f"--limit={name}={value}" for name, value in settings.limits]]
        if isolate:
            from course.grading.kernels.cgroups import create_group

            private = sandbox.kernel_dir()
            self.inbox = private / "inbox"
            self.inbox.mkdir(exist_ok=True)
            etc = sandbox.write_sandbox_etc(private / "etc")
            self.group = create_group(sandbox.SANDBOX_MEMORY, sandbox.SANDBOX_TASKS, sandbox.SANDBOX_CPUS)
            command = _joining(self.group.procs_files) + sandbox.template_command(self.inbox, etc) + command + \
                sandbox.template_options()
        try:
            self.process = subprocess.Popen(command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                            stdout=_template_output() if settings.capture_output else None,
                                            stderr=subprocess.STDOUT if settings.capture_output else None,
                                            start_new_session=not isolate,
                                            env=None if isolate else _unsandboxed_environment())
        except OSError as error:
            self._remove_group()
            raise TemplateUnavailable(f"the kernel template could not start: {error}") from None
        finally:
            theirs.close()
        if self.process.stdout is not None:
            threading.Thread(target=_copy_capped, args=(self.process.stdout, sandbox.kernel_log()),
                             daemon=True).start()
        self.channel = Connection(ours.detach())
        self.lock = threading.Lock()
        try:
            self.channel.recv()  # "ready": the preloading is done
        except (EOFError, OSError):
            code = self.process.wait()
            self._remove_group()
            where = f"; see {sandbox.kernel_log()}" if settings.capture_output else ""
            raise TemplateUnavailable(f"the kernel template could not start (exit code {code}{where})") from None

    def request(self, *request: Any, sockets: list[socket.socket] = ()) -> Any:
        with self.lock:
            try:
                self.channel.send(request)
                if sockets:
                    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM,
                                       fileno=os.dup(self.channel.fileno())) as raw:
                        socket.send_fds(raw, [b"s"], [listening.fileno() for listening in sockets])
                answer = self.channel.recv()
            except (EOFError, OSError) as error:
                raise TemplateUnavailable(f"the kernel template ended ({error or 'no answer'})") from None
        if isinstance(answer, OSError):
            raise answer
        return answer

    def alive(self) -> bool:
        return self.process.poll() is None

    def end(self) -> None:
        """End the template (and so its sandbox and anything left in it)."""
        self.channel.close()  # the template sees its channel closed, ends its kernels and exits
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._remove_group()

    def _remove_group(self) -> None:
        if self.group is not None:
            self.group.remove()

    def start_kernel(self, connection_file: str, cwd: str, env: dict[str, str]) -> int:
        if self.settings.exclusive and self.request("clear") is False:
            raise TemplateUnavailable("a process of the previous student would not end")
        if not self.isolated:
            if not self.settings.keep_environment:
                env = {**sandbox.kernel_environment(env), "HOME": os.environ.get("HOME", cwd)}
            return self.request("start", connection_file, cwd, env)
        env = sandbox.kernel_environment(env)
        remove_tree(self.inbox, keep=True)
        shutil.copytree(cwd, self.inbox, symlinks=True, dirs_exist_ok=True, copy_function=_copy_regular_file,
                        ignore=shutil.ignore_patterns(*NOT_FOR_THE_KERNEL))
        connection = json.loads(Path(connection_file).read_text())
        sockets = _listening_sockets(connection)
        try:
            return self.request("start", connection, None, env, sockets=sockets)
        finally:
            for listening in sockets:
                listening.close()  # the kernel holds them now


def _copy_regular_file(source: str, target: str) -> None:
    """Copy a regular file; anything else (a named pipe, which would block the copy, a device) is left out."""
    if stat.S_ISREG(os.lstat(source).st_mode):
        shutil.copy2(source, target)


def _listening_sockets(connection: dict) -> list[socket.socket]:
    """A listening Unix socket for each of the kernel's ports, at the path its client will connect to."""
    sockets = []
    try:
        for port in PORTS:
            listening = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sockets.append(listening)
            path = f"{connection['ip']}-{connection[port]}"
            if os.path.lexists(path):
                os.unlink(path)
            listening.bind(path)
            listening.listen(128)
    except BaseException:
        for listening in sockets:
            listening.close()
        raise
    return sockets


def _joining(procs_files: list[Path]) -> list[str]:
    """A prefix that puts the command in the sandbox's control group before it starts, so nothing escapes it."""
    if not procs_files:
        return []
    script = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"'
    return ["/bin/sh", "-c", script, "sh", *map(str, procs_files), "--"]


def _template_output() -> int:
    """Where the template's (and so every kernel's) standard output and error go: a pipe this process copies into
    the log, never the terminal (a kernel can write escape sequences to its own standard output)."""
    return subprocess.PIPE


def _unsandboxed_environment() -> dict[str, str]:
    """The template's environment with --no-isolation: the grader's own, as nbgrader's kernels get it."""
    return dict(os.environ)


def _copy_capped(stream: BinaryIO, log: Path) -> None:
    """Copy what the template and its kernels print into ``log``, up to LOG_BYTES, and discard the rest (reading
    on, so that no kernel blocks on a full pipe): the terminal never sees a byte of it."""
    written = 0
    try:
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "ab") as out:
            while True:
                chunk = stream.read1(65536) if hasattr(stream, "read1") else stream.read(65536)
                if not chunk:
                    break
                if written < sandbox.LOG_BYTES:
                    kept = chunk[:sandbox.LOG_BYTES - written]
                    out.write(kept)
                    written += len(kept)
                    if written >= sandbox.LOG_BYTES:
                        out.write(b"\n[pm-course: the kernels' output goes on, but no more of it is kept]\n")
                    out.flush()
    except (OSError, ValueError):
        while stream.read(65536):
            pass


def template_for(isolate: bool | TemplateSettings, preload: list[str] = (), fresh: bool = False
                 ) -> KernelTemplateProcess:
    """This process's template for these settings (a :class:`TemplateSettings`, or the grading defaults for
    ``isolate`` and ``preload``), started (again, if it ended, or if ``fresh``) when needed."""
    settings = isolate if isinstance(isolate, TemplateSettings) else TemplateSettings(bool(isolate), tuple(preload))
    with _TEMPLATES_LOCK:  # the learner's server may warm its template in a thread while a kernel is wanted
        template = _TEMPLATES.get(settings)
        if template is None or fresh or not template.alive():
            if template is not None:
                del _TEMPLATES[settings]
                template.end()
            template = _TEMPLATES[settings] = KernelTemplateProcess(settings)
        return template


def end_templates() -> None:
    """End this process's templates."""
    while _TEMPLATES:
        _TEMPLATES.popitem()[1].end()


class ForkedKernel:
    """What a provisioner keeps of a kernel forked by the template: the subprocess.Popen calls it makes."""

    stdin = stdout = stderr = None

    def __init__(self, template: KernelTemplateProcess, pid: int):
        self.template = template
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.template.request("poll", self.pid)
            except TemplateUnavailable:
                self.returncode = -9  # its template ended, and the kernel with it
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("forked kernel", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            self.template.request("signal", self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkingProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked from the template instead of started anew."""

    isolate = Bool(True, config=True, help="fork kernels inside the bubblewrap sandbox (bwrap must exist)")
    preload = List(Unicode(), config=True, help="modules the template imports once for every kernel")
    limits = Dict(value_trait=Int(), default_value=dict(sandbox.LIMITS), config=True,
                  help="resource limits (setrlimit, by RLIMIT_ name) each kernel takes before it runs anything")
    keep_environment = Bool(False, config=True,
                            help="give kernels the environment jupyter_client builds (the learner's own) instead "
                                 "of the grading allow-list")
    capture_output = Bool(True, config=True,
                          help="send what the template and kernels print to the kernel log instead of the terminal")
    exclusive = Bool(True, config=True,
                     help="one kernel at a time: end everything the template's kernels started before each kernel "
                          "and after it (False: kernels run side by side, each ending only its own processes)")
    fall_back = Bool(False, config=True,
                     help="when no template can start, start the kernel the usual way (logged as a warning) "
                          "instead of failing; never with isolate")
    template: KernelTemplateProcess | None = None

    def template_settings(self) -> TemplateSettings:
        return TemplateSettings(bool(self.isolate), tuple(self.preload), tuple(sorted(self.limits.items())),
                                bool(self.keep_environment), bool(self.capture_output), bool(self.exclusive))

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        if self.isolate and not sandbox.sandbox_available():  # fail closed: never run student code unsandboxed
            raise RuntimeError(f"bubblewrap (bwrap) is not installed: {sandbox.BUBBLEWRAP_HINT}")
        settings = self.template_settings()
        cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())  # the template's own folder is /
        env = dict(kwargs.get("env") or os.environ)
        try:
            # in a thread: a template that has to start takes seconds, which the server's event loop must not wait
            template, pid = await asyncio.to_thread(_fork_kernel, settings, self.parent.connection_file, cwd, env)
        except TemplateUnavailable as error:
            if not self.fall_back or self.isolate:
                raise
            LOGGER.warning("pm-course: %s; starting this kernel without the template (slower to start)", error)
            self.template = None
            return await super().launch_kernel(cmd, **kwargs)
        self.template, self.process = template, ForkedKernel(template, pid)
        self.pid, self.pgid, self.cwd = pid, None, cwd  # no pgid: the pid may be in the sandbox's PID namespace
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if not restart and self.template is not None and self.template.settings.exclusive:
            # (self.process is None once the kernel has ended)
            try:
                if self.template.request("clear") is False:  # nothing the kernel started keeps running after it
                    self.template.end()  # something would not end: the whole sandbox goes, the next is fresh
            except TemplateUnavailable:
                pass  # the kernel ended its template, and so its whole sandbox


def _fork_kernel(settings: TemplateSettings, connection_file: str, cwd: str, env: dict[str, str]
                 ) -> tuple[KernelTemplateProcess, int]:
    """A kernel forked from the template for ``settings`` (started, or started again, as needed), and its pid."""
    template = template_for(settings)
    try:
        return template, template.start_kernel(connection_file, cwd, env)
    except TemplateUnavailable:  # it was ending (the last kernel ended it): start a new one
        template = template_for(settings, fresh=True)
        return template, template.start_kernel(connection_file, cwd, env)


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
