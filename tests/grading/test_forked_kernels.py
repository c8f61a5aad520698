"""Kernels forked from the grading template (course/grading/kernel_template.py) through the jupyter_client
provisioner (course/grading/forked_kernels.py), driven by nbclient exactly as nbgrader drives them.

A forked kernel must behave as a new one (its own folder, environment, random state), start with the course's
libraries already imported, and, in the sandbox, find nothing of the kernel before it: no file it wrote anywhere,
no process it left running; and no kernel can end, trace or rewrite the template.
"""
from __future__ import annotations

import json
import os
import tempfile

import nbformat
import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from course.grading import forked_kernels
from course.grading.sandbox import KERNEL_NAME, use_kernel_template

from ..conftest import require_bubblewrap
from .hostile_submissions import END_EVERY_PROCESS

pytestmark = pytest.mark.slow

LEAVE_TRACES = r'''
import json, os, subprocess, sys
wrote = {}
for place in (os.getcwd(), os.environ["TMPDIR"], os.environ["HOME"], "/tmp", "/dev/shm", "/var/tmp"):
    try:
        with open(os.path.join(place, "left-by-the-student-before"), "w") as trace:
            trace.write("secret answers")
        wrote[place] = True
    except OSError:
        wrote[place] = False
subprocess.Popen(["sleep", "600.5"], start_new_session=True)
subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)"], start_new_session=True)
print(json.dumps(wrote))
'''
LOOK_FOR_TRACES = r'''
import json, os
found = [os.path.join(root, name) for place in (os.getcwd(), os.environ["TMPDIR"], os.environ["HOME"], "/tmp",
                                                 "/dev/shm", "/var/tmp")
         for root, _, names in os.walk(place) for name in names if name == "left-by-the-student-before"]
commands = []
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            commands.append(cmdline.read().replace(b"\0", b" ").decode())
    except OSError:
        pass
print(json.dumps({"found": found, "commands": commands}))
'''


TOUCH_THE_TEMPLATE = r'''
import json, os, signal
status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines() if ":" in line)
try:
    with open("/proc/1/mem", "r+b"):
        memory = "opened for writing"
except OSError as error:
    memory = type(error).__name__
os.kill(1, signal.SIGKILL)
print(json.dumps({"capabilities": status["CapEff"].strip(), "memory": memory, "template": os.getppid(),
                  "alive": os.path.exists("/proc/1")}))
'''


@pytest.fixture
def grading_config(monkeypatch, tmp_path):
    """This test process set up as a grading worker is (use_kernel_template), undone afterwards."""
    require_bubblewrap()
    yield _as_grading_worker(monkeypatch, tmp_path, isolate=True)
    forked_kernels.end_templates()


@pytest.fixture
def unisolated_config(monkeypatch, tmp_path):
    """The same for ``pm-course grade --no-isolation``: kernels forked from a template outside any sandbox."""
    yield _as_grading_worker(monkeypatch, tmp_path, isolate=False)
    forked_kernels.end_templates()


def _as_grading_worker(monkeypatch, tmp_path, isolate: bool) -> Config:
    for variable in ("JUPYTER_PATH", "TMPDIR", "PM_COURSE_KERNEL_DIR", "PM_COURSE_HIDDEN_ROOT",
                     "PM_COURSE_PUBLIC_PATHS"):
        monkeypatch.setenv(variable, os.environ.get(variable, ""))
    monkeypatch.setattr(tempfile, "tempdir", None)
    config = Config()
    (tmp_path / "course").mkdir()
    use_kernel_template(config, tmp_path / "course", isolate=isolate)
    return config


def run(config, folder, *sources):
    """Execute cells in a forked kernel working in ``folder``; the text each printed."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    NotebookClient(notebook, config=config, kernel_name=KERNEL_NAME, timeout=60, allow_errors=True,
                   shutdown_kernel="immediate", resources={"metadata": {"path": str(folder)}}).execute()
    return ["".join(output.get("text", "") for output in cell.outputs) for cell in notebook.cells]


def test_a_forked_kernel_starts_with_the_course_libraries_imported_and_works_in_a_copy_of_the_folder(
        grading_config, tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "pm-course-answers.json").write_text('{"format": 1, "answers": {}}')
    before, after = run(grading_config, folder,
                        "import sys; print(all(name in sys.modules for name in ('pandas', 'ipywidgets', "
                        "'course.roles', 'course.widgets.role_sorter')))",
                        "import os, pandas as pd\nprint(sorted(os.listdir()), pd.Series([1, 2]).sum())\n"
                        "open('pm-course-answers.json', 'w').write('changed')")
    assert before.strip() == "True", "the template preloads what the assignments import"
    assert after.strip() == "['pm-course-answers.json'] 3"
    assert (folder / "pm-course-answers.json").read_text() == '{"format": 1, "answers": {}}', \
        "the kernel works in a copy: the student's folder is left as it was"


def test_forked_kernels_do_not_share_their_random_state(grading_config, tmp_path):
    draw = "import random, numpy\nprint(random.random(), numpy.random.random())"
    first, second = run(grading_config, tmp_path, draw)[0], run(grading_config, tmp_path, draw)[0]
    randoms = list(zip(first.split(), second.split(), strict=True))
    assert len(randoms) == 2 and all(a != b for a, b in randoms), randoms


def test_a_kernel_finds_nothing_the_kernel_before_it_left(grading_config, tmp_path):
    wrote = json.loads(run(grading_config, tmp_path, LEAVE_TRACES)[0])
    assert not _host_processes_running("sleep 600.5"), "what a kernel started ends when the kernel ends"
    assert wrote["/tmp"] is False and wrote["/dev/shm"] is False and wrote["/var/tmp"] is False, \
        "outside the slot the sandbox is read-only"
    assert sum(wrote.values()) == 3, "the kernel may write in its folder, its TMPDIR and its home (all in the slot)"
    seen = json.loads(run(grading_config, tmp_path, LOOK_FOR_TRACES)[0])
    assert seen["found"] == []
    assert not [command for command in seen["commands"] if "sleep" in command or "while True" in command], \
        seen["commands"]
    assert not (tmp_path / "left-by-the-student-before").exists(), "what the kernel wrote stays in the slot"


def test_a_kernel_can_end_no_process_but_its_own_nor_touch_the_template(grading_config, tmp_path):
    """The template is the sandbox's init and not dumpable, and kernels have no capabilities: a kernel can neither
    end it, nor trace it, nor rewrite the memory the next student's kernel will be forked from."""
    outputs = run(grading_config, tmp_path, END_EVERY_PROCESS, TOUCH_THE_TEMPLATE)
    touched = json.loads(outputs[1])
    assert touched["capabilities"] == "0000000000000000", "kernels run without any capability"
    assert touched["memory"].startswith("PermissionError"), touched
    assert touched["template"] == 1 and touched["alive"], "the template (PID 1) outlived the attempt to end it"
    later = run(grading_config, tmp_path, "print(6 * 7)", LOOK_FOR_TRACES)
    assert later[0].strip() == "42"
    assert json.loads(later[1])["found"] == []


def _host_processes_running(command: str) -> list[str]:
    running = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                text = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if command in text:
            running.append(text)
    return running


def test_without_isolation_what_a_kernel_started_ends_with_it(unisolated_config, tmp_path):
    started = run(unisolated_config, tmp_path, "import subprocess, sys\nsubprocess.Popen(['sleep', '600.25'])\n"
                                               "print(sys.modules['pandas'].__name__)")
    assert started[0].strip() == "pandas", "the unsandboxed template preloads too"
    assert not _host_processes_running("sleep 600.25")
