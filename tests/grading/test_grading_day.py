"""An instructor's whole grading day, in a git clone of the course, driven through the commands the README shows.

A Moodle "Download all submissions" zip of a1-roles is imported and graded; two written answers are graded through
formgrader's own HTTP API on a real Jupyter server; feedback is written again and the grades exported; the exports
and the feedback must be final and agree, and nothing may have gone out before. Then a3-tradeoffs is graded for a
class most of whom handed in only a1, and the gradebook is lost. Each stage works on a copy of the previous one, so
every test sees its stage whatever order the tests run in.
"""
from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from course.grading.pipeline.nbgrader_runner import run_nbgrader
from tests.support.simulate import fill_solutions

from ..conftest import REPO, free_port, jupyter_environment

pytestmark = pytest.mark.slow
A1, A3 = "a1-roles", "a3-tradeoffs"
PM_COURSE = str(Path(sys.executable).with_name("pm-course"))
STUDENTS = {  # Moodle participant number, full name -> what they hand in
    101: "Ada Lovelace",  # everything, with the answer file: written answer waits for hand grading
    102: "Grace Hopper",  # everything but the answer file; the role sorter answered in code, wrongly
    103: "Alan Turing",  # responsible_role only; written answer untouched (nbgrader scores it 0): final at once
    104: "Edsger Dijkstra",  # everything, the role sorter wrongly in code: stays provisional all day
    105: "Barbara Liskov",  # a .docx instead of the notebook
}
WRONG_ROLE = {'"program_manager"': '"project_manager"', '"product_manager"': '"project_manager"',
              '"product_marketing_manager"': '"product_manager"', '"project_manager"': '"product_manager"'}
ADA, GRACE, ALAN, EDSGER, BARBARA = "ada-lovelace", "grace-hopper", "alan-turing", "edsger-dijkstra", "barbara-liskov"
STUDENT_DATA = ("submitted/", "autograded/", "feedback/", "exports/", "reports/", ".pm-course/", "downloaded/",
                "gradebook.db", "grades.csv", "pm-course-answers.json")


