"""The private folder a grading process owns, and the configuration that makes nbgrader's kernels start from it.

:func:`grading_kernels` makes a folder private to this process (first removing those of processes that ended without
doing so), writes the grading kernel spec into it (:func:`install_kernel_spec`) and yields a :class:`GradingKernels`:
the folder and a traitlets ``Config`` for the caller to merge into nbgrader's or nbclient's own. That configuration
names :class:`GradingKernelManager`, jupyter_client's async kernel manager finding kernel specs in the private folder
first: jupyter_client's own manager makes its kernel spec manager without passing on any configuration, so only
``JUPYTER_PATH`` could lead it there, and nothing here changes the process's environment or the caller's
configuration. The kernels' connection files and sockets live in the folder too, so a student's kernel can reach no
other student's kernel. On leaving the block, by any means, the folder's templates are ended and the folder removed.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import re
import tempfile
from dataclasses import dataclass
from multiprocessing import util
from pathlib import Path
from typing import Iterator

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from traitlets import Unicode, default
from traitlets.config import Config

from course.grading.kernels.cgroups import process_alive
from course.grading.kernels.sandbox import LIMITS, public_paths
from course.kernels.folders import PRIVATE_PREFIX, remove_tree
from course.kernels.forked_kernels import end_templates
from course.kernels.kernel_spec import ASSIGNMENT_PRELOADS, write_forking_kernel_spec

KERNEL_NAME = "pm-course-grading"
PROMPT_CLIENT = "course.kernels.kernel_client.PromptKernelClient"
WORKER_EXIT_PRIORITY = 10  # multiprocessing's finalizers with a priority run as a worker ends (higher ones first)


def kernel_specs_in(folder: Path, **traits) -> KernelSpecManager:
    """A kernel spec manager that looks in ``folder``'s ``kernels`` subfolder first, then where Jupyter looks."""
    manager = KernelSpecManager(**traits)
    manager.kernel_dirs = [str(folder / "kernels"), *manager.kernel_dirs]
    return manager


class GradingKernelManager(AsyncKernelManager):
    """jupyter_client's async kernel manager, finding kernel specs in the grading process's private folder first."""

    kernel_spec_folder = Unicode("", config=True,
                                 help="a folder whose kernels/ subfolder is searched for kernel specs first (the "
                                      "grading process's private folder)")

    @default("kernel_spec_manager")
    def _kernel_specs_of_the_folder(self) -> KernelSpecManager:
        if not self.kernel_spec_folder:
            return super()._kernel_spec_manager_default()
        return kernel_specs_in(Path(self.kernel_spec_folder), data_dir=self.data_dir, parent=self)


@dataclass(frozen=True)
class GradingKernels:
    """What :func:`grading_kernels` gives its block: the private folder, and the configuration to merge."""

    folder: Path
    config: Config

    def kernel_specs(self) -> KernelSpecManager:
        """The kernel specs this configuration's kernel managers find (the grading spec first)."""
        return kernel_specs_in(self.folder)


def install_kernel_spec(folder: Path, isolate: bool, course_root: Path | None = None,
                        log_file: Path | None = None) -> Path:
    """Write the grading kernel spec under ``folder/kernels/`` (where :class:`GradingKernelManager` finds it), with
    ``folder`` as its kernels' private folder; ``course_root`` is the course being graded (kept out of the sandbox)
    and ``log_file`` where the kernels' output goes (default: ``kernels.log`` in ``folder``)."""
    config = {"isolate": isolate, "preload": list(ASSIGNMENT_PRELOADS), "limits": dict(LIMITS),
              "private_folder": str(folder), "log_file": str(log_file or folder / "kernels.log"),
              "public_paths": sorted(str(path) for path in public_paths())}
    if course_root is not None:
        config["hidden_root"] = str(course_root.resolve())
    # interrupts (a cell over its time) travel as messages: a signal could not reach a sandboxed kernel
    return write_forking_kernel_spec(folder / "kernels" / KERNEL_NAME, config,
                                     display_name="Python 3 (pm-course grading)", interrupt_mode="message", env={},
                                     metadata={"debugger": False})


@contextlib.contextmanager
def grading_kernels(course_root: Path, isolate: bool = True, log_file: Path | None = None
                    ) -> Iterator[GradingKernels]:
    """Within the block, nbgrader or nbclient configured with the yielded ``config`` fork every student kernel from a
    template, sandboxed if ``isolate``; the yielded ``folder`` is the block's: on leaving it, by any means, the
    folder's templates are ended and the folder removed.

    The kernel spec, the connection files and the sockets live in that folder, private to this process. What kernels
    print goes to ``log_file`` (at most :data:`course.kernels.forked_kernels.LOG_BYTES` per template), never to the
    terminal.
    """
    private = make_private_folder()
    try:
        (private / "sockets").mkdir()
        install_kernel_spec(private, isolate, course_root, log_file)
        config = Config()
        # nbclient's kernel manager, and so nbgrader's (course.grading.nbgrader_plugins' ExecuteWithinDeadline)
        config.NotebookClient.kernel_manager_class = f"{__name__}.{GradingKernelManager.__name__}"
        config.Execute.kernel_name = KERNEL_NAME
        config.GradingKernelManager.kernel_spec_folder = str(private)
        config.GradingKernelManager.client_class = PROMPT_CLIENT
        config.GradingKernelManager.transport = "ipc"
        config.GradingKernelManager.ip = str(private / "sockets" / "kernel")
        yield GradingKernels(private, config)
    finally:
        end_templates(str(private))
        remove_tree(private)


def use_kernel_template(course_root: Path, isolate: bool = True, log_file: Path | None = None) -> GradingKernels:
    """:func:`grading_kernels` for the rest of this process's life (a grading worker): left when the process ends,
    also a multiprocessing worker, which ends without running atexit handlers."""
    stack = contextlib.ExitStack()
    kernels = stack.enter_context(grading_kernels(course_root, isolate, log_file))
    atexit.register(stack.close)
    util.Finalize(None, stack.close, exitpriority=WORKER_EXIT_PRIORITY)  # run by a multiprocessing worker as it ends
    return kernels


def make_private_folder() -> Path:
    """A new temporary folder for this process; first removes those of processes that ended without doing so (one
    killed, a power cut)."""
    root = Path(tempfile.gettempdir())
    for stale in root.glob(f"{PRIVATE_PREFIX}*"):
        found = re.match(rf"{PRIVATE_PREFIX}(\d+)-", stale.name)
        if found and not process_alive(int(found.group(1))):
            remove_tree(stale)
    return Path(tempfile.mkdtemp(prefix=f"{PRIVATE_PREFIX}{os.getpid()}-", dir=root))
