"""Kernels forked from the grading template (course/kernels/kernel_template.py) through the jupyter_client
provisioner (course/kernels/forked_kernels.py), driven by nbclient exactly as nbgrader drives them.

A forked kernel must behave as a new one (its own folder, environment, random state), start with the course's
libraries already imported, and, in the sandbox, find nothing of the kernel before it: no file it wrote anywhere,
no process it left running; and no kernel can end, trace or rewrite the template.

Issue 17's attacks on the sandbox itself, each beside its mutation check (the same attack where the protection is
missing: without the sandbox, or with the deny-list sandbox of before): the sandbox shows only its allow-list
(class 3); each student has a disk, IPC namespace and processes that end with them, and the sandbox as a whole is
capped (class 4); and what a kernel prints never reaches the terminal (class 6).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from course.grading.kernels import sandbox
from course.grading.kernels.private_folder import KERNEL_NAME, GradingKernels, grading_kernels
from course.kernels import forked_kernels

from ..conftest import require_bubblewrap
from .hostile_submissions import (
    END_EVERY_PROCESS,
    IPC_FIND,
    IPC_PLANT,
    LOOK_AROUND,
    SCRIBBLE_ON_THE_TERMINAL,
    SECRET_VARIABLE,
    TERMINAL_MARK,
    PlantedSecrets,
    fills_the_disk,
    host_threads_named,
    zombie_leader,
)

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
                  "alive": os.path.exists("/proc/1"), "uid": os.getuid()}))
'''


@pytest.fixture
def grading_config(tmp_path):
    """This test process set up as a grading worker is (grading_kernels), undone afterwards."""
    require_bubblewrap()
    yield from _as_grading_worker(tmp_path, isolate=True)


@pytest.fixture
def unisolated_config(tmp_path):
    """The same for ``pm-course grade --no-isolation``: kernels forked from a template outside any sandbox."""
    yield from _as_grading_worker(tmp_path, isolate=False)


def _as_grading_worker(tmp_path, isolate: bool):
    (tmp_path / "course").mkdir()
    with grading_kernels(tmp_path / "course", isolate=isolate) as kernels:
        yield kernels


def grading_spec(kernels: GradingKernels) -> Path:
    return kernels.folder / "kernels" / KERNEL_NAME / "kernel.json"


def run(kernels: GradingKernels, folder, *sources):
    """Execute cells in a forked kernel working in ``folder``, configured as grading configures nbclient; the text
    each printed."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source) for source in sources])
    NotebookClient(notebook, config=kernels.config, kernel_name=KERNEL_NAME, timeout=60, allow_errors=True,
                   shutdown_kernel="immediate", resources={"metadata": {"path": str(folder)}}).execute()
    return ["".join(output.get("text", "") for output in cell.outputs) for cell in notebook.cells]


def test_a_forked_kernel_starts_with_the_course_libraries_imported_and_works_in_a_copy_of_the_folder(
        grading_config, tmp_path):
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "pm-course-answers.json").write_text('{"format": 1, "answers": {}}')
    (folder / "roles.ipynb").write_text('{"cells": ["the notebook nbgrader wrote, hidden tests included"]}')
    before, after = run(grading_config, folder,
                        "import sys; print(all(name in sys.modules for name in ('pandas', 'ipywidgets', "
                        "'course.content.roles', 'course.widgets.role_sorter')))",
                        "import os, pandas as pd\nprint(sorted(os.listdir()), pd.Series([1, 2]).sum())\n"
                        "open('pm-course-answers.json', 'w').write('changed')")
    assert before.strip() == "True", "the template preloads what the assignments import"
    assert after.strip() == "['pm-course-answers.json'] 3", "no notebook file of nbgrader's reaches the kernel"
    assert (folder / "pm-course-answers.json").read_text() == '{"format": 1, "answers": {}}', \
        "the kernel works in a copy: the student's folder is left as it was"


