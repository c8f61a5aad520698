"""Do answer-file locks exclude every writer of one file, and only those? Two students on one machine (a hub with a
system user each) both save, and two kernels of one learner never lose each other's answers (issue 20)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from course.learner.answers import ANSWER_FILE_NAME, AnswerStore, lock_path

# The child imports as root (the interpreter may live under /root), then becomes the student before saving.
SAVE = ("import os, sys; from course.learner.answers import AnswerStore; uid = int(sys.argv[2]); "
        "os.setgid(uid); os.setuid(uid); AnswerStore(sys.argv[1]).save('quiz', {'q1': 'a'}); print('saved')")
# One kernel of a learner saving answers to many widgets, one after another.
SAVE_MANY = ("import sys; from course.learner.answers import AnswerStore; store = AnswerStore(sys.argv[1])\n"
             "for number in range(int(sys.argv[3])): store.save(f'{sys.argv[2]}-{number}', {'q1': number})\n")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="switching users needs root")
def test_two_users_save_answers_in_turn():
    """Does the second user save as well as the first, each locking beside their own answer file?"""
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
        lock = lock_path(home / ANSWER_FILE_NAME)
        assert lock.stat().st_uid == uid, "each student's lock is their own, beside their answer file"
    assert not any(shared_tmp.iterdir()), "nothing is left in the temporary folder the students share"


def test_two_kernels_of_one_learner_never_lose_an_answer_whatever_their_tmpdir(tmp_path):
    """Do two processes saving to one answer file at once, each with its own TMPDIR, keep every answer?"""
    work, saves = tmp_path / "work", 150
    writers = []
    for name in ("a", "b"):
        own_tmp = tmp_path / f"tmp-{name}"
        own_tmp.mkdir()
        writers.append(subprocess.Popen([sys.executable, "-c", SAVE_MANY, str(work), name, str(saves)],
                                        env={**os.environ, "TMPDIR": str(own_tmp)}))
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    saved = json.loads((work / ANSWER_FILE_NAME).read_text(encoding="utf-8"))["answers"]
    assert len(saved) == 2 * saves, "a save that overlapped another lost the other's answer"


def test_the_lock_is_beside_the_answer_file_with_its_folders_permissions(tmp_path):
    """Is the lock a hidden file beside the answer file, readable and writable by whoever may write the folder?"""
    private, shared = tmp_path / "private", tmp_path / "shared"
    private.mkdir(mode=0o700)
    shared.mkdir()
    shared.chmod(0o775)
    for folder, mode in ((private, 0o600), (shared, 0o664)):
        AnswerStore(folder).save("quiz", {"q1": "a"})
        lock = lock_path(folder / ANSWER_FILE_NAME)
        assert lock.parent == folder and lock.name.startswith(".")
        assert lock.stat().st_mode & 0o777 == mode
