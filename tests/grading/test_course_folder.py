"""The pipeline's course folder takes every path and the gradebook's URL from nbgrader's own CourseDirectory."""
from __future__ import annotations

import pytest

from course.errors import CourseError
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.gradebook import default_db_url

LAYOUT = '''c = get_config()
c.CourseDirectory.source_directory = "instructor"
c.CourseDirectory.release_directory = "students"
c.CourseDirectory.submitted_directory = "handed-in"
c.CourseDirectory.autograded_directory = "marked"
c.CourseDirectory.feedback_directory = "returned"
'''


@pytest.fixture
def course(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text(LAYOUT)
    (tmp_path / "instructor" / "a1").mkdir(parents=True)
    (tmp_path / "instructor" / "a1" / "one.ipynb").write_text("{}")
    return tmp_path


def test_every_folder_is_where_the_nbgrader_config_puts_it(course):
    """Does the pipeline look for submissions, grades and feedback where nbgrader writes them, folder names
    renamed in nbgrader_config.py included?"""
    folder = CourseFolder.at(course)
    assert folder.submitted() == course / "handed-in"
    assert folder.submitted("ada", "a1") == course / "handed-in" / "ada" / "a1"
    assert folder.autograded("ada", "a1") == course / "marked" / "ada" / "a1"
    assert folder.feedback("ada", "a1") == course / "returned" / "ada" / "a1"
    assert folder.source("a1") == course / "instructor" / "a1"
    assert folder.assignments() == ["a1"]


def test_the_released_notebooks_are_the_student_versions_else_the_instructors(course):
    """Before nbgrader generates the student version, are the instructor's notebooks the ones expected?"""
    folder = CourseFolder.at(course)
    assert folder.released_folder("a1") == course / "instructor" / "a1"
    (course / "students" / "a1").mkdir(parents=True)
    (course / "students" / "a1" / "two.ipynb").write_text("{}")
    assert folder.released_folder("a1") == course / "students" / "a1"
    assert folder.released_notebooks("a1") == ["two.ipynb"]


def test_the_gradebook_is_db_else_the_config_files_else_nbgraders_default(course, tmp_path_factory):
    """Is the gradebook --db when given, else the config file's db_url, else gradebook.db in the folder, the one
    URL nbgrader itself would use?"""
    assert CourseFolder.at(course).gradebook_url == default_db_url(course) == f"sqlite:///{course / 'gradebook.db'}"
    assert CourseFolder.at(course, "sqlite:////elsewhere/grades.db").gradebook_url == "sqlite:////elsewhere/grades.db"
    other = tmp_path_factory.mktemp("configured")
    (other / "nbgrader_config.py").write_text(LAYOUT + 'c.CourseDirectory.db_url = "postgresql://grader@db/pm"\n')
    assert CourseFolder.at(other).gradebook_url == "postgresql://grader@db/pm"


def test_a_broken_config_file_is_one_line_naming_it(tmp_path):
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.root = undefined_name\n")
    with pytest.raises(CourseError, match="nbgrader_config.py could not be read: .*undefined_name"):
        CourseFolder.at(tmp_path).submitted()