def test_a_forked_kernel_has_no_stand_in_for_the_iri_grammar(unisolated_config, tmp_path):
    """The grader defers jsonschema's IRI grammar with a stand-in module (course.processes.deferred_imports): is a
    student's kernel, forked from a template started by ``python -m`` of the kernels package, free of it?"""
    pytest.importorskip("rfc3987_syntax", reason="jsonschema's IRI checker is not installed: no stand-in to leak")
    (printed,) = run(unisolated_config, tmp_path, "import sys; print(sys.modules.get('rfc3987_syntax'))")
    assert printed.strip() == "None"


def test_forked_kernels_do_not_share_their_random_state(grading_config, tmp_path):
    draw = "import random, numpy\nprint(random.random(), numpy.random.random())"
    first, second = run(grading_config, tmp_path, draw)[0], run(grading_config, tmp_path, draw)[0]
    randoms = list(zip(first.split(), second.split(), strict=True))
    assert len(randoms) == 2 and all(a != b for a, b in randoms), randoms


def test_a_kernel_finds_nothing_the_kernel_before_it_left(grading_config, tmp_path):
    wrote = json.loads(run(grading_config, tmp_path, LEAVE_TRACES)[0])
    assert not _host_processes_running("sleep 600.5"), "what a kernel started ends when the kernel ends"
    assert wrote["/dev/shm"] is False and wrote["/var/tmp"] is False, "outside its own file system, nothing is writable"
    # /tmp is the kernel's own, except where the Python installation or the course lives under /tmp (a virtualenv in
    # a checkout there): bubblewrap then keeps /tmp a read-only folder holding those binds, and TMPDIR is the place
    expected = 3 if _installed_under_tmp() else 4
    assert sum(wrote.values()) == expected, "the kernel may write in its folder, TMPDIR, home and /tmp (its own)"
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
    assert touched["uid"] != 0, "kernels run as a user that is not root"
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


# ---- issue 17, class 3: the sandbox is an allow-list --------------------------------------------------------------

@pytest.fixture
def planted(monkeypatch):
    secrets = PlantedSecrets()
    monkeypatch.setenv(SECRET_VARIABLE, secrets.password)  # before the template starts: the grader's environment
    yield secrets
    secrets.close()


def _looked(kernels: GradingKernels, folder, planted) -> dict:
    output = run(kernels, folder, LOOK_AROUND.replace("PLANTED", repr(planted.targets())))[0]
    return json.loads(output.split("LOOKED:", 1)[1])


def test_a_kernel_sees_the_python_installation_the_course_files_and_its_own_only(grading_config, tmp_path, planted):
    seen = _looked(grading_config, tmp_path, planted)
    assert [seen[name] for name in planted.targets()["files"]] == [None] * 3, seen
    assert seen["/etc/shadow"] is None and seen["users"] == ["student"] and seen["homes"] == []
    assert seen["configuration"] == [], "the site's configuration folders are empty in the sandbox"
    assert seen["secrets"] == [] and seen["sockets"] == [] and planted.connections == []


def deny_list_command(inbox: Path, etc: Path, hidden_root: Path, public: set[Path]) -> list[str]:
    """The sandbox as it was before issue 17: the whole file system read-only, with /tmp, the home folder and the
    course hidden, and the grader's environment (plus, here, the student's own namespaces, which the template
    makes, so that kernels still start)."""
    hidden = [Path("/tmp"), Path.home(), hidden_root]
    command = ["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-net", "--unshare-pid",
               "--unshare-ipc", "--die-with-parent", "--new-session", "--as-pid-1", "--cap-drop", "ALL",
               "--cap-add", "CAP_SYS_ADMIN"]
    for folder in hidden:
        command += ["--tmpfs", str(folder)]
    for path in sandbox.outermost(sandbox.python_installation() | sandbox.public_paths()):
        if any(path.is_relative_to(folder) for folder in hidden):
            command += ["--ro-bind", str(path), str(path)]
    return command + ["--ro-bind", str(inbox), sandbox.INBOX, "--dir", sandbox.SLOT, "--chdir", "/"]


