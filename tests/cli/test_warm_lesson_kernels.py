"""Do lessons opened in the JupyterLab of 'pm-course start' get a kernel forked from a warm template, that behaves
as a kernel started the usual way (interrupt, restart, widgets, plots, the learner's folder and environment)?"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager

from course.cli.start import WARM_TEMPLATE_EXTENSION, write_learner_config, write_lesson_kernel_spec
from course.kernels import forked_kernels
from course.kernels.kernel_spec import LESSON_PRELOADS
from course.kernels.warm_template import warm_lesson_template
from course.paths import LESSONS_DIR

from ..conftest import run_coroutine

pytestmark = pytest.mark.slow

# run as the first cell: none of these is imported by it, so each one found was imported before the kernel existed
PRELOADED = "import sys, json; print(json.dumps([name in sys.modules for name in ('pandas', 'course.widgets', " \
            "'matplotlib.pyplot')]))"


@pytest.fixture
def lesson_kernels(tmp_path, monkeypatch):
    """The Jupyter data path of 'pm-course start' (its warm python3 spec first), this process's templates ended
    before and after."""
    forked_kernels.end_templates()
    data = write_lesson_kernel_spec(tmp_path / "ws")
    monkeypatch.setenv("JUPYTER_PATH", str(data))
    folder = tmp_path / "ws" / "lessons"
    folder.mkdir(parents=True)
    yield folder
    forked_kernels.end_templates()


async def _started(folder: Path) -> tuple[AsyncKernelManager, object]:
    manager = AsyncKernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager())
    await manager.start_kernel(cwd=str(folder))
    client = manager.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    return manager, client


async def _ended(manager: AsyncKernelManager, client) -> None:
    client.stop_channels()
    await manager.shutdown_kernel(now=True)


@contextlib.asynccontextmanager
async def lesson_kernel(folder: Path):
    """A lesson's kernel working in ``folder``, as JupyterLab starts it (manager and client), shut down after."""
    manager, client = await _started(folder)
    try:
        yield manager, client
    finally:
        await _ended(manager, client)


async def _run(client, code: str, timeout: float = 60) -> tuple[str, list[dict]]:
    """What a cell printed, and every output message it sent (errors and displays included)."""
    messages: list[dict] = []
    printed: list[str] = []

    def keep(message: dict) -> None:
        messages.append(message)
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    await client.execute_interactive(code, timeout=timeout, output_hook=keep)
    return "".join(printed), messages


def test_a_lessons_kernel_is_forked_from_the_warm_template(lesson_kernels, monkeypatch):
    """Does the lessons' kernel find pandas, the course's widgets and pyplot imported before its first cell, work in
    the notebook's folder with the learner's environment and no grading limits, and show widgets and pyplot figures
    as a kernel started the usual way does?"""
    monkeypatch.setenv("PM_COURSE_LEARNER_MARK", "mine")

    async def scenario():
        async with lesson_kernel(lesson_kernels) as (manager, client):
            assert isinstance(manager.provisioner, forked_kernels.ForkingProvisioner)
            printed, _ = await _run(client, PRELOADED)
            assert json.loads(printed) == [True, True, True]
            printed, _ = await _run(client, "import os, resource; print(os.getcwd()); "
                                            "print(os.environ.get('PM_COURSE_LEARNER_MARK')); "
                                            "print(resource.getrlimit(resource.RLIMIT_CPU)[0])")
            cwd, mark, cpu = printed.split()
            assert (cwd, mark) == (str(lesson_kernels), "mine")
            assert int(cpu) == resource.getrlimit(resource.RLIMIT_CPU)[0], "no grading limit on a learner's kernel"
            printed, _ = await _run(client, "print(sorted(get_ipython().kernel.comm_manager.targets))")
            assert "jupyter.widget.control" in printed, "JupyterLab can ask for the widgets' state"
            _, outputs = await _run(client, "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nNone")
            assert any("image/png" in message["content"].get("data", {}) for message in outputs
                       if message["msg_type"] == "display_data"), "a pyplot figure shows under its cell"

    run_coroutine(scenario())


def test_interrupt_and_restart_work_on_a_lessons_kernel(lesson_kernels):
    """Does Kernel > Interrupt stop a running cell, and Kernel > Restart give a new kernel, forked warm again?"""

    async def scenario():
        async with lesson_kernel(lesson_kernels) as (manager, client):
            printed, _ = await _run(client, "import os; print(os.getpid())")
            first_pid = int(printed)
            client.execute("import time; time.sleep(60)")
            await asyncio.sleep(1)
            await manager.interrupt_kernel()
            error = await _first_error(client)
            assert error == "KeyboardInterrupt"
            printed, _ = await _run(client, "print('still here')")
            assert printed.strip() == "still here"
            await manager.restart_kernel()
            await client.wait_for_ready(timeout=60)
            printed, _ = await _run(client, PRELOADED + "\nimport os; print(os.getpid())")
            preloaded, pid = printed.splitlines()
            assert json.loads(preloaded) == [True, True, True] and int(pid) != first_pid
            assert isinstance(manager.provisioner, forked_kernels.ForkingProvisioner)
            assert manager.provisioner.template is not None

    run_coroutine(scenario())


