"""The sandbox as a command line (course/grading/kernels/sandbox.py), read without starting it: what the bubblewrap
command binds, hides and passes on, and the grading kernel spec. What a kernel inside it can and cannot do is tested by
running one, in the slow tier (tests/grading/test_forked_kernels.py, test_isolation.py)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from course.grading.kernels import sandbox
from course.grading.kernels.cgroups import ResourceGroup
from course.grading.kernels.private_folder import KERNEL_NAME, install_kernel_spec
from course.kernels.kernel_spec import ASSIGNMENT_PRELOADS, PROVISIONER_NAME


def _pairs(command: list[str], option: str) -> list[tuple[str, ...]]:
    """Every occurrence of ``option`` with its arguments (``--ro-bind`` and ``--setenv`` take two, others one)."""
    width = 2 if option in ("--ro-bind", "--bind", "--setenv", "--symlink") else 1
    return [tuple(command[index + 1:index + 1 + width]) for index, word in enumerate(command) if word == option]


@pytest.fixture
def command(tmp_path, monkeypatch) -> list[str]:
    monkeypatch.setattr(sandbox, "bwrap_disables_userns", lambda: True)
    return sandbox.template_command(tmp_path / "inbox", sandbox.write_sandbox_etc(tmp_path / "etc"))


def test_the_sandbox_starts_empty_and_binds_only_its_allow_list(command, tmp_path):
    """No bind of the whole file system, no home folder, no /etc beyond a few files and its own passwd and group;
    the student's copy read-only at the inbox; everything else remounted read-only."""
    binds = dict(_pairs(command, "--ro-bind"))
    assert "/" not in binds and "--bind" not in command, "nothing is bound writable, and never the whole root"
    assert binds["/usr"] == "/usr" and binds[str(tmp_path / "inbox")] == sandbox.INBOX
    assert binds[str(tmp_path / "etc" / "passwd")] == "/etc/passwd"
    etc = {target for target in binds.values() if target.startswith("/etc")}
    assert etc <= {"/etc/passwd", "/etc/group", *sandbox._SYSTEM_FILES} and "/etc/shadow" not in etc
    home = str(Path.home())
    assert not [source for source in binds if source == home or source.startswith(home + "/")
                and not any(source.startswith(str(path)) for path in sandbox.python_installation())]
    assert ("/",) in _pairs(command, "--remount-ro")
    # /tmp is the slot's own, unless the Python installation or the course lives under /tmp (see template_command)
    under_tmp = any(path.is_relative_to("/tmp") for path in sandbox.python_installation() | sandbox.public_paths())
    assert ((f"{sandbox.SLOT}/tmp", "/tmp") in _pairs(command, "--symlink")) != under_tmp
    passwd = (tmp_path / "etc" / "passwd").read_text()
    assert passwd.startswith(f"{sandbox.SANDBOX_USER}:x:{sandbox.SANDBOX_UID}:") and passwd.count("\n") == 1


def test_the_sandbox_runs_as_nobody_in_namespaces_of_its_own_with_no_capability(command):
    for option in ("--unshare-user", "--unshare-pid", "--unshare-ipc", "--unshare-net", "--die-with-parent",
                   "--new-session", "--as-pid-1", "--clearenv"):
        assert option in command, option
    assert command[command.index("--uid") + 1] == "65534" and ("ALL",) in _pairs(command, "--cap-drop")
    assert ("CAP_SYS_ADMIN",) in _pairs(command, "--cap-add") and "--disable-userns" in command


def test_an_older_bubblewrap_keeps_no_capability_at_all(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "bwrap_disables_userns", lambda: False)
    older = sandbox.template_command(tmp_path, tmp_path)
    assert "--disable-userns" not in older and "--cap-add" not in older
    assert "--own-user-namespace" in sandbox.template_options()


