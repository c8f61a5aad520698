"""A jupyter_client kernel provisioner that forks each kernel from a pre-imported template.

Registered as the ``pm-course-forking`` entry point of ``jupyter_client.kernel_provisioners`` and named in the
metadata of the kernel specs :func:`course.kernels.kernel_spec.write_forking_kernel_spec` writes (grading's and the
learner's lessons'), so nbgrader, nbclient and JupyterLab start, interrupt, poll and end these kernels through their own
machinery, unchanged. Every setting (the
sandbox, the private folder, the course kept out of it, the public paths, the limits, the preloads, the log) is a
trait of :class:`ForkingProvisioner`, set from the kernel spec's ``metadata.kernel_provisioner.config``; what must
reach the template process goes on its command line.

Each grading process has one template (:mod:`course.kernels.kernel_template`), started at its first kernel. When
isolated, the template lives in a bubblewrap sandbox (:func:`course.grading.kernels.sandbox.template_command`) in a
control group of its own (:mod:`course.grading.kernels.cgroups`), grading's modules, imported only then (they import
nothing of this one). Before each kernel, every process in the sandbox but the template is ended and the student's
folder (without the notebooks nbgrader put there, which already hold the instructor's tests) is copied into the
sandbox's read-only *inbox*; the kernel copies it into a file system of its own, which ends with it. The kernel's
sockets are bound here, in this process's private folder, and passed to it listening. What the template and its
kernels print goes to a log (at most :data:`LOG_BYTES` per template), never to the terminal.

The learner's JupyterLab (``pm-course start``) uses the same provisioner for its ``python3`` kernel spec, configured
for a learner's own machine: no sandbox, no limits, the learner's environment and terminal, lessons' imports
preloaded, kernels side by side; and should the template fail, a kernel started the usual way (with a warning in the
server's log).
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import pathlib
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, BinaryIO

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import KernelProvisionerBase, LocalProvisioner
from traitlets import Bool, Dict, Float, Int, List, Unicode, default

from course.kernels.folders import remove_tree
from course.kernels.kernel_spec import PROVISIONER_NAME
from course.kernels.kernel_template import PORTS

LOGGER = logging.getLogger(__name__)
_TEMPLATES: dict["TemplateSettings", "KernelTemplateProcess"] = {}
_TEMPLATES_LOCK = threading.Lock()
# files of the kernel's folder that never reach the kernel: the notebooks nbgrader wrote there already hold the
# instructor's test cells, hidden tests included (the kernel is sent the cells to run; it needs no notebook file)
NOT_FOR_THE_KERNEL = ("*.ipynb", "*.outside-checks.json", ".ipynb_checkpoints")
TEMPLATE_END_SECONDS = 10.0  # how long an ended template may take to end its kernels and exit before it is killed
KERNEL_POLL_SECONDS = 0.02  # how often wait() asks the template whether the kernel has ended
SOCKET_BACKLOG = 128  # connections each of a sandboxed kernel's listening sockets queues
ENDED_WITH_ITS_TEMPLATE = -signal.SIGKILL  # the exit code of a kernel whose template ended (and so the kernel)
LOG_BYTES = 1024**2  # what the kernels of one template print, kept in its log (the rest is discarded)


class TemplateUnavailable(RuntimeError):
    """The kernel template ended (or never started): no kernel can be forked from it."""


@dataclass(frozen=True)
class TemplateSettings:
    """What a template is started with (kernels with equal settings share one template): the provisioner's
    configuration, less what concerns one kernel only."""

    isolate: bool
    preload: tuple[str, ...]
    limits: tuple[tuple[str, int], ...] = ()  # setrlimit values by name, which each kernel takes
    keep_environment: bool = False  # the kernel gets the environment jupyter_client gives it, not the allow-list
    capture_output: bool = True  # what the template and kernels print goes to the kernel log, not the terminal
    # one kernel at a time (grading): before a kernel starts and after it ends, everything the template's kernels
    # started is ended; without it (the learner's notebooks, side by side) each kernel ends only its own processes
    exclusive: bool = True
    private_folder: str = ""  # the grading process's own folder: the sandbox's inbox and /etc, the kernels' sockets
    log_file: str = ""  # where what the template and kernels print goes (default: kernels.log in the private folder)
    hidden_root: str = ""  # the course being graded: emptied in the sandbox when it sits inside a bound folder
    public_paths: tuple[str, ...] = ()  # bound read-only into the sandbox (default: sandbox.public_paths())
    # the sandbox's caps as a whole (its control group) and each student's file system; None: sandbox's constants
    sandbox_memory: int | None = None
    sandbox_tasks: int | None = None
    sandbox_cpus: float | None = None
    slot_bytes: int | None = None

    @property
    def log(self) -> Path:
        if self.log_file:
            return Path(self.log_file)
        if not self.private_folder:
            raise ValueError("a template whose output is kept needs a log file or a private folder")
        return Path(self.private_folder) / "kernels.log"


class KernelTemplateProcess:
    """The grader's side of one kernel template: its process and the channel to it."""

    def __init__(self, settings: TemplateSettings):
        self.settings = settings
        self.isolated = settings.isolate
        self.group = None
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "course.kernels.kernel_template", str(theirs.fileno()),
                   "--preload", *settings.preload, *[f"--limit={name}={value}" for name, value in settings.limits]]
        if settings.isolate:
            from course.grading.kernels import sandbox

            if not settings.private_folder:
                raise ValueError("a sandboxed template needs a private folder")
            private = Path(settings.private_folder)
            self.inbox = private / "inbox"
            self.inbox.mkdir(exist_ok=True)
            etc = sandbox.write_sandbox_etc(private / "etc")
            public = {Path(path) for path in settings.public_paths} or None
            hidden = Path(settings.hidden_root) if settings.hidden_root else None
            self.group = sandbox.sandbox_group(settings.sandbox_memory, settings.sandbox_tasks, settings.sandbox_cpus)
            command = _joining(self.group.procs_files) + sandbox.template_command(self.inbox, etc, hidden, public) + \
                command + sandbox.template_options(settings.slot_bytes)
        try:
            self.process = subprocess.Popen(command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                            stdout=subprocess.PIPE if settings.capture_output else None,
                                            stderr=subprocess.STDOUT if settings.capture_output else None,
                                            start_new_session=not settings.isolate,
                                            env=None if settings.isolate else _unsandboxed_environment())
        except OSError as error:
            self._remove_group()
            raise TemplateUnavailable(f"the kernel template could not start: {error}") from None
        finally:
            theirs.close()
        if self.process.stdout is not None:
            # never the terminal: a kernel can write escape sequences to its own standard output
            threading.Thread(target=_copy_capped, args=(self.process.stdout, settings.log), daemon=True).start()
        self.channel = Connection(ours.detach())
        self.lock = threading.Lock()
        try:
            self.channel.recv()  # "ready": the preloading is done
        except (EOFError, OSError):
            code = self.process.wait()
            self._remove_group()
            where = f"; see {settings.log}" if settings.capture_output else ""
            raise TemplateUnavailable(f"the kernel template could not start (exit code {code}{where})") from None

    def request(self, *request: Any, sockets: list[socket.socket] = ()) -> Any:
        """Send one request (see :mod:`course.kernels.kernel_template`) and return its answer; an OSError
        the template answers with is raised here."""
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
            self.process.wait(timeout=TEMPLATE_END_SECONDS)
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
        if not self.isolated and self.settings.keep_environment:  # the learner's lessons
            return self.request("start", connection_file, cwd, env)
        from course.grading.kernels.sandbox import kernel_environment  # grading's allow-list

        env = kernel_environment(env)
        if not self.isolated:
            return self.request("start", connection_file, cwd, {**env, "HOME": os.environ.get("HOME", cwd)})
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
            listening.listen(SOCKET_BACKLOG)
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
                if written < LOG_BYTES:
                    kept = chunk[:LOG_BYTES - written]
                    out.write(kept)
                    written += len(kept)
                    if written >= LOG_BYTES:
                        out.write(b"\n[pm-course: the kernels' output goes on, but no more of it is kept]\n")
                    out.flush()
    except (OSError, ValueError):
        while stream.read(65536):
            pass