def test_without_the_allow_list_the_kernel_sees_the_machine(grading_config, tmp_path, planted, monkeypatch):
    """The mutation check: the same notebook in the deny-list sandbox reads the other home, the other checkout and
    the key, finds the password (in its own /proc/self/environ, inherited from the template), and reaches the
    socket."""
    monkeypatch.setattr(sandbox, "template_command", deny_list_command)
    monkeypatch.setattr(sandbox, "INBOX", "/tmp/pm-course-inbox")
    monkeypatch.setattr(sandbox, "SLOT", "/tmp/pm-course-slot")
    seen = _looked(grading_config, tmp_path, planted)
    if not _installed_under_tmp():  # the deny-list sandbox hid /tmp, where the planted files then share the checkout
        assert all(seen[name] for name in planted.targets()["files"]), seen
    assert seen["secrets"] == [SECRET_VARIABLE] and seen["sockets"] and planted.connections
    if os.geteuid() == 0:
        assert seen["/etc/shadow"], "a grader run by root let kernels read /etc/shadow"
    on_host = sorted(name for folder in (Path("/usr/local/etc"), Path(sys.prefix) / "etc") if folder.is_dir()
                     for name in os.listdir(folder))
    assert seen["configuration"] == on_host, "the site's configuration folders were shown"


def _installed_under_tmp() -> bool:
    return any(path.is_relative_to("/tmp") for path in sandbox.python_installation() | sandbox.public_paths())


# ---- issue 17, class 4: resources ---------------------------------------------------------------------------------

def _printed(output: str, mark: str):
    return json.loads(output.split(mark, 1)[1])


def test_each_student_has_a_disk_of_its_own_capped_and_emptied(grading_config, tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "SLOT_BYTES", 64 * 1024**2)
    filled = _printed(run(grading_config, tmp_path, fills_the_disk(160 * 1024**2))[0], "FILLED:")
    assert sum(total for total, _ in filled.values()) <= 64 * 1024**2, filled
    assert {stopped for _, stopped in filled.values()} == {28}, "each place ends with ENOSPC"
    free = run(grading_config, tmp_path, "import os\nstat = os.statvfs('.')\nprint(stat.f_bavail * stat.f_frsize)")
    assert int(free[0]) > 60 * 1024**2, "the next student starts with an empty disk"
    assert not list(tmp_path.glob("filler-*")), "nothing was written outside the sandbox"


def test_without_the_sandbox_a_student_fills_the_host_disk(unisolated_config, tmp_path):
    """The mutation check: unsandboxed, the same notebook writes 160 MiB into the course's folder."""
    filled = _printed(run(unisolated_config, tmp_path, fills_the_disk(160 * 1024**2, everywhere=False))[0], "FILLED:")
    assert list(filled.values()) == [[160 * 1024**2, None]]


def test_ipc_objects_end_with_the_student(grading_config, tmp_path):
    assert _printed(run(grading_config, tmp_path, IPC_PLANT)[0], "PLANTED:")["segment"] >= 0
    assert _printed(run(grading_config, tmp_path, IPC_FIND)[0], "FOUND:") == {}


def test_without_a_fresh_ipc_namespace_the_next_student_reads_the_segment(unisolated_config, tmp_path):
    """The mutation check: sharing an IPC namespace (here the host's), the next kernel finds the segment and the
    queue (and removes them)."""
    run(unisolated_config, tmp_path, IPC_PLANT)
    found = _printed(run(unisolated_config, tmp_path, IPC_FIND)[0], "FOUND:")
    assert found["segment"] == "answers of an earlier student" and found["queue"] >= 0