def test_lessons_open_side_by_side_keep_their_kernels(lesson_kernels):
    """With two notebooks open, does starting a third kernel or shutting one down leave the others running?"""

    async def scenario():
        first, first_client = await _started(lesson_kernels)
        second, second_client = await _started(lesson_kernels)
        third, third_client = await _started(lesson_kernels)
        try:
            await _run(first_client, "kept = 'first'")
            await _ended(third, third_client)
            for manager, client in ((first, first_client), (second, second_client)):
                assert await manager.is_alive()
                printed, _ = await _run(client, "print('alive')")
                assert printed.strip() == "alive"
            printed, _ = await _run(first_client, "print(kept)")
            assert printed.strip() == "first", "the first kernel is the same, not one started again"
        finally:
            for manager, client in ((first, first_client), (second, second_client)):
                await _ended(manager, client)

    run_coroutine(scenario())


async def _first_error(client, seconds: float = 20) -> str:
    """The name of the error the running cell ended with, once the kernel is idle again (as ipykernel aborts what
    was sent before that, as after any error)."""
    error = None
    while True:
        message = await client.get_iopub_msg(timeout=seconds)
        if message["msg_type"] == "error":
            error = message["content"]["ename"]
        elif message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            await client.get_shell_msg(timeout=seconds)  # the interrupted cell's reply
            return error


def test_a_template_that_cannot_start_leaves_the_learner_a_normal_kernel(lesson_kernels, monkeypatch, caplog):
    """When the template cannot start, does the lesson still get a kernel (started the usual way), with a warning?"""

    def broken(settings):
        raise forked_kernels.TemplateUnavailable("the kernel template could not start (exit code 1)")

    monkeypatch.setattr(forked_kernels, "KernelTemplateProcess", broken)

    async def scenario():
        async with lesson_kernel(lesson_kernels) as (manager, client):
            printed, _ = await _run(client, PRELOADED + "\nimport os; print(os.getcwd())")
            preloaded, cwd = printed.splitlines()
            assert json.loads(preloaded) == [False, False, False], "a kernel started the usual way"
            assert cwd == str(lesson_kernels) and manager.provisioner.template is None

    with caplog.at_level(logging.WARNING, logger=forked_kernels.__name__):
        run_coroutine(scenario())
    assert any("without the template" in record.getMessage() for record in caplog.records)


def test_the_server_warms_the_lessons_template_as_it_starts(lesson_kernels, tmp_path):
    """Is the warm-up extension enabled in the learner's server, and does it start the very template that the
    lessons' kernels are forked from?"""
    server = json.loads((write_learner_config(tmp_path / "ws", None) / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"][WARM_TEMPLATE_EXTENSION] is True
    assert warm_lesson_template() is True
    (warmed,) = forked_kernels.running_templates()

    async def scenario():
        async with lesson_kernel(lesson_kernels) as (manager, client):
            assert manager.provisioner.template is warmed

    run_coroutine(scenario())


def test_the_template_preloads_everything_the_lessons_import():
    """Does the template import every module a lesson's code imports (so no lesson pays for an import)?"""
    imported = set()
    for lesson in LESSONS_DIR.glob("*.ipynb"):
        for cell in json.loads(lesson.read_text())["cells"]:
            if cell["cell_type"] == "code":
                for line in "".join(cell["source"]).splitlines():
                    found = re.match(r"\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+))", line)
                    if found:
                        imported.add(found.group(1) or found.group(2))
    standard = {name for name in imported if name.split(".")[0] in sys.stdlib_module_names}
    assert imported - standard, "the lessons import the course's modules"
    assert imported - standard <= set(LESSON_PRELOADS)


def test_the_learners_server_loads_no_grading_code_for_its_kernels():
    """The provisioner and the warm-up extension run in the learner's JupyterLab: do they load nothing of the grading
    package (its sandbox, its private folder, its pipeline)?"""
    probe = ("import sys, course.kernels.forked_kernels, course.kernels.warm_template, course.kernels.kernel_client\n"
             "print(sorted(m for m in sys.modules if m.startswith('course.grading')))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert shown.strip() == "[]"
