"""The kernel machinery as a component (issue 20): does the grading set-up own its private folder, do the
provisioner's settings travel in its configuration, and does the template answer only the requests it names?"""
from __future__ import annotations

import asyncio
import json
import os
import tempfile
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import KernelProvisionerBase, LocalProvisioner
from traitlets.config import Config

from course.grading.kernels import forked_kernels, kernel_template, sandbox
from course.grading.kernels.forked_kernels import ForkingProvisioner, TemplateSettings, template_for
from course.grading.kernels.sandbox import KERNEL_NAME, grading_kernels

pytestmark = pytest.mark.slow


def test_the_private_folder_is_gone_after_the_block_and_the_process_environment_is_as_before(tmp_path):
    """Is the private folder (spec, sockets, the template's log) removed when the block ends, its template ended,
    JUPYTER_PATH given back, and TMPDIR never touched?"""
    before = {name: os.environ.get(name) for name in ("JUPYTER_PATH", "TMPDIR")}
    with grading_kernels(Config(), tmp_path, isolate=False) as private:
        assert (private / "kernels" / KERNEL_NAME / "kernel.json").is_file()
        assert os.environ["JUPYTER_PATH"].split(os.pathsep)[0] == str(private)
        assert os.environ.get("TMPDIR") == before["TMPDIR"] and tempfile.gettempdir() != str(private)
        template = forked_kernels.start_template_of(KERNEL_NAME)
        assert template is not None and template.alive()
    assert not private.exists()
    assert not template.alive() and template.settings not in forked_kernels._TEMPLATES
    assert {name: os.environ.get(name) for name in before} == before


def test_the_private_folder_is_gone_after_an_exception_too(tmp_path):
    with pytest.raises(RuntimeError, match="grading stopped"):
        with grading_kernels(Config(), tmp_path, isolate=False) as private:
            (private / "left-behind").write_text("x" * 1000)
            raise RuntimeError("grading stopped")
    assert not private.exists()


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
    spec_dir = sandbox.install_kernel_spec(private, isolate=False)
    spec = spec_dir / "kernel.json"
    written = json.loads(spec.read_text())
    written["metadata"]["kernel_provisioner"]["config"].update(
        {"limits": {"RLIMIT_FSIZE": 123456}, "preload": ["colorsys"]})
    spec.write_text(json.dumps(written))
    monkeypatch.setenv("JUPYTER_PATH", str(private))

    async def scenario():
        manager = AsyncKernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager())
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
        asyncio.run(scenario())
    finally:
        forked_kernels.end_templates()
