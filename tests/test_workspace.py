"""Does copying the course into a workspace keep the learner's work?"""
from __future__ import annotations

import pytest

from course.errors import CourseError
from course.learner.workspace import course_files, sync_workspace
from course.paths import FIRST_LESSON


def test_a_new_workspace_gets_every_lesson_and_exercise(tmp_path):
    """Does a first start copy the lessons and the student exercises, and never the solutions?"""
    report = sync_workspace(tmp_path / "ws")
    assert (tmp_path / "ws" / "lessons" / FIRST_LESSON).is_file()
    assert list((tmp_path / "ws" / "exercises").glob("*/*.ipynb"))
    assert not list((tmp_path / "ws").rglob("solutions"))
    assert sorted(report.copied) == sorted(course_files())


def test_an_edited_notebook_is_never_overwritten(tmp_path):
    """After a learner edits a lesson, does the next start leave the edit alone and say so?"""
    workspace = tmp_path / "ws"
    sync_workspace(workspace)
    lesson = workspace / "lessons" / FIRST_LESSON
    lesson.write_text(lesson.read_text() + " ")
    edited = lesson.read_bytes()
    report = sync_workspace(workspace)
    assert lesson.read_bytes() == edited
    assert report.kept_edited == [f"lessons/{FIRST_LESSON}"]
    assert "you changed were kept" in report.summary()


def test_an_untouched_file_is_updated_and_a_deleted_one_restored(tmp_path, monkeypatch):
    """Does a new course version replace files the learner never touched, and restore deleted ones?"""
    workspace = tmp_path / "ws"
    sync_workspace(workspace)
    newer = tmp_path / "newer.ipynb"
    newer.write_text('{"changed": true}')
    files = dict(course_files())
    files[f"lessons/{FIRST_LESSON}"] = newer
    monkeypatch.setattr("course.learner.workspace.course_files", lambda: files)
    (workspace / next(name for name in files if name.startswith("exercises/"))).unlink()
    report = sync_workspace(workspace)
    assert report.updated == [f"lessons/{FIRST_LESSON}"]
    assert (workspace / "lessons" / FIRST_LESSON).read_text() == '{"changed": true}'
    assert len(report.copied) == 1


def test_a_workspace_that_is_a_file_is_a_clear_error(tmp_path):
    """Is --dir pointing at a file refused with a message, not a traceback?"""
    target = tmp_path / "notes.txt"
    target.write_text("mine")
    with pytest.raises(CourseError, match="is a file, not a folder"):
        sync_workspace(target)
    assert target.read_text() == "mine"


def test_every_path_a_lesson_cites_is_in_the_workspace_read_only(tmp_path):
    """Do the data files and the release model the lessons name by path (`data/portfolio.csv`,
    `course/exercises/tradeoff.py`) open in the workspace, read-only and identical to the course's?"""
    import os
    import re
    import stat

    from course.learner.workspace import cited_files
    from course.paths import LESSONS_DIR

    workspace = tmp_path / "ws"
    sync_workspace(workspace)
    cited = {path for lesson in LESSONS_DIR.glob("*.ipynb")
             for path in re.findall(r"`((?:data|course)/[\w./-]+?)`", lesson.read_text())}
    assert {"data/portfolio.csv", "data/README.md", "course/exercises/tradeoff.py"} <= cited
    assert cited == set(cited_files()), "every cited path exists in the course"
    for relative in cited:
        copy = workspace / relative
        assert copy.read_bytes() == cited_files()[relative].read_bytes()
        assert not copy.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH), f"{relative} is read-only"
    report = sync_workspace(workspace)
    assert not report.kept_edited and not report.updated, "a second start leaves them alone"
    assert os.access(workspace / "lessons" / FIRST_LESSON, os.W_OK), "lessons stay the learner's to edit"