def pm_course(*arguments: str, course: Path, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([PM_COURSE, *arguments, "--course", str(course)], capture_output=True, text=True,
                            timeout=600)
    if check:
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def summary(root: Path, assignment: str = A1) -> pd.DataFrame:
    return pd.read_csv(root / "exports" / assignment / "summary.csv", dtype=str, keep_default_na=False) \
        .set_index("student")


def exported(root: Path, name: str, assignment: str = A1) -> pd.DataFrame:
    return pd.read_csv(root / "exports" / assignment / name, dtype=str, keep_default_na=False)


def feedback_text(root: Path, student: str) -> str:
    return (root / "feedback" / student / A1 / "roles.html").read_text(encoding="utf-8")


def feedback_score(root: Path, student: str) -> float:
    return float(re.search(r"roles \(Score: ([\d.]+) / 13\.0\)", feedback_text(root, student)).group(1))


def sorted_wrongly(notebook: nbformat.NotebookNode) -> str:
    """Every statement given a wrong role in the optional answer function (the widget answered in code)."""
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "role_sorter_answers":
            cell.source = re.sub("|".join(WRONG_ROLE), lambda match: WRONG_ROLE[match.group(0)], cell.source)
    return nbformat.writes(notebook)


def moodle_download(root: Path) -> bytes:
    released = root / "exercises" / A1 / "roles.ipynb"
    solution = root / "solutions" / A1 / "roles.ipynb"
    perfect = nbformat.writes(fill_solutions(released, solution))
    answers = json.dumps({"format": 1, "answers": {}})
    uploads = {
        101: {"roles.ipynb": perfect, "pm-course-answers.json": answers},
        102: {"roles.ipynb": sorted_wrongly(fill_solutions(released, solution))},
        103: {"roles.ipynb": nbformat.writes(fill_solutions(released, solution, only={"responsible_role"}))},
        104: {"roles.ipynb": sorted_wrongly(fill_solutions(released, solution)), "pm-course-answers.json": answers},
        105: {"roles.docx": b"PK\3\4 an essay in a word processor"},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for participant, files in uploads.items():
            for name, data in files.items():
                archive.writestr(f"{STUDENTS[participant]}_{participant}_assignsubmission_file_/{name}", data)
        link = zipfile.ZipInfo(f"{STUDENTS[104]}_104_assignsubmission_file_/solution.ipynb")
        link.external_attr = 0o120777 << 16
        archive.writestr(link, str(root / "solutions" / A1 / "roles.ipynb"))
    return buffer.getvalue()


def copy_stage(previous: Path, tmp_path_factory, name: str) -> Path:
    root = tmp_path_factory.mktemp(name) / "pm-course"
    shutil.copytree(previous, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> tuple[Path, str]:
    """Morning: a fresh clone; the assignments generated; the Moodle download imported and graded; a report and
    nbgrader's own export made."""
    root = tmp_path_factory.mktemp("day") / "pm-course"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{REPO}", str(root)], check=True)
    for assignment in (A1, A3):
        run_nbgrader(root, "generate_assignment", assignment, "--force")
    download = tmp_path_factory.mktemp("downloads") / "PM101-a1-roles-4567.zip"
    download.write_bytes(moodle_download(root))
    result = pm_course("grade", A1, "--submissions", str(download), "--workers", "2", "--quiet", course=root)
    pm_course("report", A1, course=root)
    run_nbgrader(root, "export")
    return root, result.stdout


def test_the_download_is_imported_and_every_student_has_a_row(graded):
    root, out = graded
    table = summary(root)
    assert sorted(table.index) == sorted([ADA, GRACE, ALAN, EDSGER, BARBARA])
    assert "Imported submissions of 5 student(s)" in out and "(Moodle, in folders)" in out
    assert "solution.ipynb is a symbolic link in the zip" in out, "the link in the zip is named, not followed"
    assert table.at[BARBARA, "status"] == "could not be graded" and "found: roles.docx" in table.at[BARBARA, "notes"]
    for student in (ADA, GRACE, EDSGER):
        assert table.at[student, "grade"] == "provisional"
        assert table.at[student, "pending"] == "subset_debate_answer (3 points)"
    assert table.at[ALAN, "grade"] == "final" and table.at[ALAN, "pending"] == ""
    assert "no pm-course-answers.json handed in" in table.at[GRACE, "notes"]
    assert "no pm-course-answers.json" not in table.at[ADA, "notes"]


def test_nothing_goes_out_before_it_is_final(graded):
    """Provisional grades: no row in the LMS files (a blank would clear the LMS's grade), no feedback."""
    root, out = graded
    assert exported(root, "canvas.csv")["Student"].str.strip().tolist() == ["Points Possible", "Alan Turing"]
    moodle = exported(root, "moodle-worksheet.csv")
    assert moodle["Identifier"].tolist() == ["Participant 103"], "Moodle's worksheet matches on its participant id"
    assert sorted(path.parts[-3] for path in (root / "feedback").glob(f"*/{A1}/roles.html")) == [ALAN]
    assert "Grades: 1 final, 3 provisional" in out and "withheld for 3 with a provisional grade" in out


def test_failing_tests_are_labelled_visible_or_hidden(graded):
    """Alan's classify is missing: its visible test shows the failing line; the hidden one the concept to review."""
    root, _ = graded
    text = re.sub(r"<[^>]+>", " ", feedback_text(root, ALAN))
    assert "A visible test failed at line 4 of this cell: roles = classify(activities)" in text
    assert "A hidden test failed; its code is not shown" in text
    assert "It checks applying the same role rule to every activity in a table" in text
    assert "Review lesson 01-two-pms, section “Practise: sort the work”" in text
    assert "BEGIN HIDDEN TESTS" not in text and "expected = {row.activity_id" not in text


def test_no_student_data_shows_in_git_status(graded):
    """After grading, a report and nbgrader's export in a clone, git sees nothing new: committing a regenerated
    assignment cannot commit grades or names."""
    root, _ = graded
    for made in ("submitted", "autograded", "feedback", "exports", "reports", ".pm-course", "downloaded",
                 "gradebook.db", "grades.csv"):
        assert (root / made).exists(), f"the day made no {made}: the check below would prove nothing"
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--ignored=no"], cwd=root,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    leaked = [line for line in status if any(part in line for part in STUDENT_DATA)]
    assert leaked == [], leaked
    assert status == [], f"the grading day changed tracked files: {status}"


def test_the_report_reads_in_two_minutes(graded):
    """At a glance: what most of the class missed with the section to revisit; totals of the points graded for
    everyone; wrong answers counted for students who answered a widget in code; a table per student."""
    root, _ = graded
    out = root / "reports" / A1
    page = (out / "index.html").read_text(encoding="utf-8")
    glance = page.split("<h2>At a glance</h2>", 1)[1].split("<h2>", 1)[0]
    assert "4 students graded</b>: mean" in glance and "of the 10 points graded for everyone" in glance
    assert "Written answers worth 3 points are still to be graded for 3 student(s)" in glance
    assert "role_sorter_roles" in glance and "which role is accountable for a statement of work" in glance
    assert "lesson 01-two-pms, section “Practise: sort the work”" in glance
    assert "The commonest misconceptions" in glance
    options = pd.read_csv(out / "options.csv")
    sorter = options[options["widget"] == "a1-role-sorter"]
    assert sorter["chosen_by"].sum() == 8, "Grace's and Edsger's four drawn statements, answered in code"
    assert options["chosen_by"].tolist() == sorted(options["chosen_by"], reverse=True), "sorted by count"
    students = pd.read_csv(out / "students.csv").set_index("student")
    assert sorted(students.index) == sorted([ADA, GRACE, ALAN, EDSGER])
    assert students.at[ADA, "still_to_grade"] == 3 and students.at[ALAN, "still_to_grade"] == 0
    assert "role_sorter_roles" in students.at[GRACE, "lost_points_in"]


def test_status_shows_each_student(graded):
    root, _ = graded
    out = pm_course("status", A1, course=root).stdout
    rows = {line.split()[0]: line for line in out.splitlines()[1:] if line.strip() and not line.startswith("5 ")}
    assert "subset_debate_answer (3 points)" in rows[ADA] and " no " in rows[ADA] and "none" in rows[ADA]
    assert "could not be graded" in rows[BARBARA]
    assert "current" in rows[ALAN]
    assert "5 students: 5 submitted, 4 autograded, 3 with parts to hand-grade, 1 final, 1 with current feedback" in out


def formgrader_api(root: Path, tmp_path: Path):
    """A real Jupyter server with nbgrader's formgrader, as JupyterLab's Nbgrader menu opens it; a small client."""
    token, port = "day-token", free_port()
    env = jupyter_environment(tmp_path, token)
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root", f"--port={port}",
         "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.root_dir={root}",
         '--ServerApp.jpserver_extensions={"nbgrader.server_extensions.formgrader": True}'],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def call(method: str, path: str, body: dict | None = None):
        request = urllib.request.Request(base + path, method=method,
                                         data=json.dumps(body).encode() if body is not None else None,
                                         headers={"Authorization": f"token {token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            text = response.read().decode()
            return response.status, (json.loads(text) if text.startswith(("[", "{")) else text)

    deadline = time.monotonic() + 60
    while True:
        try:
            call("GET", "/api/status")
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError((tmp_path / "server.log").read_text()[-3000:]) from None
            time.sleep(0.3)
    return process, call


@pytest.fixture(scope="module")
def hand_graded(graded, tmp_path_factory) -> tuple[Path, str, int]:
    """Afternoon: Ada's and Grace's written answers graded in formgrader (its own grade and comment API), then
    pm-course feedback."""
    root = copy_stage(graded[0], tmp_path_factory, "hand-graded")
    process, call = formgrader_api(root, tmp_path_factory.mktemp("formgrader"))
    try:
        page_status, _ = call("GET", "/formgrader")
        notebooks = {item["student"]: item["id"] for item in call("GET", f"/formgrader/api/submitted_notebooks/"
                                                                 f"{A1}/roles")[1]}
        for student, score, remark in [(ADA, 3, "A clear case and both reasons."), (GRACE, 2, "One reason only.")]:
            grades = {grade["name"]: grade for grade in
                      call("GET", f"/formgrader/api/grades?submission_id={notebooks[student]}")[1]}
            call("PUT", f"/formgrader/api/grade/{grades['subset_debate_answer']['id']}", {"manual_score": score})
            comments = {comment["name"]: comment for comment in
                        call("GET", f"/formgrader/api/comments?submission_id={notebooks[student]}")[1]}
            call("PUT", f"/formgrader/api/comment/{comments['subset_debate_answer']['id']}",
                 {"manual_comment": remark})
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    roster = root.parent / "worksheet.csv"  # Moodle's "Download grading worksheet" for the assignment
    roster.write_text("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
                      "Last modified (submission),Last modified (grade),Feedback comments\n"
                      + "".join(f"Participant {number},{name},{name.split()[0].lower()}@example.edu,Submitted,,13.00,"
                                "Yes,,,\n" for number, name in STUDENTS.items()), encoding="utf-8")
    result = pm_course("feedback", A1, "--roster", str(roster), course=root)
    return root, result.stdout, page_status


def test_formgrader_is_where_the_readme_says(hand_graded):
    assert hand_graded[2] == 200, "JupyterLab's Nbgrader menu opens /formgrader on the Jupyter server"


def test_hand_grading_then_feedback_makes_exports_and_feedback_final_and_agreeing(graded, hand_graded):
    morning, (root, out, _) = summary(graded[0]), hand_graded
    table = summary(root)
    assert "written for 2 student(s) whose final grade changed" in out and "withheld for 1" in out
    assert table.loc[[ADA, GRACE, ALAN], "grade"].tolist() == ["final"] * 3
    assert table.at[EDSGER, "grade"] == "provisional", "nobody graded Edsger's answer yet"
    for student, manual in [(ADA, 3), (GRACE, 2)]:
        assert float(table.at[student, "score"]) == float(morning.at[student, "score"]) + manual
    canvas = exported(root, "canvas.csv").iloc[1:].set_index("Student")
    assert sorted(canvas.index) == ["Ada Lovelace", "Alan Turing", "Grace Hopper"]
    worksheet = exported(root, "moodle-worksheet.csv").set_index("Identifier")
    assert sorted(worksheet.index) == ["Participant 101", "Participant 102", "Participant 103"]
    for student, participant in [(ADA, 101), (GRACE, 102), (ALAN, 103)]:
        score = float(table.at[student, "score"])
        assert float(canvas.at[STUDENTS[participant], A1]) == score \
            == float(worksheet.at[f"Participant {participant}", "Grade"])
        assert feedback_score(root, student) == score, "the feedback shows the grade the LMS gets"
    assert not (root / "feedback" / EDSGER).exists() and not (root / "feedback" / BARBARA).exists()
    assert "A clear case and both reasons." in feedback_text(root, ADA)
    assert "handed in without pm-course-answers.json" in feedback_text(root, GRACE)
    assert "Your grade is not final yet" not in feedback_text(root, ADA)


def test_the_students_see_no_grading_diagnostics(hand_graded):
    """moodle.csv's Feedback column reaches students: only notes written for them."""
    root, _, _ = hand_graded
    moodle = exported(root, "moodle.csv").set_index("Email address")
    assert sorted(moodle.index) == ["ada@example.edu", "alan@example.edu", "grace@example.edu"], \
        "with the Moodle worksheet as --roster, each row carries the e-mail address Moodle's import can match on"
    feedback = moodle["Feedback"].rename(index={"ada@example.edu": ADA, "grace@example.edu": GRACE})
    assert "handed in without pm-course-answers.json" in feedback[GRACE] and feedback[ADA] == ""
    for text in feedback:
        for internal in ("extra files", "handed in under another", "could not be graded", "symbolic link",
                         "journal", "gradebook", "Traceback"):
            assert internal not in text, text


def test_no_feedback_file_shows_a_hidden_test(hand_graded):
    """Every feedback file written, not only one student's: is every line of the assignment's hidden tests absent
    from what the student reads (tags stripped: the code is highlighted token by token)?"""
    from .test_no_leaks import HIDDEN

    root, _, _ = hand_graded
    cells = nbformat.read(str(REPO / "solutions" / A1 / "roles.ipynb"), as_version=4).cells
    visible = {line.strip() for cell in cells for line in HIDDEN.sub("", cell.source).splitlines()}
    hidden = {line.strip() for cell in cells for region in HIDDEN.findall(cell.source) for line in region.splitlines()
              if len(line.strip()) >= 24} - visible
    files = sorted((root / "feedback").rglob("*.html"))
    assert hidden and [path.parts[-3] for path in files] == sorted([ADA, ALAN, GRACE])
    for path in files:
        shown = html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))
        assert "BEGIN HIDDEN TESTS" not in shown and not [line for line in hidden if line in shown], path


def test_feedback_again_changes_nothing(hand_graded, tmp_path_factory):
    root = copy_stage(hand_graded[0], tmp_path_factory, "again")
    before = {path: path.read_bytes() for path in (root / "feedback").rglob("*.html")}
    out = pm_course("feedback", A1, course=root).stdout
    assert "3 already up to date" in out and "written for" not in out
    assert {path: path.read_bytes() for path in (root / "feedback").rglob("*.html")} == before
    status = pm_course("status", A1, course=root).stdout
    assert "3 final, 3 with current feedback" in status


def test_non_submitters_of_another_assignment_are_no_submission_and_nothing_more(hand_graded, tmp_path_factory):
    """a3: only Ada hands it in. The others handed in a1 only: 'no submission', no note about a1, no row."""
    root = copy_stage(hand_graded[0], tmp_path_factory, "a3")
    released = root / "exercises" / A3 / "tradeoffs.ipynb"
    folder = root / "submitted" / ADA / A3
    folder.mkdir(parents=True)
    nbformat.write(fill_solutions(released, root / "solutions" / A3 / "tradeoffs.ipynb"), str(folder / released.name))
    pm_course("grade", A3, "--workers", "1", "--quiet", course=root)
    table = summary(root, A3)
    assert table.at[ADA, "status"] == "graded"
    for student in (GRACE, ALAN, EDSGER, BARBARA):
        assert table.at[student, "status"] == "no submission" and table.at[student, "notes"] == "", student
    moodle = exported(root, "moodle.csv", A3)
    assert "a1-roles" not in " ".join(moodle["Feedback"]) and set(moodle["Username"]) <= {ADA}


def test_a_lost_gradebook_never_blanks_the_exports(hand_graded, tmp_path_factory):
    """rm gradebook.db: everyone is graded again (not 'already graded'); the hand grades are gone, so the grades
    that depended on them go back to provisional; the export that would lose them warns and keeps the previous files,
    and the feedback that no longer matches is withdrawn."""
    root = copy_stage(hand_graded[0], tmp_path_factory, "lost")
    before = exported(root, "canvas.csv")
    (root / "gradebook.db").unlink()
    out = pm_course("grade", A1, "--workers", "2", "--quiet", course=root).stdout
    assert "graded again because the gradebook had lost their grades" in out
    assert "Graded now: 4; already graded and unchanged: 1" in out, "Barbara's .docx is unchanged"
    warning = next(line for line in out.splitlines() if line.startswith("Warning: this export has"))
    assert "1 grade(s) where the previous one had 3" in warning and ADA in warning and GRACE in warning
    kept = sorted((root / "exports" / A1 / "previous").iterdir())
    assert len(kept) == 1 and pd.read_csv(kept[0] / "canvas.csv", dtype=str, keep_default_na=False).equals(before)
    assert exported(root, "canvas.csv")["Student"].str.strip().tolist() == ["Points Possible", "Alan Turing"]
    assert "withdrawn for 2" in out and not (root / "feedback" / ADA / A1).exists()
    assert sorted(path.name for path in (root / ".pm-course" / "grading" / A1 / "withdrawn-feedback").glob("*/*")) \
        == [ADA, GRACE], "kept aside, not deleted"