def template_for(settings: TemplateSettings, fresh: bool = False) -> KernelTemplateProcess:
    """This process's template for ``settings``, started (again, if it ended, or if ``fresh``) when needed."""
    with _TEMPLATES_LOCK:  # the learner's server may warm its template in a thread while a kernel is wanted
        template = _TEMPLATES.get(settings)
        if template is None or fresh or not template.alive():
            if template is not None:
                del _TEMPLATES[settings]
                template.end()
            template = _TEMPLATES[settings] = KernelTemplateProcess(settings)
        return template


def start_template_of(kernel_name: str, spec_manager: Any = None, sandboxed: bool | None = None
                      ) -> KernelTemplateProcess | None:
    """Start (ahead of the first kernel) the template that kernel spec ``kernel_name`` forks its kernels from; None
    when that spec does not name this provisioner (or, when ``sandboxed`` is given, is not as sandboxed)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = (spec_manager or KernelSpecManager()).get_kernel_spec(kernel_name)
    provisioner = spec.metadata.get("kernel_provisioner", {})
    if provisioner.get("provisioner_name") != PROVISIONER_NAME:
        return None
    settings = ForkingProvisioner(**provisioner.get("config", {})).template_settings()
    if sandboxed is not None and settings.isolate != sandboxed:
        return None
    return template_for(settings)


def running_templates() -> list[KernelTemplateProcess]:
    """This process's templates, as they are now (ended ones included until replaced or ended here)."""
    with _TEMPLATES_LOCK:
        return list(_TEMPLATES.values())


