"""Does 'pm-course grade' grade a class like nbgrader does, survive interruption and bad submissions, and export?"""
from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from course.cli import main
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.gradebook import default_db_url, item_scores
from course.grading.pipeline.nbgrader_runner import run_nbgrader
from tests.support.simulate import build_class, fill_solutions

from ..conftest import IN_CI, built_once_per_run, course_sources_key

pytestmark = pytest.mark.slow
ASSIGNMENT = "a1-roles"
CLASS_SIZE = 6
# the tests that read the class graded in parallel, and those that grade it again (interrupted, into PostgreSQL): two
# groups, so that two workers share the work; both compare with the serial grades, made once for both
PARALLEL = pytest.mark.xdist_group("pipeline-parallel")
REGRADED = pytest.mark.xdist_group("pipeline-regraded")


def all_scores(root: Path, db_url: str | None = None) -> dict[str, dict[str, float | None]]:
    """Every student's score on every graded cell, as nbgrader's gradebook holds them."""
    from nbgrader.api import Gradebook

    db_url = db_url or default_db_url(root)
    with Gradebook(db_url) as gradebook:
        students = [s.id for s in gradebook.students]
    return {student: {name: item.auto_score for name, item in item_scores(db_url, ASSIGNMENT, student).items()}
            for student in students}


@pytest.fixture(scope="module")
def synthetic_class(generated_template, tmp_path_factory) -> Path:
    """The generated course with a reproducible class of mixed-quality submissions (not yet graded)."""
    root = tmp_path_factory.mktemp("class") / "course"
    shutil.copytree(generated_template, root)
    build_class(root, ASSIGNMENT, CLASS_SIZE, seed=7)
    return root


@pytest.fixture(scope="module")
def serial_scores(synthetic_class, tmp_path_factory) -> dict:
    """The class graded by a serial 'nbgrader autograde', once per run for both groups of tests below (each on a
    worker of its own) that compare with it."""
    def build(folder: Path) -> None:
        root = folder / "course"
        shutil.copytree(synthetic_class, root)
        run_nbgrader(root, "autograde", ASSIGNMENT, "--force")
        (folder / "scores.json").write_text(json.dumps(all_scores(root)))

    shared = built_once_per_run(tmp_path_factory, f"serial-{ASSIGNMENT}-{CLASS_SIZE}-{course_sources_key()}", build)
    return json.loads((shared / "scores.json").read_text())