def test_a_process_whose_main_thread_exited_does_not_outlive_its_student(grading_config, tmp_path):
    """Its thread would end every later kernel; it is ended before the next student, whatever its state."""
    assert run(grading_config, tmp_path, zombie_leader("pm-zombie-fork"))[0].strip() == "haunting"
    later = run(grading_config, tmp_path, "print(6 * 7)", "import glob\nprint(sorted(open(path).read().strip() "
                                                           "for path in glob.glob('/proc/*/task/*/comm')))")
    assert later[0].strip() == "42", "the next kernel ran"
    assert "pm-zombie-fork" not in later[1] and not host_threads_named("pm-zombie-fork")


def test_a_process_whose_main_thread_exited_looks_ended_to_proc(tmp_path):
    """Why "clear" ends processes with kill(-1) rather than by reading /proc: such a process shows as a zombie
    (state Z, which the clear before issue 17 skipped as already ended) while its other thread runs on."""
    script = zombie_leader("pm-zombie-proc").replace("if os.fork() == 0:", "if True:")
    haunting = subprocess.Popen([sys.executable, "-c", script
                                 .replace("os.setsid()", "pass").replace("int(entry) > me", "False")],
                                start_new_session=True)
    try:
        for _attempt in range(100):
            time.sleep(0.05)
            state = Path(f"/proc/{haunting.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            if state == "Z":
                break
        assert state == "Z" and len(list(Path(f"/proc/{haunting.pid}/task").iterdir())) >= 1
        assert host_threads_named("pm-zombie-proc"), "its thread still runs"
    finally:
        os.killpg(haunting.pid, signal.SIGKILL)
        haunting.wait()


MANY_PROCESSES = """
import json, os, time
started = 0
for _ in range(COUNT):
    try:
        pid = os.fork()
    except OSError:
        break
    if pid == 0:
        time.sleep(120)
        os._exit(0)
    started += 1
print("STARTED:" + json.dumps(started))
"""
MEMORY_TOGETHER = """
import json, os, time
children = []
for _ in range(3):
    pid = os.fork()
    if pid == 0:
        block = b"x" * EACH  # every page written: held, not merely reserved
        time.sleep(3)
        os._exit(0)
    children.append(pid)
print("ENDED:" + json.dumps([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]))
"""


def _require_caps(*protections: str) -> None:
    missing = [what for what in protections if any(what in line for line in sandbox.missing_protections(True))]
    if missing:
        pytest.skip(f"this host has no cgroup controller for: {', '.join(missing)}")


def test_the_students_processes_together_are_capped(grading_config, tmp_path, monkeypatch):
    _require_caps("processes")
    monkeypatch.setattr(sandbox, "SANDBOX_TASKS", 80)
    started = _printed(run(grading_config, tmp_path, MANY_PROCESSES.replace("COUNT", "150"))[0], "STARTED:")
    assert started < 80


def test_the_students_memory_together_is_capped(grading_config, tmp_path, monkeypatch):
    _require_caps("memory")
    monkeypatch.setattr(sandbox, "SANDBOX_MEMORY", 1024**3)
    ended = _printed(run(grading_config, tmp_path, MEMORY_TOGETHER.replace("EACH", str(450 * 1024**2)))[0], "ENDED:")
    assert -signal.SIGKILL in ended, "three processes of 450 MiB each do not fit in 1 GiB together"


def test_without_the_sandbox_processes_and_memory_are_per_process_only(unisolated_config, tmp_path):
    """The mutation check: unsandboxed (per-process limits only), all 150 processes start (a root grader has no
    process limit at all) and the three 450 MiB processes all end normally."""
    if os.geteuid() == 0:
        started = _printed(run(unisolated_config, tmp_path, MANY_PROCESSES.replace("COUNT", "150"))[0], "STARTED:")
        assert started == 150
    ended = _printed(run(unisolated_config, tmp_path, MEMORY_TOGETHER.replace("EACH", str(450 * 1024**2)))[0],
                     "ENDED:")
    assert ended == [0, 0, 0]


def test_the_sandbox_group_caps_cpu_and_is_removed_with_it(grading_config, tmp_path):
    _require_caps("CPU")
    run(grading_config, tmp_path, "pass")
    (template,) = forked_kernels.running_templates()
    limits = {path.name: path.read_text().strip() for folder in template.group.folders
              for path in folder.iterdir() if path.name in ("cpu.max", "cpu.cfs_quota_us")}
    assert limits in ({"cpu.max": "100000 100000"}, {"cpu.cfs_quota_us": "100000"}), limits
    folders = list(template.group.folders)
    forked_kernels.end_templates()
    assert not any(folder.exists() for folder in folders), "the group is removed when its sandbox ends"


# ---- issue 17, class 6: a kernel's output never reaches the terminal ---------------------------------------------

def test_what_a_kernel_prints_goes_to_the_log_not_the_terminal(grading_config, tmp_path, capfd):
    run(grading_config, tmp_path, SCRIBBLE_ON_THE_TERMINAL)
    forked_kernels.end_templates()  # the log is complete once the template has ended
    captured = capfd.readouterr()
    assert TERMINAL_MARK not in captured.out + captured.err and "\x1b" not in captured.out + captured.err
    assert TERMINAL_MARK in (grading_config.folder / "kernels.log").read_text(errors="replace")


def test_without_the_log_the_kernel_writes_escape_sequences_to_the_terminal(grading_config, tmp_path, capfd,
                                                                            monkeypatch):
    """The mutation check: with the template's output inherited (as before issue 17), they reach the terminal."""
    spec = json.loads(grading_spec(grading_config).read_text())
    spec["metadata"]["kernel_provisioner"]["config"]["capture_output"] = False
    grading_spec(grading_config).write_text(json.dumps(spec))
    run(grading_config, tmp_path, SCRIBBLE_ON_THE_TERMINAL)
    forked_kernels.end_templates()
    captured = capfd.readouterr()
    assert TERMINAL_MARK in captured.out + captured.err and "\x1b]2;pwned" in captured.out


# ---- temporary folders -------------------------------------------------------------------------------------------

def test_private_folders_are_removed_when_a_process_ends_and_after_a_crash(tmp_path):
    make = ("import os, signal, sys\nfrom pathlib import Path\n"
            "from course.grading.kernels.private_folder import use_kernel_template\n"
            "print(use_kernel_template(Path.cwd(), isolate=False).folder, flush=True)\n")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    ended = subprocess.run([sys.executable, "-c", make], capture_output=True, text=True, env=env, check=True)
    assert not Path(ended.stdout.strip()).exists(), "removed when the process ends"
    crashed = subprocess.run([sys.executable, "-c", make + "os.kill(os.getpid(), signal.SIGKILL)"],
                             capture_output=True, text=True, env=env)
    left = Path(crashed.stdout.strip())
    assert crashed.returncode == -signal.SIGKILL and left.exists(), "a killed process cannot remove its own"
    subprocess.run([sys.executable, "-c", make], capture_output=True, text=True, env=env, check=True)
    assert not left.exists(), "the next grading process removes it"


def test_with_an_older_bubblewrap_each_kernel_makes_its_namespaces_in_a_user_namespace_of_its_own(
        grading_config, tmp_path, monkeypatch):
    """Without --disable-userns (bubblewrap before 0.8) the template keeps no capability at all; each kernel still
    gets its own disk and IPC namespace, and drops every capability, and pm-course grade names what is missing."""
    monkeypatch.setattr(sandbox, "bwrap_disables_userns", lambda: False)
    assert "--disable-userns" not in sandbox.template_command(tmp_path, tmp_path)
    assert any("user namespaces" in missing for missing in sandbox.missing_protections(True))
    assert _printed(run(grading_config, tmp_path, IPC_PLANT)[0], "PLANTED:")["segment"] >= 0
    found, status = run(grading_config, tmp_path, IPC_FIND, "print(open('/proc/self/status').read())")
    assert _printed(found, "FOUND:") == {}
    assert "CapEff:\t0000000000000000" in status and "CapPrm:\t0000000000000000" in status