def end_templates(private_folder: str | None = None) -> None:
    """End this process's templates (only those of ``private_folder``, if given)."""
    with _TEMPLATES_LOCK:
        ending = [settings for settings in _TEMPLATES
                  if private_folder is None or settings.private_folder == str(private_folder)]
        templates = [_TEMPLATES.pop(settings) for settings in ending]
    for template in templates:
        template.end()


def _fork_kernel(settings: TemplateSettings, connection_file: str, cwd: str, env: dict[str, str]
                 ) -> tuple[KernelTemplateProcess, int]:
    """A kernel forked from the template for ``settings`` (started, or started again, as needed), and its pid."""
    template = template_for(settings)
    try:
        return template, template.start_kernel(connection_file, cwd, env)
    except TemplateUnavailable:  # it was ending (the last kernel ended it): start a new one
        template = template_for(settings, fresh=True)
        return template, template.start_kernel(connection_file, cwd, env)


class ForkingProvisioner(KernelProvisionerBase):
    """A kernel provisioner whose kernels are forked by a template (:class:`KernelTemplateProcess`) instead of
    started anew. Its lifecycle calls (poll, signal, kill, wait) go to the template, which is the kernel's parent.

    What jupyter_client's :class:`~jupyter_client.provisioning.LocalProvisioner` does for every local kernel (the
    connection file and its cached ports, and, with ``fall_back``, a kernel started the usual way) it does here too:
    this provisioner holds one and hands it those parts.
    """

    isolate = Bool(True, config=True, help="fork kernels inside the bubblewrap sandbox (bwrap must exist)")
    preload = List(Unicode(), config=True, help="modules the template imports once for every kernel")
    limits = Dict(value_trait=Int(), config=True,
                  help="resource limits (setrlimit, by RLIMIT_ name) each kernel takes before it runs anything "
                       "(default: grading's, course.grading.kernels.sandbox.LIMITS)")
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
    private_folder = Unicode("", config=True,
                             help="the grading process's private folder: connection files, sockets, the sandbox's "
                                  "inbox (made and removed by course.grading.kernels.private_folder.grading_kernels)")
    log_file = Unicode("", config=True, help="where the template's and kernels' output goes (with capture_output)")
    hidden_root = Unicode("", config=True, help="the course being graded, emptied inside the sandbox")
    public_paths = List(Unicode(), config=True,
                        help="folders bound read-only into the sandbox (default: the package, data, exercises)")
    sandbox_memory = Int(None, allow_none=True, config=True,
                         help="bytes of memory the sandbox may hold in all (default: sandbox.SANDBOX_MEMORY)")
    sandbox_tasks = Int(None, allow_none=True, config=True,
                        help="processes and threads the sandbox may hold in all (default: sandbox.SANDBOX_TASKS)")
    sandbox_cpus = Float(None, allow_none=True, config=True,
                         help="CPUs the sandbox may use in all (default: sandbox.SANDBOX_CPUS)")
    slot_bytes = Int(None, allow_none=True, config=True,
                     help="bytes of each student's own file system (default: sandbox.SLOT_BYTES)")

    template: KernelTemplateProcess | None = None
    pid: int | None = None
    cwd: str | None = None
    _exit_code: int | None = None
    _local_provisioner: LocalProvisioner | None = None  # the connection file's keeper, and the kernel when fallen back
    _fallen_back = False

    @default("limits")
    def _grading_limits(self) -> dict[str, int]:
        from course.grading.kernels.sandbox import LIMITS

        return dict(LIMITS)

    def template_settings(self) -> TemplateSettings:
        return TemplateSettings(bool(self.isolate), tuple(self.preload), tuple(sorted(self.limits.items())),
                                bool(self.keep_environment), bool(self.capture_output), bool(self.exclusive),
                                self.private_folder, self.log_file, self.hidden_root, tuple(self.public_paths),
                                self.sandbox_memory, self.sandbox_tasks, self.sandbox_cpus, self.slot_bytes)

    @property
    def local_provisioner(self) -> LocalProvisioner:
        """jupyter_client's own provisioner for this kernel: it keeps the connection file and its ports, and starts
        the kernel the usual way when this one falls back."""
        if self._local_provisioner is None:
            self._local_provisioner = LocalProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec,
                                                       parent=self.parent)
        return self._local_provisioner

    @property
    def has_process(self) -> bool:
        if self._fallen_back:
            return self.local_provisioner.has_process
        return self.pid is not None

    async def poll(self) -> int | None:
        """None while the kernel runs, else its exit code."""
        if self._fallen_back:
            return await self.local_provisioner.poll()
        if self.pid is None:
            return 0
        if self._exit_code is None:
            try:
                # in a thread, as every request here: the template answers one request at a time, and another
                # kernel's start may hold it for seconds, which the server's event loop must not wait
                self._exit_code = await asyncio.to_thread(self.template.request, "poll", self.pid)
            except TemplateUnavailable:
                self._exit_code = ENDED_WITH_ITS_TEMPLATE
        return self._exit_code

    async def wait(self) -> int | None:
        """Wait until the kernel has ended (callers bound the wait); then the provisioner has no process."""
        if self._fallen_back:
            return await self.local_provisioner.wait()
        code = 0
        if self.pid is not None:
            while (code := await self.poll()) is None:
                await asyncio.sleep(KERNEL_POLL_SECONDS)
            self.pid = None
        return code

    async def send_signal(self, signum: int) -> None:
        """Signal the kernel's process group, through the template (the kernel's pid may be in the sandbox's PID
        namespace)."""
        if self._fallen_back:
            return await self.local_provisioner.send_signal(signum)
        if self.pid is not None and await self.poll() is None:
            await asyncio.to_thread(self.template.request, "signal", self.pid, signum)

    async def kill(self, restart: bool = False) -> None:
        if self._fallen_back:
            return await self.local_provisioner.kill(restart)
        await self._tolerating_an_ended_kernel(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        if self._fallen_back:
            return await self.local_provisioner.terminate(restart)
        await self._tolerating_an_ended_kernel(signal.SIGTERM)

    async def _tolerating_an_ended_kernel(self, signum: int) -> None:
        try:
            await self.send_signal(signum)
        except (ProcessLookupError, TemplateUnavailable):
            pass  # ended already (with its template, if that ended)

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        """The connection file (in the private folder, when there is one) and the command, as jupyter_client's
        local provisioner prepares them."""
        manager = self.parent
        if self.private_folder and manager is not None and not manager.connection_file:
            manager.connection_file = os.path.join(self.private_folder, f"kernel-{self.kernel_id}.json")
        kwargs = await self.local_provisioner.pre_launch(**kwargs)
        self.connection_info = self.local_provisioner.connection_info
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        if self.isolate:
            from course.grading.kernels.sandbox import BUBBLEWRAP_HINT, sandbox_available

            if not sandbox_available():  # fail closed: never run student code unsandboxed
                raise RuntimeError(f"bubblewrap (bwrap) is not installed: {BUBBLEWRAP_HINT}")
        settings = self.template_settings()
        cwd = os.path.abspath(kwargs.get("cwd") or os.getcwd())  # the template's own folder is /
        env = dict(kwargs.get("env") or os.environ)
        self._fallen_back, self._exit_code = False, None
        try:
            # in a thread: a template that has to start takes seconds, which the server's event loop must not wait
            self.template, self.pid = await asyncio.to_thread(_fork_kernel, settings, self.parent.connection_file,
                                                              cwd, env)
        except TemplateUnavailable as error:
            if not self.fall_back or self.isolate:
                raise
            LOGGER.warning("pm-course: %s; starting this kernel without the template (slower to start)", error)
            self.template, self._fallen_back = None, True
            return await self.local_provisioner.launch_kernel(cmd, **kwargs)
        self.cwd = cwd
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        await self.local_provisioner.cleanup(restart)  # the cached ports go back when the kernel is gone for good
        if not restart and self.template is not None and self.template.settings.exclusive:
            try:
                # nothing the kernel started keeps running after it
                if await asyncio.to_thread(self.template.request, "clear") is False:
                    # something would not end: the whole sandbox goes, the next is fresh
                    await asyncio.to_thread(self.template.end)
            except TemplateUnavailable:
                pass  # the kernel ended its template, and so its whole sandbox

    def resolve_path(self, path: str) -> str | None:
        """A path the frontend names, relative to the kernel's folder (as the local provisioner resolves it)."""
        if self._fallen_back:
            return self.local_provisioner.resolve_path(path)
        resolved = pathlib.Path(path).expanduser()
        if not resolved.is_absolute() and self.cwd:
            resolved = (pathlib.Path(self.cwd) / resolved).resolve()
        return resolved.as_posix() if resolved.exists() else None

    async def get_provisioner_info(self) -> dict[str, Any]:
        """What a restarted server would need to find this kernel again: a forked kernel cannot be found again (its
        template belongs to this process), so only the base information (the kernel's id and connection)."""
        return await super().get_provisioner_info()
