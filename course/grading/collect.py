"""Bring LMS downloads into nbgrader's layout with nbgrader's own ``zip_collect``.

A folder of per-student zips (``alice.zip`` or ``alice_anything.zip`` holding the notebook
and, if the widgets were used, ``pm-course-answers.json``) or of per-student files
(``alice_roles.ipynb``, ``alice_12345_roles.ipynb``, ``alice_pm-course-answers.json``)
becomes ``submitted/<student>/<assignment>/``. The student id is the name up to its first
underscore; the file is the part after the last one.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
from traitlets import List

from ..errors import CourseError
from .course_folder import CourseFolder
from .nbgrader_runner import run_nbgrader


class CourseFileCollector(FileNameCollectorPlugin):
    """Finds student id and file name in an extracted LMS download (zip folder or flat file name)."""

    valid_ext = List([".ipynb", ".json"]).tag(config=True)

    def collect(self, submitted_file: str):
        _, ext = os.path.splitext(submitted_file)
        if ext not in self.valid_ext:
            return None
        marker = f"{os.sep}extracted{os.sep}"
        if marker in submitted_file:
            relative = submitted_file.rpartition(marker)[2]
        else:
            relative = os.path.basename(submitted_file)
        parts = Path(relative).parts
        if len(parts) > 1:
            student, file_id = parts[0].split("_")[0], parts[-1]
        elif "_" in parts[0]:
            student, file_id = parts[0].split("_")[0], parts[0].rsplit("_", 1)[1]
        else:
            return None
        if not student:
            return None
        return {"student_id": student, "file_id": file_id}


def import_submissions(course: CourseFolder, assignment: str, source: Path) -> list[str]:
    """Collect an LMS download folder into ``submitted/``; returns the student ids found."""
    source = Path(source).expanduser().resolve()
    if not source.is_dir():
        raise CourseError(f"--submissions {source} is not a folder")
    if (source / assignment).is_dir() or any((p / assignment).is_dir() for p in source.iterdir() if p.is_dir()):
        return _copy_nbgrader_layout(course, assignment, source)
    archive = course.root / "downloaded" / assignment / "archive"
    if archive.exists():
        shutil.rmtree(archive)
    archive.mkdir(parents=True)
    for item in sorted(source.iterdir()):
        if item.is_file():
            shutil.copy2(item, archive / item.name)
    before = set(course.students_with_folders())
    run_nbgrader(course.root, "zip_collect", assignment, "--force",
                 "--ZipCollectApp.collector_plugin=course.grading.collect.CourseFileCollector")
    found = sorted(set(course.students_with_folders()) - before | _students_in(archive))
    return [student for student in found if course.submitted(student, assignment).is_dir()]


def _students_in(archive: Path) -> set[str]:
    return {item.name.split("_")[0].removesuffix(".zip") for item in archive.iterdir()}


def _copy_nbgrader_layout(course: CourseFolder, assignment: str, source: Path) -> list[str]:
    """``source`` already looks like ``submitted/``: <student>/<assignment>/ folders."""
    students = []
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        target = course.submitted(folder.name)
        if folder.resolve() == target.resolve():
            students.append(folder.name)
            continue
        shutil.copytree(folder, target, dirs_exist_ok=True)
        students.append(folder.name)
    return students
