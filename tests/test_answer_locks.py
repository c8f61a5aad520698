"""Can two students on one machine (a hub with a system user each) both save their widget answers? (issue 20)"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# The child imports as root (the interpreter may live under /root), then becomes the student before saving.
SAVE = ("import os, sys; from course.learner.answers import AnswerStore; uid = int(sys.argv[2]); "
        "os.setgid(uid); os.setuid(uid); AnswerStore(sys.argv[1]).save('quiz', {'q1': 'a'}); print('saved')")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="switching users needs root")
def test_two_users_save_answers_in_turn():
    """Does the second user save as well as the first, with the lock folders each private to its user?"""
    tmp_path = Path(tempfile.mkdtemp(prefix="pm-course-two-users-"))  # pytest's own folder is private to root
    tmp_path.chmod(0o755)
    try:
        _save_as_two_users(tmp_path)
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def _save_as_two_users(tmp_path: Path) -> None:
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir(mode=0o1777)
    shared_tmp.chmod(0o1777)
    for uid in (40001, 40002):
        home = tmp_path / f"student{uid}"
        home.mkdir()
        os.chown(home, uid, uid)
        result = subprocess.run(
            [sys.executable, "-c", SAVE, str(home), str(uid)], capture_output=True, text=True, timeout=60,
            env={**os.environ, "TMPDIR": str(shared_tmp), "HOME": str(home)})
        assert result.stdout.strip() == "saved", result.stderr[-800:]
        assert (home / "pm-course-answers.json").is_file()
        lock_dir = shared_tmp / f"pm-course-locks-{uid}"
        assert lock_dir.stat().st_uid == uid and lock_dir.stat().st_mode & 0o077 == 0


def test_a_lock_folder_squatted_by_someone_else_is_not_used(tmp_path, monkeypatch):
    """If another user made our lock folder first (or a link in its place), is a new private one used instead?"""
    from course.learner import answers

    monkeypatch.setattr(answers.tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(answers, "_LOCK_DIR", None)
    (tmp_path / f"pm-course-locks-{os.getuid()}").symlink_to(tmp_path)
    answers.AnswerStore(tmp_path / "work").save("quiz", {"q1": "a"})
    assert answers._LOCK_DIR.name != f"pm-course-locks-{os.getuid()}"
    assert answers._LOCK_DIR.stat().st_mode & 0o077 == 0