@pytest.fixture(scope="module")
def parallel_class(synthetic_class, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("parallel") / "course"
    shutil.copytree(synthetic_class, root)
    assert main(["grade", ASSIGNMENT, "--course", str(root), "--workers", "2", "--quiet",
                 "--feedback=provisional"]) == 0
    return root


@PARALLEL
def test_parallel_grading_equals_serial_nbgrader(parallel_class, serial_scores):
    """Does grading on two workers give exactly the gradebook a serial 'nbgrader autograde' gives?"""
    assert all_scores(parallel_class) == serial_scores
    assert len(serial_scores) == CLASS_SIZE
    assert len({sum(v or 0 for v in scores.values()) for scores in serial_scores.values()}) > 1, "mixed quality"


@PARALLEL
def test_feedback_is_generated_without_hidden_tests(parallel_class):
    """With --feedback=provisional, does every graded student get an HTML feedback file that does not show the
    hidden tests, and does a provisional one say what is still to be graded instead of scoring it 0?"""
    feedback = sorted((parallel_class / "feedback").glob(f"*/{ASSIGNMENT}/roles.html"))
    assert len(feedback) == CLASS_SIZE
    summary = pd.read_csv(parallel_class / "exports" / ASSIGNMENT / "summary.csv", dtype=str,
                          keep_default_na=False).set_index("student")
    for path in feedback:
        text = path.read_text(encoding="utf-8")
        assert "points_for_matches" not in text and "BEGIN HIDDEN TESTS" not in text
        student = path.parts[-3]
        if summary.at[student, "grade"] == "provisional":
            assert "Your grade is not final yet" in text and "subset_debate_answer in roles (3 points)" in text
            assert "Written response</a> (Score: 0.0 / 3.0)" not in text and "Not graded yet (3 points)" in text
        else:
            assert "Your grade is not final yet" not in text


def hand_grade(root: Path, scores: dict[str, float], db_url: str | None = None) -> None:
    """Score the written answer as formgrader's grade API does (manual score, no longer needing a manual grade)."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url or default_db_url(root)) as gradebook:
        for student, score in scores.items():
            grade = gradebook.find_grade("subset_debate_answer", "roles", ASSIGNMENT, student)
            grade.manual_score = score
            grade.needs_manual_grade = False
        gradebook.db.commit()


@PARALLEL
def test_exports_have_the_columns_canvas_and_moodle_import(parallel_class, tmp_path):
    """Are nbgrader's CSV, a Canvas CSV (with its Points Possible row) and a Moodle CSV written, with a row for each
    final grade only, and do hand-graded answers reach them through pm-course feedback?"""
    root = tmp_path / "course"
    shutil.copytree(parallel_class, root)
    out = root / "exports" / ASSIGNMENT
    before = pd.read_csv(out / "summary.csv", dtype=str, keep_default_na=False).set_index("student")
    waiting = sorted(before.index[before["grade"] == "provisional"])
    assert len(waiting) >= 3, "the class has written answers to grade"
    hand_grade(root, {waiting[0]: 3, waiting[1]: 1.5, waiting[2]: 0})
    assert main(["feedback", ASSIGNMENT, "--course", str(root)]) == 0
    nbgrader_csv = pd.read_csv(out / "nbgrader-grades.csv")
    assert {"student_id", "score", "max_score"} <= set(nbgrader_csv.columns)
    canvas = pd.read_csv(out / "canvas.csv", dtype=str, keep_default_na=False)
    assert list(canvas.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert canvas.iloc[0]["Student"].strip() == "Points Possible" and float(canvas.iloc[0][ASSIGNMENT]) == 13
    summary = pd.read_csv(out / "summary.csv", dtype=str, keep_default_na=False).set_index("student")
    final = sorted(summary.index[summary["grade"] == "final"])
    assert set(waiting[:3]) <= set(final) and len(final) < CLASS_SIZE
    assert sorted(canvas["SIS Login ID"][1:]) == final, "only final grades reach the LMS files"
    moodle = pd.read_csv(out / "moodle.csv", dtype=str, keep_default_na=False)
    assert list(moodle.columns) == ["Username", "Email address", ASSIGNMENT, "Feedback"]
    assert sorted(moodle["Username"]) == final and all(moodle[ASSIGNMENT] != "")
    for student, manual in zip(waiting[:3], [3, 1.5, 0], strict=True):
        expected = float(before.at[student, "score"]) + manual
        assert float(canvas.set_index("SIS Login ID").at[student, ASSIGNMENT]) == expected
        assert float(summary.at[student, "score"]) == expected


@PARALLEL
def test_a_second_run_grades_nothing_again(parallel_class, capsys):
    """Run again with nothing changed: is every student recognised as already graded?"""
    assert main(["grade", ASSIGNMENT, "--course", str(parallel_class), "--quiet"]) == 0
    assert f"Graded now: 0; already graded and unchanged: {CLASS_SIZE}" in capsys.readouterr().out


def _journal_lines(journal: Path) -> int:
    return len(journal.read_text().splitlines()) if journal.exists() else 0


def _interrupt_when(command: list[str], journal: Path, graded: int, signum: int) -> tuple[int, str, str]:
    """Start ``pm-course grade``, send ``signum`` to its process group (the terminal's Ctrl+C reaches every process
    of it) once the journal lists ``graded`` students; its exit status and what it printed."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and _journal_lines(journal) < graded and process.poll() is None:
        time.sleep(0.1)
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass  # it had finished: the caller's assertions say so
    out, err = process.communicate(timeout=120)
    return process.returncode, out, err


@pytest.fixture(scope="module")
def interrupted(synthetic_class, tmp_path_factory) -> dict:
    """One class graded in three runs: stopped with Ctrl+C after its first student, killed (SIGKILL, as a crash or
    a closed laptop would) part-way through the rest, then run to the end."""
    root = tmp_path_factory.mktemp("interrupted") / "course"
    shutil.copytree(synthetic_class, root)
    journal = root / ".pm-course" / "grading" / ASSIGNMENT / "journal.jsonl"
    command = [str(Path(sys.executable).with_name("pm-course")), "grade", ASSIGNMENT, "--course", str(root),
               "--workers", "2", "--quiet"]
    ctrl_c = _interrupt_when(command, journal, 1, signal.SIGINT)
    after_ctrl_c = _journal_lines(journal)
    _interrupt_when(command, journal, after_ctrl_c + 1, signal.SIGKILL)
    after_kill = _journal_lines(journal)
    finished = subprocess.run(command, capture_output=True, text=True)
    return {"root": root, "ctrl_c": ctrl_c, "after_ctrl_c": after_ctrl_c, "after_kill": after_kill,
            "finished": finished}


@REGRADED
def test_a_killed_run_resumes_to_the_same_gradebook(interrupted, serial_scores):
    """Kill the grading process part-way, run it again: is the gradebook the same as an uninterrupted run's?"""
    assert interrupted["after_ctrl_c"] < interrupted["after_kill"] < CLASS_SIZE, \
        "the run was not interrupted part-way"
    finished = interrupted["finished"]
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert all_scores(interrupted["root"]) == serial_scores


def test_bad_submissions_are_reported_and_the_rest_graded(generated, capsys):
    """Corrupt JSON, a missing notebook, extra files and a misnamed assignment: each reported, none fatal?"""
    released = generated / "exercises" / ASSIGNMENT / "roles.ipynb"
    perfect = fill_solutions(released, generated / "solutions" / ASSIGNMENT / "roles.ipynb")

    def folder(student, assignment=ASSIGNMENT):
        path = generated / "submitted" / student / assignment
        path.mkdir(parents=True)
        return path

    nbformat.write(perfect, str(folder("honest") / "roles.ipynb"))
    (folder("corrupt") / "roles.ipynb").write_text('{"cells": [ this is not json')
    (folder("missing") / "notes.txt").write_text("forgot the notebook")
    extra = folder("extra")
    nbformat.write(perfect, str(extra / "roles.ipynb"))
    (extra / "my-scratch.py").write_text("print('hi')")
    nbformat.write(perfect, str(folder("misnamed", "a2-portfolio") / "roles.ipynb"))
    (folder("notanotebook") / "roles.ipynb").write_text('{"just": "json"}')

    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--quiet"]) == 0
    summary = pd.read_csv(generated / "exports" / ASSIGNMENT / "summary.csv", keep_default_na=False)
    status, notes = summary.set_index("student")["status"], summary.set_index("student")["notes"]
    assert status["honest"] == "graded" and float(summary.set_index("student").at["honest", "score"]) == 10
    grade, pending = summary.set_index("student")["grade"], summary.set_index("student")["pending"]
    assert grade["honest"] == "provisional" and pending["honest"] == "subset_debate_answer (3 points)"
    assert status["extra"] == "graded" and "extra files ignored: my-scratch.py" in notes["extra"]
    assert status["corrupt"] == "could not be graded" and "not valid JSON" in notes["corrupt"]
    assert status["missing"] == "could not be graded" and "roles.ipynb" in notes["missing"]
    assert status["misnamed"] == "no submission" and "a2-portfolio (it holds roles.ipynb)" in notes["misnamed"]
    assert status["notanotebook"] == "could not be graded"
    canvas = pd.read_csv(generated / "exports" / ASSIGNMENT / "canvas.csv", dtype=str,
                         keep_default_na=False).set_index("SIS Login ID")
    assert list(canvas.index) == [""], "no row, neither a zero nor a blank that would clear the LMS's grade, for " \
        "what could not be graded, was not handed in or waits for hand grading"


def test_lms_zips_and_files_are_collected_by_student(generated):
    """Per-student zips and <student>_<file> notebooks from an LMS: are they collected and graded per student?"""
    released = generated / "exercises" / ASSIGNMENT / "roles.ipynb"
    perfect = nbformat.writes(fill_solutions(released, generated / "solutions" / ASSIGNMENT / "roles.ipynb"))
    downloads = generated.parent / "lms-download"
    downloads.mkdir()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("roles.ipynb", perfect)
        answers = '{"format": 1, "answers": {"a1-role-sorter": {"c1": "program_manager"}}}'
        archive.writestr("pm-course-answers.json", answers)
    (downloads / "zoe_attempt1.zip").write_bytes(buffer.getvalue())
    (downloads / "yan_12345_roles.ipynb").write_text(perfect)
    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--submissions", str(downloads), "--quiet"]) == 0
    assert (generated / "submitted" / "zoe" / ASSIGNMENT / "pm-course-answers.json").is_file()
    summary = pd.read_csv(generated / "exports" / ASSIGNMENT / "summary.csv").set_index("student")
    assert set(summary.index) >= {"zoe", "yan"} and (summary.loc[["zoe", "yan"], "status"] == "graded").all()


@PARALLEL
def test_report_writes_html_plots_and_tables(parallel_class):
    """Does the report write an HTML page with its plots (with alt text) and the item and option tables?"""
    assert main(["report", ASSIGNMENT, "--course", str(parallel_class)]) == 0
    out = parallel_class / "reports" / ASSIGNMENT
    html = (out / "index.html").read_text()
    assert f'src="distribution.png" alt="Histogram of {CLASS_SIZE} students' in html
    assert (out / "distribution.png").stat().st_size > 1000 and (out / "items.png").stat().st_size > 1000
    items = pd.read_csv(out / "items.csv").set_index("item")
    assert {"p", "D", "quality", "flag"} <= set(items.columns) and "role_sorter_roles" in items.index


def test_user_mistakes_are_one_line_messages(tmp_path, capsys):
    """Are a folder without nbgrader_config.py and an unknown assignment reported in words, exit code 1?"""
    assert main(["grade", ASSIGNMENT, "--course", str(tmp_path)]) == 1
    assert "is not a course folder" in capsys.readouterr().err
    course = CourseFolder.at(Path(__file__).resolve().parents[2])
    assert main(["grade", "a9-nothing", "--course", str(course.root)]) == 1
    assert "there is no assignment 'a9-nothing'" in capsys.readouterr().err


@REGRADED
def test_parallel_grading_into_postgresql_equals_serial_sqlite(synthetic_class, serial_scores, tmp_path):
    """With the gradebook in a PostgreSQL server (--db URL), do two workers lose nothing and match serial SQLite?"""
    from .postgres_server import postgres_bindir, running_postgres

    if postgres_bindir() is None:
        message = "PostgreSQL's server is not installed: apt-get install -y postgresql"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path / "course"
    shutil.copytree(synthetic_class, root)
    with running_postgres() as url:
        assert main(["grade", ASSIGNMENT, "--course", str(root), "--db", url, "--workers", "2", "--quiet"]) == 0
        assert all_scores(root, url) == serial_scores
        summary = pd.read_csv(root / "exports" / ASSIGNMENT / "summary.csv")
        assert len(summary) == CLASS_SIZE and (summary["status"] == "graded").all()
    assert not (root / "gradebook.db").exists() or all_scores(root) == {}, "nothing was written to SQLite"


@PARALLEL
def test_a_deleted_gradebook_is_not_trusted_to_the_journal(parallel_class, serial_scores, tmp_path, capsys):
    """rm gradebook.db, grade again: is everyone graded again (not 'already graded'), with the same scores and no
    blank grades exported?"""
    root = tmp_path / "course"
    shutil.copytree(parallel_class, root)
    exported_before = (root / "exports" / ASSIGNMENT / "canvas.csv").read_text()
    (root / "gradebook.db").unlink()
    assert main(["grade", ASSIGNMENT, "--course", str(root), "--workers", "2", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert f"Graded now: {CLASS_SIZE}; already graded and unchanged: 0; graded again because the gradebook had " \
           "lost their grades" in out
    assert all_scores(root) == serial_scores
    assert (root / "exports" / ASSIGNMENT / "canvas.csv").read_text() == exported_before
    assert not (root / "exports" / ASSIGNMENT / "previous").exists() and "Warning" not in out


def test_the_gradebook_named_in_nbgrader_config_is_used_everywhere(generated, tmp_path, capsys):
    """c.CourseDirectory.db_url in nbgrader_config.py, as the README offers instead of --db: does grading register
    the assignment, grade, export and report there (not in gradebook.db)?"""
    elsewhere = tmp_path / "elsewhere.db"
    shutil.move(generated / "gradebook.db", elsewhere)
    with open(generated / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write(f'\nc.CourseDirectory.db_url = "sqlite:///{elsewhere}"\n')
    released = generated / "exercises" / ASSIGNMENT / "roles.ipynb"
    folder = generated / "submitted" / "solo" / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(fill_solutions(released, generated / "solutions" / ASSIGNMENT / "roles.ipynb"),
                   str(folder / "roles.ipynb"))
    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--quiet", "--workers", "1"]) == 0
    assert not (generated / "gradebook.db").exists()
    assert all_scores(generated, f"sqlite:///{elsewhere}")["solo"]["classify_roles"] == 1
    assert main(["status", ASSIGNMENT, "--course", str(generated)]) == 0
    assert "solo" in capsys.readouterr().out
    assert main(["report", ASSIGNMENT, "--course", str(generated)]) == 0


@REGRADED
def test_ctrl_c_stops_cleanly(interrupted):
    """A real Ctrl+C (SIGINT to the terminal's process group) part-way: one line, no worker tracebacks, and the
    next run resumes."""
    code, out, err = interrupted["ctrl_c"]
    assert code == 130, (out, err)
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.strip().splitlines() == ["pm-course: interrupted; run the same command again to go on (finished "
                                        "work is kept)"]
    assert 1 <= interrupted["after_ctrl_c"] < CLASS_SIZE, "the students finished before Ctrl+C are kept"
    assert "already graded and unchanged" in interrupted["finished"].stdout


def test_a_class_with_no_submissions_says_so(generated, capsys):
    assert main(["grade", ASSIGNMENT, "--course", str(generated), "--quiet", "--workers", "1"]) == 1
    captured = capsys.readouterr()
    assert "no submissions to grade for a1-roles" in captured.err and "Empty DataFrame" not in captured.out
    assert len(captured.err.strip().splitlines()) == 1