def test_the_graders_environment_never_reaches_the_sandbox(tmp_path, monkeypatch):
    """Tokens, passwords and paths of the grader's stay outside: the sandbox gets the locale, a PATH of system and
    Python programs, and a home and temporary folder inside the student's own file system."""
    monkeypatch.setattr(sandbox, "bwrap_disables_userns", lambda: True)
    for name, value in {"JUPYTERHUB_API_TOKEN": "hub-secret", "PGPASSWORD": "db-secret", "LANG": "de_DE.UTF-8",
                        "PM_COURSE_EXCHANGE": "/srv/exchange"}.items():
        monkeypatch.setenv(name, value)
    given = dict(_pairs(sandbox.template_command(tmp_path, tmp_path), "--setenv"))
    assert "hub-secret" not in json.dumps(given) and "db-secret" not in json.dumps(given)
    assert set(given) <= {*sandbox.KERNEL_ENVIRONMENT, "PATH", "HOME", "TMPDIR", "USER", "LOGNAME"}
    assert given["LANG"] == "de_DE.UTF-8" and given["HOME"] == f"{sandbox.SLOT}/home"
    assert given["TMPDIR"] == f"{sandbox.SLOT}/tmp" and given["USER"] == sandbox.SANDBOX_USER
    assert given["PATH"].split(":")[0] == str(Path(sys.executable).parent)


def test_a_course_inside_a_bound_folder_and_the_sites_configuration_are_empty_in_the_sandbox(tmp_path, monkeypatch):
    """The course being graded (solutions, gradebook) is hidden even where it sits inside a folder the sandbox needs
    (an installation the course was unpacked into); configuration folders inside bound ones are emptied too."""
    site = tmp_path / "site"
    (site / "course").mkdir(parents=True)
    monkeypatch.setattr(sandbox, "bwrap_disables_userns", lambda: True)
    command = sandbox.template_command(tmp_path, tmp_path, hidden_root=site / "course", public={site})
    emptied = {folder for (folder,) in _pairs(command, "--tmpfs")}
    assert str(site / "course") in emptied and (str(site / "course"),) in _pairs(command, "--remount-ro")
    assert {str(folder) for folder in sandbox.configuration_folders([Path("/usr"), *map(Path, emptied)])} <= emptied
    assert str(tmp_path / "elsewhere") not in sandbox.template_command(tmp_path, tmp_path, tmp_path / "elsewhere",
                                                                       {site}), \
        "a course outside every bound folder needs no hiding: it is not there"


def test_binds_are_never_nested():
    assert sandbox.outermost({Path("/a"), Path("/a/b"), Path("/c/d"), Path("/c")}) == [Path("/a"), Path("/c")]


def test_the_grading_kernel_spec_names_the_forking_provisioner_and_interrupts_by_message(tmp_path):
    """Does the grading spec name the forking provisioner and carry every setting in its configuration (the
    sandbox, the private folder, the course to hide, the public paths, the limits, the preloads, the log)?"""
    spec_dir = install_kernel_spec(tmp_path, isolate=True, course_root=tmp_path / "course",
                                   log_file=tmp_path / "kernels-1.log")
    spec = json.loads((spec_dir / "kernel.json").read_text())
    provisioner = spec["metadata"]["kernel_provisioner"]
    assert spec_dir == tmp_path / "kernels" / KERNEL_NAME and spec["interrupt_mode"] == "message"
    assert provisioner["provisioner_name"] == PROVISIONER_NAME
    assert provisioner["config"] == {
        "isolate": True, "preload": list(ASSIGNMENT_PRELOADS), "limits": sandbox.LIMITS,
        "private_folder": str(tmp_path), "log_file": str(tmp_path / "kernels-1.log"),
        "hidden_root": str((tmp_path / "course").resolve()),
        "public_paths": sorted(str(path) for path in sandbox.public_paths())}
    assert spec["env"] == {} and spec["argv"][0] == sys.executable


def test_missing_protections_checks_a_group_capped_as_the_provisioner_is_configured(monkeypatch):
    """What pm-course grade reports missing is found by making the sandbox's group as the provisioner makes it: with
    the configured caps when given, else the defaults."""
    made = []
    monkeypatch.setattr(sandbox, "create_group", lambda *caps: made.append(caps) or ResourceGroup())
    sandbox.missing_protections(True, memory_bytes=123 * 1024**2, max_tasks=45, cpu_cores=0.5)
    sandbox.missing_protections(True)
    assert made == [(123 * 1024**2, 45, 0.5), (sandbox.SANDBOX_MEMORY, sandbox.SANDBOX_TASKS, sandbox.SANDBOX_CPUS)]
