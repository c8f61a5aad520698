"""A jupyter_client kernel provisioner that forks each kernel from a pre-imported template.

Registered as the ``pm-course-forking`` entry point of ``jupyter_client.kernel_provisioners`` and named in the
metadata of the grading kernel spec (:func:`course.grading.sandbox.use_kernel_template`), so nbgrader and nbclient
start, interrupt, poll and end these kernels through their own machinery, unchanged.

Each grading process has one template (:mod:`course.grading.kernel_template`), started at its first kernel. When
isolated, the template lives in a bubblewrap sandbox (:func:`course.grading.sandbox.template_command`) whose only
writable place is a *slot* folder; before each kernel, every process in the sandbox but the template is ended, the slot
is emptied and the student's folder is copied into it. So a kernel sees nothing of the student graded before, and
what it writes (files, its temporary folder, its home) is discarded with it.
"""
from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jupyter_client.provisioning import LocalProvisioner
from traitlets import Bool, List, Unicode

from . import sandbox

_TEMPLATES: dict[tuple, "KernelTemplateProcess"] = {}


class TemplateUnavailable(RuntimeError):
    """The kernel template ended (or never started): no kernel can be forked from it."""


class KernelTemplateProcess:
    """The grader's side of one kernel template: its process and the channel to it."""

    def __init__(self, isolate: bool, preload: list[str]):
        self.slot = sandbox.kernel_dir() / "slot" if isolate else None
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", "course.grading.kernel_template", str(theirs.fileno()),
                   "--preload", *preload]
        if self.slot is not None:
            command = sandbox.template_command(self.slot) + command + ["--own-pid-namespace"]
        self.process = subprocess.Popen(command, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                                        start_new_session=self.slot is None)
        theirs.close()
        self.channel = Connection(ours.detach())
        self.lock = threading.Lock()
        try:
            self.channel.recv()  # "ready": the preloading is done
        except (EOFError, OSError):
            code = self.process.wait()
            raise TemplateUnavailable(f"the kernel template could not start (exit code {code})") from None

    def request(self, *request: Any) -> Any:
        with self.lock:
            try:
                self.channel.send(request)
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

    def start_kernel(self, connection_file: str, cwd: str, env: dict[str, str]) -> int:
        self.request("clear")
        if self.slot is not None:
            _empty(self.slot)
            work = self.slot / "work"
            shutil.copytree(cwd, work, symlinks=True)
            for private in ("tmp", "home"):
                (self.slot / private).mkdir()
            env = {**env, "TMPDIR": str(self.slot / "tmp"), "HOME": str(self.slot / "home")}
            cwd = str(work)
        return self.request("start", connection_file, cwd, env)


def template_for(isolate: bool, preload: list[str], fresh: bool = False) -> KernelTemplateProcess:
    """This process's template for these settings, started (again, if it ended, or if ``fresh``) when needed."""
    key = (isolate, tuple(preload))
    template = _TEMPLATES.get(key)
    if template is None or fresh or not template.alive():
        if template is not None:
            template.end()
        template = _TEMPLATES[key] = KernelTemplateProcess(isolate, preload)
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

    isolate = Bool(True, config=True, help="fork kernels inside the bubblewrap sandbox (where bwrap exists)")
    preload = List(Unicode(), config=True, help="modules the template imports once for every kernel")
    template: KernelTemplateProcess | None = None

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        settings = (self.isolate and sandbox.sandbox_available(), list(self.preload))
        template = template_for(*settings)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        env = dict(kwargs.get("env") or os.environ)
        try:
            pid = template.start_kernel(self.parent.connection_file, cwd, env)
        except TemplateUnavailable:  # it was ending (the last kernel ended it): start a new one
            template = template_for(*settings, fresh=True)
            pid = template.start_kernel(self.parent.connection_file, cwd, env)
        self.template, self.process = template, ForkedKernel(template, pid)
        self.pid, self.pgid, self.cwd = pid, None, cwd  # no pgid: the pid may be in the sandbox's PID namespace
        return self.connection_info

    async def cleanup(self, restart: bool = False) -> None:
        await super().cleanup(restart)
        if not restart and self.template is not None:  # (self.process is None once the kernel has ended)
            try:
                self.template.request("clear")  # nothing the kernel started keeps running after it
            except TemplateUnavailable:
                pass  # the kernel ended its template, and so its whole sandbox


def _empty(folder: Path) -> None:
    """Remove everything in ``folder``, including what a student made unwritable or unreadable."""
    def allow_and_retry(function, path, _error):
        parent = os.path.dirname(path)
        os.chmod(parent, os.stat(parent).st_mode | stat.S_IRWXU)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, stat.S_IRWXU)
        function(path)

    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, onerror=allow_and_retry)
        else:
            entry.unlink()
