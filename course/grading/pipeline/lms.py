"""Who a student is in the LMS: the identifiers Canvas and Moodle match grade imports on.

nbgrader knows a student by a short id (a JupyterHub user name, or the id an LMS download was imported under,
:mod:`.collect`). The LMS matches imported grades on its own identifiers:

* Canvas's gradebook import matches a row on ``ID`` (the Canvas user id, also the number in every file name of
  Canvas's "Download Submissions" zip), then ``SIS User ID``, then ``SIS Login ID``, then the student's name; an
  assignment column on its header ``Title (assignment id)`` as Canvas exports it, else on the exact title, else it
  creates a new assignment.
* Moodle's assignment "Upload grading worksheet" matches ``Identifier`` (``Participant 123``, the number in every
  folder of Moodle's "Download all submissions"); Moodle's gradebook CSV import matches a column the instructor
  maps to the user's username, email address or ID number.

What an import learnt is kept per assignment in ``.pm-course/grading/<assignment>/lms.json``; a *roster*
(``--roster``: Canvas's gradebook export, or Moodle's grading worksheet or grade export) fills in the rest.
"""
from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from course.content.json_data import read_record
from course.errors import CourseError
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.submission_files import printable

IDENTITY_FILE = "lms.json"
MOODLE_PARTICIPANT = "Participant "  # Moodle's 'hiddenuser' string, before the participant number
CANVAS_TITLE_AND_ID = re.compile(r"^(?P<title>.*?)\s*\((?P<id>\d+)\)$")


def canvas_slug(name: str) -> str:
    """The name part of Canvas's download file names for a sortable name (``Smith, Jane`` -> ``smithjane``),
    in ASCII."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_name.lower())


def name_slug(name: str) -> str:
    """A full name as a student id (``José Núñez`` -> ``jose-nunez``)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")


@dataclass
class Identity:
    """One student as an LMS download named them."""

    lms: str  # "canvas" or "moodle"
    name: str = ""
    canvas_user_id: str = ""
    moodle_participant: str = ""


@dataclass
class Identities:
    students: dict[str, Identity] = field(default_factory=dict)
    roster: str = ""  # the last --roster given for this assignment

    @classmethod
    def load(cls, course: CourseFolder, assignment: str) -> "Identities":
        raw = read_record(course.pipeline_dir(assignment) / IDENTITY_FILE)
        students = {student: Identity(**{key: str(value) for key, value in entry.items()
                                         if key in Identity.__dataclass_fields__})
                    for student, entry in raw.get("students", {}).items() if isinstance(entry, dict)}
        return cls(students, str(raw.get("roster", "")))

    def save(self, course: CourseFolder, assignment: str) -> None:
        path = course.pipeline_dir(assignment) / IDENTITY_FILE
        path.write_text(json.dumps({"students": {student: vars(identity) for student, identity in
                                                 sorted(self.students.items())}, "roster": self.roster},
                                   indent=1), encoding="utf-8")


@dataclass
class RosterEntry:
    """One student's row in a roster, in the LMS's own words."""

    name: str = ""
    canvas_id: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    participant: str = ""  # Moodle: the number of "Participant 123"
    email: str = ""
    username: str = ""
    id_number: str = ""


@dataclass
class Roster:
    lms: str
    entries: list[RosterEntry]
    assignment_columns: list[str] = field(default_factory=list)  # Canvas: the gradebook's assignment headers
    path: str = ""

    def find(self, student: str, identity: Identity | None) -> RosterEntry | None:
        """The roster row of ``student``: by the LMS's own id from the download first, then by login, user name,
        e-mail or ID number equal to the student id, then by the name as the download wrote it."""
        identity = identity or Identity("")
        for entry in self.entries:
            if identity.canvas_user_id and entry.canvas_id == identity.canvas_user_id:
                return entry
            if identity.moodle_participant and entry.participant == identity.moodle_participant:
                return entry
        for entry in self.entries:
            if student in {entry.sis_login_id, entry.sis_user_id, entry.username, entry.email, entry.id_number} - {""}:
                return entry
            if entry.email and entry.email.split("@", 1)[0] == student:
                return entry
        matches = [entry for entry in self.entries
                   if entry.name and student in {canvas_slug(entry.name), name_slug(entry.name)}]
        return matches[0] if len(matches) == 1 else None

    def canvas_column(self, assignment: str, wanted: str | None) -> str | None:
        """The gradebook header of this assignment as Canvas exported it (``Title (id)``), if the roster has it."""
        for header in self.assignment_columns:
            match = CANVAS_TITLE_AND_ID.match(header)
            title = match.group("title") if match else header
            if header == wanted or title in {wanted, assignment}:
                return header
        return None


def read_roster(path: Path) -> Roster:
    """A Canvas gradebook export, or a Moodle grading worksheet or grade export (recognised by its columns)."""
    path = Path(path).expanduser()
    try:
        with open(path, newline="", encoding="utf-8-sig") as stream:
            rows = list(csv.reader(stream))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CourseError(f"--roster {printable(str(path))} could not be read: {printable(error, 160)}") from None
    if not rows:
        raise CourseError(f"--roster {printable(str(path))} is empty")
    header = [column.strip() for column in rows[0]]
    records = [dict(zip(header, [value.strip() for value in row], strict=False)) for row in rows[1:] if any(row)]
    if "Student" in header and "ID" in header:
        student_columns = {"Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID", "Root Account",
                           "Section"}
        columns = [column for column in header if column not in student_columns
                   and not re.search(r"Current|Final|Unposted|Override", column)]
        entries = [RosterEntry(name=row.get("Student", ""), canvas_id=row.get("ID", ""),
                               sis_user_id=row.get("SIS User ID", ""), sis_login_id=row.get("SIS Login ID", ""),
                               section=row.get("Section", ""))
                   for row in records if "Points Possible" not in row.get("Student", "") and row.get("ID")]
        return Roster("canvas", entries, columns, str(path.resolve()))
    if "Identifier" in header:
        entries = [RosterEntry(name=row.get("Full name", ""), email=row.get("Email address", ""),
                               participant=row.get("Identifier", "").removeprefix(MOODLE_PARTICIPANT).strip(),
                               id_number=row.get("ID number", ""), username=row.get("Username", ""))
                   for row in records]
        return Roster("moodle", entries, path=str(path.resolve()))
    if "Email address" in header and ("First name" in header or "Username" in header):
        entries = [RosterEntry(name=" ".join(filter(None, [row.get("First name", ""), row.get("Last name", "")])),
                               email=row.get("Email address", ""), username=row.get("Username", ""),
                               id_number=row.get("ID number", "")) for row in records]
        return Roster("moodle", entries, path=str(path.resolve()))
    raise CourseError(f"--roster {printable(str(path))} is neither a Canvas gradebook export (columns Student, ID, "
                      "SIS User ID, SIS Login ID, Section) nor a Moodle grading worksheet (Identifier, Full name, "
                      "Email address) or grade export (First name, Last name, Email address)")
