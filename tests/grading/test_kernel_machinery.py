"""The kernel machinery as a component (issue 20): does the grading set-up own its private folder, do the
provisioner's settings travel in its configuration, and does the template answer only the requests it names?"""
from __future__ import annotations

import asyncio
import json
import os
import signal
import tempfile
import time
from pathlib import Path

import pytest
from jupyter_client.provisioning import KernelProvisionerBase, LocalProvisioner

from course.grading.kernels import private_folder
from course.grading.kernels.private_folder import KERNEL_NAME, GradingKernelManager, grading_kernels
from course.kernels import forked_kernels, kernel_template
from course.kernels.forked_kernels import ForkingProvisioner, TemplateSettings, template_for

from ..conftest import run_coroutine

pytestmark = pytest.mark.slow


def test_the_private_folder_is_gone_after_the_block_and_the_process_environment_is_never_touched(tmp_path):
    """Is the private folder (spec, sockets, the template's log) removed when the block ends and its template ended;
    and is the process's environment (JUPYTER_PATH, TMPDIR) the same inside the block as before and after it, the
    grading spec being found through the configuration the block yields?"""
    before = dict(os.environ)
    with grading_kernels(tmp_path, isolate=False) as kernels:
        assert dict(os.environ) == before and tempfile.gettempdir() != str(kernels.folder)
        manager = GradingKernelManager(kernel_name=KERNEL_NAME, config=kernels.config)
        assert manager.kernel_spec.resource_dir == str(kernels.folder / "kernels" / KERNEL_NAME)
        template = forked_kernels.start_template_of(KERNEL_NAME, kernels.kernel_specs())
        assert template is not None and template.alive()
    assert not kernels.folder.exists()
    assert not template.alive() and template not in forked_kernels.running_templates()
    assert dict(os.environ) == before


def test_the_private_folder_is_gone_after_an_exception_too(tmp_path):
    with pytest.raises(RuntimeError, match="grading stopped"):
        with grading_kernels(tmp_path, isolate=False) as kernels:
            (kernels.folder / "left-behind").write_text("x" * 1000)
            raise RuntimeError("grading stopped")
    assert not kernels.folder.exists()


def test_nbgraders_execute_step_takes_the_grading_kernel_manager_from_the_configuration(tmp_path):
    """nbgrader's Execute passes jupyter_client's kernel manager as an argument, which outranks configuration: does
    the course's execute step (the one nbgrader_config.py names) take the grading kernels' manager all the same?"""
    from course.grading.nbgrader_plugins.preprocessors import ExecuteWithinDeadline

    with grading_kernels(tmp_path, isolate=False) as kernels:
        assert ExecuteWithinDeadline(config=kernels.config).kernel_manager_class is GradingKernelManager


@pytest.fixture
def template(tmp_path):
    """An unsandboxed template of this test's own, ended afterwards."""
    settings = TemplateSettings(isolate=False, preload=(), log_file=str(tmp_path / "kernels.log"))
    yield template_for(settings)
    forked_kernels.end_templates()


@pytest.mark.parametrize("request_", [("_clear",), ("serve",), ("answer", ("poll", 1)), ("__init__", None, False),
                                      ("_reap",), ("channel",), ("",), (42,), ()])
def test_the_template_refuses_a_request_it_does_not_name(template, request_):
    """Is a private method, an attribute or an unknown name refused (and the template still serving)?"""
    with pytest.raises(OSError, match="unknown request"):
        template.request(*request_)
    assert template.alive() and template.request("poll", os.getpid()) is None


def test_a_named_request_with_the_wrong_arguments_is_refused_not_fatal(template):
    with pytest.raises(OSError, match="wrong arguments"):
        template.request("poll")
    assert template.alive() and template.request("clear") is True


def test_the_template_names_exactly_its_four_requests():
    assert set(kernel_template.REQUESTS) == {"start", "poll", "signal", "clear"}


def test_the_provisioner_implements_jupyter_clients_base_not_the_local_provisioner():
    assert issubclass(ForkingProvisioner, KernelProvisionerBase)
    assert not issubclass(ForkingProvisioner, LocalProvisioner)


def test_settings_reach_the_kernel_through_the_spec_configuration(tmp_path, monkeypatch):
    """A limit and a preload written only in the kernel spec's provisioner configuration: does the kernel have
    them, and its connection file sit in the private folder the configuration names?"""
    private = tmp_path / "private"
    spec_dir = private_folder.install_kernel_spec(private, isolate=False)
    spec = spec_dir / "kernel.json"
    written = json.loads(spec.read_text())
    written["metadata"]["kernel_provisioner"]["config"].update(
        {"limits": {"RLIMIT_FSIZE": 123456}, "preload": ["colorsys"]})
    spec.write_text(json.dumps(written))

    async def scenario():
        manager = GradingKernelManager(kernel_name=KERNEL_NAME, kernel_spec_folder=str(private))
        await manager.start_kernel(cwd=str(tmp_path))
        client = manager.client()
        client.start_channels()
        try:
            await client.wait_for_ready(timeout=60)
            assert Path(manager.connection_file).parent == private
            printed: list[str] = []
            await client.execute_interactive(
                "import resource, sys; print(resource.getrlimit(resource.RLIMIT_FSIZE)[0], 'colorsys' in sys.modules)",
                timeout=30, output_hook=lambda message: printed.append(message["content"].get("text", "")))
            assert "".join(printed).split() == ["123456", "True"]
        finally:
            client.stop_channels()
            await manager.shutdown_kernel(now=True)

    try:
        run_coroutine(scenario())
    finally:
        forked_kernels.end_templates()


class _BusyTemplate:
    """A template busy with another kernel's start: every request waits :data:`BUSY_SECONDS` for its turn."""

    settings = TemplateSettings(isolate=False, preload=())

    def request(self, *request):
        time.sleep(BUSY_SECONDS)
        return None if request[0] == "poll" else True

    def end(self) -> None:
        pass


BUSY_SECONDS = 0.3


def test_the_provisioner_waits_for_its_template_off_the_event_loop():
    """The learner's server runs every kernel's provisioner on one event loop: while a poll, a signal or a clean-up
    waits for a template busy with another kernel's start, does the loop go on serving the rest?"""
    provisioner = ForkingProvisioner(kernel_id="busy")
    provisioner.template, provisioner.pid = _BusyTemplate(), 4242

    async def scenario() -> int:
        ticks = 0

        async def tick():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticker = asyncio.create_task(tick())
        await asyncio.sleep(0)
        assert await provisioner.poll() is None
        await provisioner.send_signal(signal.SIGINT)
        await provisioner.cleanup()
        ticker.cancel()
        return ticks

    # four requests (poll; poll and signal; clear), 1.2 s in all: the loop ticks all along, not once per request
    assert run_coroutine(scenario()) >= 40
