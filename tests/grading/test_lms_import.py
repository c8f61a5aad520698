"""LMS downloads laid out exactly as Canvas and Moodle produce them, zipped or not, and nbgrader's exchange: every
student found gets a folder (the latest upload counts), ids come only from the download's own names, and hostile
entries are reported without stopping anyone else's import."""
from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from course.grading.pipeline.collect import collect_from_exchange, import_submissions
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.inspection import NOT_GRADABLE, inspect_submission
from course.grading.pipeline.lms import Identities

ASSIGNMENT = "a1-roles"
ANSWERS = json.dumps({"format": 1, "answers": {"a1-role-sorter": {"c1": "program_manager"}}})


@pytest.fixture
def course(course_dir, quick_gradebooks) -> CourseFolder:
    return CourseFolder.at(course_dir)


@pytest.fixture
def notebook(course_dir) -> str:
    return (course_dir / "solutions" / ASSIGNMENT / "roles.ipynb").read_text()


def _zip(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _unzipped(data: bytes, folder: Path) -> Path:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        archive.extractall(folder)
    return folder


def _canvas_download(notebook: str) -> bytes:
    """Canvas's "Download Submissions": <sortable name>[_LATE]_<user id>_<file id>_<file name>, flat; a file
    uploaded again under the same name is renamed roles-1.ipynb; anonymous grading writes anon_<id>."""
    own_zip = _zip({"a1/roles.ipynb": notebook, "a1/pm-course-answers.json": ANSWERS,
                    "__MACOSX/a1/._roles.ipynb": b"\0\5\26\7"})
    return _zip({
        "smithjane_4321_900111_roles.ipynb": notebook.replace("Assignment 1", "First try"),
        "smithjane_4321_900112_pm-course-answers.json": ANSWERS,
        "smithjane_4321_900250_roles-1.ipynb": notebook,
        "doejohn_LATE_4322_900113_roles.ipynb": notebook,
        "leeann_4323_900114_a1.zip": own_zip,
        "anon_Ab3Cd_900115_roles.ipynb": notebook,
    })


def _moodle_download(notebook: str, folders: bool = True) -> bytes:
    """Moodle's "Download all submissions": <Full Name>_<participant>_assignsubmission_file_/ folders (or, without
    "Download submissions in folders", that prefix on every file name); a second upload of a name is 'roles (1)'."""
    files = {
        ("Jane Smith", 101): {"roles.ipynb": notebook, "pm-course-answers.json": ANSWERS},
        ("José Núñez", 102): {"roles.ipynb": notebook.replace("Assignment 1", "First try"),
                              "roles (1).ipynb": notebook},
        ("Jane Smith", 103): {"roles.docx": b"PK\3\4 a word document"},
        ("Kim Lee", 105): {"roles.ipynb": notebook},
    }
    members: dict[str, str | bytes] = {}
    for (name, participant), uploads in files.items():
        for file_name, data in uploads.items():
            prefix = f"{name}_{participant}_assignsubmission_file_"
            members[f"{prefix}/{file_name}" if folders else f"{prefix}{file_name}"] = data
    members["Participant_104_assignsubmission_onlinetext_/onlinetext.html" if folders
            else "Participant_104_assignsubmission_onlinetext_onlinetext.html"] = "<p>see attached</p>"
    return _zip(members)


def _files(course: CourseFolder, student: str) -> list[str]:
    folder = course.submitted(student, ASSIGNMENT)
    return sorted(path.name for path in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("zipped", [True, False], ids=["zip", "unzipped"])
def test_canvas_download(course, notebook, tmp_path, zipped):
    data = _canvas_download(notebook)
    source = tmp_path / "pm101-a1-roles_submissions.zip"
    source.write_bytes(data)
    if not zipped:
        source = _unzipped(data, tmp_path / "canvas")
    report = import_submissions(course, ASSIGNMENT, source)
    assert sorted(report.students) == ["anon-Ab3Cd", "doejohn", "leeann", "smithjane"]
    assert _files(course, "smithjane") == ["pm-course-answers.json", "roles.ipynb"]
    assert "First try" not in (course.submitted("smithjane", ASSIGNMENT) / "roles.ipynb").read_text(), \
        "the resubmission roles-1.ipynb (a later Canvas file id) counts"
    assert any("handed in 2 times" in note and "roles-1.ipynb" in note for note in report.notes["smithjane"])
    assert _files(course, "leeann") == ["pm-course-answers.json", "roles.ipynb"], "the student's own zip, unpacked"
    assert _files(course, "doejohn") == ["roles.ipynb"], "late work is imported too"
    identities = Identities.load(course, ASSIGNMENT).students
    assert identities["smithjane"].canvas_user_id == "4321" and identities["doejohn"].canvas_user_id == "4322"
    assert not report.strays


@pytest.mark.parametrize("zipped,folders", [(True, True), (False, True), (True, False)],
                         ids=["zip-folders", "unzipped-folders", "zip-flat"])
def test_moodle_download(course, notebook, tmp_path, zipped, folders):
    data = _moodle_download(notebook, folders)
    source = tmp_path / "PM101-a1-roles-4567.zip"
    source.write_bytes(data)
    if not zipped:
        source = _unzipped(data, tmp_path / "moodle")
    report = import_submissions(course, ASSIGNMENT, source)
    assert sorted(report.students) == ["jane-smith-101", "jane-smith-103", "jose-nunez", "kim-lee",
                                       "participant-104"], "two Jane Smiths are told apart by Moodle's number"
    assert "First try" not in (course.submitted("jose-nunez", ASSIGNMENT) / "roles.ipynb").read_text(), \
        "the second upload, 'roles (1).ipynb', counts"
    identities = Identities.load(course, ASSIGNMENT).students
    assert identities["jane-smith-101"].moodle_participant == "101"
    assert identities["jose-nunez"].name == "José Núñez"
    # every student found gets a row: the .docx is not graded, and says so
    docx = inspect_submission(course, ASSIGNMENT, "jane-smith-103")
    assert docx.status == NOT_GRADABLE and "found: roles.docx" in docx.notes[-1]
    # a notebook without its answer file is graded, with a note for the instructor and one for the student
    bare = inspect_submission(course, ASSIGNMENT, "kim-lee")
    assert bare.gradable and any("no pm-course-answers.json handed in" in note for note in bare.notes)
    assert any("without pm-course-answers.json" in note for note in bare.student_notes)
    assert not any("answers.json" in note for note in inspect_submission(course, ASSIGNMENT,
                                                                         "jane-smith-101").notes)


def test_ids_come_only_from_the_downloads_own_names(course, notebook, tmp_path):
    """A zip named for one student cannot hand in for another, plant a formula or match everyone ('*')."""
    bob = course.submitted("bob", ASSIGNMENT)
    bob.mkdir(parents=True)
    (bob / "roles.ipynb").write_text(notebook)
    before = (bob / "roles.ipynb").read_bytes()
    download = tmp_path / "download"
    download.mkdir()
    (download / "alice.zip").write_bytes(_zip({"bob/roles.ipynb": "{}", "../bob/a1-roles/roles.ipynb": "{}",
                                               "roles.ipynb": notebook}))
    (download / "alice_roles.ipynb").write_text(notebook)
    (download / "*_roles.ipynb").write_text(notebook)
    (download / "=HYPERLINK(1)_roles.ipynb").write_text(notebook)
    (download / "carl_roles.ipynb").write_text(notebook)
    report = import_submissions(course, ASSIGNMENT, download)
    assert sorted(report.students) == ["alice", "carl"]
    assert (bob / "roles.ipynb").read_bytes() == before and _files(course, "bob") == ["roles.ipynb"]
    assert sorted(path.name for path in course.submitted().iterdir()) == ["alice", "bob", "carl"]
    strays = " | ".join(report.strays)
    assert "'*' is not a valid student id" in strays and "'=HYPERLINK(1)' is not a valid student id" in strays
    assert any("handed in 3 times" in note for note in report.notes["alice"]), "duplicates reported per student"


def test_links_pipes_and_zip_bombs_in_a_download_never_stop_the_others(course, notebook, tmp_path):
    solution = course.source(ASSIGNMENT) / "roles.ipynb"
    download = tmp_path / "download"
    download.mkdir()
    (download / "eve_roles.ipynb").symlink_to(solution)
    os.mkfifo(download / "mallory_pm-course-answers.json")
    (download / "zed.zip").write_bytes(_zip({"roles.ipynb": "\0" * 30_000_000}))
    (download / "honest_roles.ipynb").write_text(notebook)
    report = import_submissions(course, ASSIGNMENT, download)
    assert sorted(report.students) == ["honest", "zed"]
    strays = " | ".join(report.strays)
    assert "eve_roles.ipynb is a symbolic link" in strays and "mallory_pm-course-answers.json is a named pipe" in strays
    assert not course.submitted("eve").exists() and not course.submitted("mallory").exists()
    zed = inspect_submission(course, ASSIGNMENT, "zed")
    assert zed.status == NOT_GRADABLE and any("zip bomb" in note for note in zed.notes)
    assert inspect_submission(course, ASSIGNMENT, "honest").gradable


def test_submitted_folders_with_links_or_pipes_are_not_graded(course, notebook):
    """Whatever put it there, a submission holding a link or a pipe is 'could not be graded', never read."""
    linked = course.submitted("linked", ASSIGNMENT)
    linked.mkdir(parents=True)
    (linked / "roles.ipynb").symlink_to(course.source(ASSIGNMENT) / "roles.ipynb")
    piped = course.submitted("piped", ASSIGNMENT)
    piped.mkdir(parents=True)
    (piped / "roles.ipynb").write_text(notebook)
    os.mkfifo(piped / "pm-course-answers.json")
    deep = course.submitted("deep", ASSIGNMENT)
    deep.mkdir(parents=True)
    (deep / "roles.ipynb").write_text("[" * 50_000 + "]" * 50_000)
    (course.submitted() / "*").mkdir()
    for student, reason in [("linked", "is a symbolic link"), ("piped", "is a named pipe"),
                            ("deep", "levels deep")]:
        inspection = inspect_submission(course, ASSIGNMENT, student)
        assert inspection.status == NOT_GRADABLE and reason in inspection.notes[-1], inspection.notes
    assert course.students_with_folders() == ["deep", "linked", "piped"]
    assert course.strays() == ["submitted/*: is not a valid student id (letters, digits, '.', '_' and '-' only): "
                               "not graded"]


def test_an_nbgrader_layout_is_copied_file_by_file(course, notebook, tmp_path):
    source = tmp_path / "class"
    (source / "carol" / ASSIGNMENT).mkdir(parents=True)
    (source / "carol" / ASSIGNMENT / "roles.ipynb").symlink_to(course.source(ASSIGNMENT) / "roles.ipynb")
    (source / "dan" / ASSIGNMENT).mkdir(parents=True)
    (source / "dan" / ASSIGNMENT / "roles.ipynb").write_text(notebook)
    report = import_submissions(course, ASSIGNMENT, source)
    assert sorted(report.students) == ["carol", "dan"]
    assert _files(course, "carol") == [] and any("symbolic link" in note for note in report.notes["carol"])
    assert _files(course, "dan") == ["roles.ipynb"]


def test_collecting_from_the_exchange_checks_every_file(course, notebook, tmp_path, monkeypatch):
    """nbgrader's own collect copies what a link in the inbound folder points to; pm-course collect does not."""
    exchange = tmp_path / "exchange"
    inbound = exchange / "pm-course" / "inbound"
    monkeypatch.setenv("PM_COURSE_EXCHANGE", str(exchange))

    def submission(name: str, files: dict[str, str]) -> Path:
        folder = inbound / name
        folder.mkdir(parents=True)
        for file_name, text in files.items():
            (folder / file_name).write_text(text)
        return folder

    submission(f"alice+{ASSIGNMENT}+2024-03-01 10:00:00.000000 UTC+r1",
               {"roles.ipynb": "old", "timestamp.txt": "2024-03-01 10:00:00.000000 UTC"})
    submission(f"alice+{ASSIGNMENT}+2024-03-02 09:00:00.000000 UTC+r2",
               {"roles.ipynb": notebook, "timestamp.txt": "2024-03-02 09:00:00.000000 UTC"})
    bob = submission(f"bob+{ASSIGNMENT}+2024-03-01 11:00:00.000000 UTC+r3", {"timestamp.txt": "x"})
    (bob / "roles.ipynb").symlink_to(course.source(ASSIGNMENT) / "roles.ipynb")
    submission(f"*+{ASSIGNMENT}+2024-03-01 12:00:00.000000 UTC+r4", {"roles.ipynb": notebook})
    submission("carl+a2-portfolio+2024-03-01 12:00:00.000000 UTC+r5", {"portfolio.ipynb": "{}"})
    report = collect_from_exchange(course, ASSIGNMENT)
    assert sorted(report.students) == ["alice", "bob"]
    assert (course.submitted("alice", ASSIGNMENT) / "roles.ipynb").read_text() == notebook, "the latest counts"
    assert _files(course, "bob") == ["timestamp.txt"] and any("symbolic link" in n for n in report.notes["bob"])
    assert any("'*' is not a valid student id" in stray for stray in report.strays)
    assert sorted(path.name for path in course.submitted().iterdir()) == ["alice", "bob"]
    shutil.rmtree(exchange)


def _summary(rows: list[tuple[str, str, float | None]]):
    import pandas as pd

    return pd.DataFrame([{"student": student, "status": "graded" if grade else "no submission", "score": score,
                          "max_score": 13.0, "grade": grade, "pending": "", "notes": "", "student_notes": ""}
                         for student, grade, score in rows])


def test_canvas_rows_carry_the_ids_canvas_matches_on(course, notebook, tmp_path):
    """With Canvas's gradebook export as --roster: ID, SIS User ID, SIS Login ID and Section as Canvas has them, and
    the assignment's header exactly as Canvas exported it ('Title (id)'), so the import updates that assignment."""
    import pandas as pd

    from course.grading.pipeline.exports import export_grades

    source = tmp_path / "submissions.zip"
    source.write_bytes(_canvas_download(notebook))
    import_submissions(course, ASSIGNMENT, source)
    roster = tmp_path / "canvas-gradebook.csv"
    roster.write_text('Student,ID,SIS User ID,SIS Login ID,Section,a1-roles (4567),Current Score,Final Score\n'
                      '    Points Possible,,,,,13,,\n'
                      '"Smith, Jane",4321,S-1001,jsmith,Section A,,,\n'
                      '"Doe, John",4322,S-1002,jdoe,Section B,,,\n'
                      '"Ng, Ada",4330,S-1003,ada,Section A,,,\n', encoding="utf-8")
    summary = _summary([("smithjane", "final", 11.5), ("doejohn", "provisional", 8.0), ("ada", "final", 13.0),
                        ("zed", "final", 2.0), ("nobody", "", None)])
    result = export_grades(course, ASSIGNMENT, summary, tmp_path / "out", roster=roster)
    canvas = pd.read_csv(tmp_path / "out" / "canvas.csv", dtype=str, keep_default_na=False)
    assert list(canvas.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "a1-roles (4567)"]
    rows = canvas.set_index("ID")
    assert rows.loc["4321"].tolist() == ["Smith, Jane", "S-1001", "jsmith", "Section A", "11.5"]
    assert rows.loc["4330"].tolist() == ["Ng, Ada", "S-1003", "ada", "Section A", "13"], "matched by login"
    assert "4322" not in rows.index, "a provisional grade has no row"
    assert any("not in the roster" in warning and "zed" in warning for warning in result.warnings)
    again = export_grades(course, ASSIGNMENT, summary, tmp_path / "out")  # the roster is remembered
    assert again.warnings == result.warnings
    wrong = tmp_path / "moodle.csv"
    wrong.write_text("Name,Mark\nx,1\n", encoding="utf-8")
    from course.errors import CourseError

    with pytest.raises(CourseError, match="neither a Canvas gradebook export"):
        export_grades(course, ASSIGNMENT, summary, tmp_path / "out2", roster=wrong)


def test_an_export_never_shrinks_silently(course, tmp_path):
    import pandas as pd

    from course.grading.pipeline.exports import export_grades

    out = tmp_path / "out"
    first = export_grades(course, ASSIGNMENT, _summary([("ada", "final", 13.0), ("bob", "final", 9.0)]), out)
    assert first.warnings == [] and first.kept is None
    second = export_grades(course, ASSIGNMENT, _summary([("ada", "final", 13.0), ("bob", "provisional", 9.0)]), out)
    assert second.kept is not None and "no grade now for bob" in second.warnings[0]
    kept = pd.read_csv(second.kept / "canvas.csv", dtype=str, keep_default_na=False)
    assert kept["SIS Login ID"].tolist() == ["", "ada", "bob"]
    assert pd.read_csv(out / "canvas.csv", dtype=str, keep_default_na=False)["SIS Login ID"].tolist() == ["", "ada"]
