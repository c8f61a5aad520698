"""Bring handed-in work into nbgrader's layout, ``submitted/<student>/<assignment>/``, checking every file first.

Sources, as the systems really produce them (a folder, or the zip they download as):

* **Canvas** "Download Submissions": one flat zip of files named ``<name>_<user id>_<file id>_<file name>``
  (``smithjane_4321_987654_roles.ipynb``), ``<name>_LATE_<user id>_...`` for late work, ``anon_<id>_...`` under
  anonymous grading; a file uploaded again under the same name is renamed by Canvas (``roles-1.ipynb``), and a
  student's own zip is one file among the others.
* **Moodle** "Download all submissions": a zip with a folder per student, ``<Full Name>_<participant>_
  assignsubmission_file_/`` holding the files as uploaded, or, without "Download submissions in folders", files
  named ``<Full Name>_<participant>_assignsubmission_file_<file name>``; the file picker renames a second upload
  of the same name ``roles (1).ipynb``.
* **Per-student zips or files** of other systems: ``<student>.zip``, ``<student>_<anything>.zip``,
  ``<student>_<file>`` (the id up to the first underscore, the file after the last).
* **nbgrader's own layout**, ``<student>/<assignment>/``, and nbgrader's exchange (``pm-course collect``).

Every entry is looked at with ``lstat`` and only regular files are read or copied (:mod:`.submission_files`): a
link, a pipe or a device in a download or an exchange submission is reported and left out, zips are unpacked
within limits (a zip bomb is refused), paths inside a zip never leave its folder.

The student id comes only from the name of the archive, folder or file as the download names it (never from
paths inside a zip) and must be a valid id: the Canvas name (``smithjane``), the Moodle full name as a slug
(``jane-smith``), the id before the first underscore otherwise; names that two students share get the LMS's number
(``jane-smith-4321``). Whatever belongs to nobody is reported and skipped; each student's duplicates and
resubmissions are reported for that student (the latest upload counts: the highest Canvas file id, the highest
rename number, else the newest file), and nothing stops the import of the others. What the LMS calls each student
is kept for the exports (:mod:`.lms`).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from course.content.json_data import read_record
from course.errors import CourseError
from course.grading.pipeline.course_folder import CourseFolder
from course.grading.pipeline.lms import Identities, Identity, canvas_slug, name_slug
from course.grading.pipeline.submission_files import (
    MAX_FILE_BYTES,
    UnsafeArchive,
    copy_regular_file,
    kind_of,
    printable,
    scan_folder,
    unpack_zip,
    valid_student_id,
)
from course.learner.answers import ANSWER_FILE_NAME

IMPORT_NOTES = "import.json"
MOODLE_FOLDER = re.compile(r"^(?P<name>.+)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_$")
MOODLE_FILE = re.compile(r"^(?P<name>.+?)_(?P<participant>\d+)_assignsubmission_(?P<plugin>[a-z]+)_(?P<file>.+)$")
CANVAS_FILE = re.compile(r"^(?P<name>.*?)_(?:LATE_)?(?P<user>\d+)_(?P<attachment>\d+)_(?P<file>.+)$")
CANVAS_ANONYMOUS = re.compile(r"^(?:LATE_)?anon_(?P<anonymous>[A-Za-z0-9]+)_(?P<attachment>\d+)_(?P<file>.+)$")
RENAMED_AGAIN = re.compile(r"^(?P<stem>.+?)(?:-(?P<dash>\d+)| \((?P<paren>\d+)\))(?P<ext>\.[^.]+)$")
IGNORED_NAMES = re.compile(r"^(__MACOSX|\..*|Thumbs\.db|desktop\.ini)$")


@dataclass
class Candidate:
    """One file handed in, before the latest of each name is chosen."""

    owner: str  # the key of the submitter before ids are final: "canvas:<user id>", "moodle:<n>", "id:<student>"
    name: str  # the file name it is submitted as (a resubmission's rename undone)
    path: Path
    original: str  # the name as it was in the download
    order: tuple  # larger is later


@dataclass
class Submitter:
    identity: Identity | None
    wanted_id: str  # the id its own name gives (before telling apart two students of the same name)
    number: str = ""  # the LMS's number for it, used to tell apart two students of the same name


@dataclass
class ImportReport:
    source: Path
    layouts: set[str] = field(default_factory=set)
    students: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    strays: list[str] = field(default_factory=list)

    def note(self, student: str, text: str) -> None:
        self.notes.setdefault(student, []).append(text)

    def report_lines(self) -> list[str]:
        layouts = ", ".join(sorted(self.layouts)) or "nothing recognisable"
        lines = [f"Imported submissions of {len(self.students)} student(s) from {printable(str(self.source), 200)} "
                 f"({layouts})"]
        for student in sorted(self.notes):
            lines.extend(f"  {student}: {note}" for note in self.notes[student])
        lines.extend(f"  not imported: {stray}" for stray in self.strays)
        return lines


def import_submissions(course: CourseFolder, assignment: str, source: Path) -> ImportReport:
    """Import an LMS download (a folder, or the zip it came as) into ``submitted/``."""
    course.require_assignment(assignment)
    source = Path(source).expanduser().absolute()
    try:
        mode = os.lstat(source).st_mode
    except OSError:
        raise CourseError(f"--submissions {printable(str(source))} does not exist") from None
    report = ImportReport(source)
    staging = course.root / "downloaded" / assignment / "unpacked"
    _remove_tree(staging)
    staging.mkdir(parents=True)
    if stat.S_ISREG(mode) and source.suffix.lower() == ".zip":
        try:
            unpacked = unpack_zip(source, staging / "download")
        except UnsafeArchive as error:
            raise CourseError(f"--submissions {printable(source.name)} {error}") from None
        report.strays.extend(unpacked.skipped)
        folder = staging / "download"
        folder.mkdir(exist_ok=True)
        entries = _single_folder(folder)
    elif stat.S_ISDIR(mode):
        entries = source
    else:
        raise CourseError(f"--submissions {printable(str(source))} is {kind_of(mode)}; give the folder or the zip "
                          "the LMS downloaded")
    if _is_nbgrader_layout(entries, assignment):
        report.layouts.add("nbgrader folders")
        _import_nbgrader_layout(course, assignment, entries, report)
        return report
    candidates: list[Candidate] = []
    submitters: dict[str, Submitter] = {}
    _collect_entries(entries, staging, assignment, candidates, submitters, report)
    _place(course, assignment, candidates, submitters, report)
    return report


def _single_folder(folder: Path) -> Path:
    """A download zipped with one folder around everything: that folder."""
    entries = [entry for entry in folder.iterdir() if not IGNORED_NAMES.match(entry.name)]
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink() \
            and not MOODLE_FOLDER.match(entries[0].name):
        return entries[0]
    return folder


def _is_nbgrader_layout(folder: Path, assignment: str) -> bool:
    for entry in _entries(folder):
        if entry.is_dir(follow_symlinks=False):
            inner = Path(entry.path) / assignment
            if inner.is_dir() and not inner.is_symlink():
                return True
    return False


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        return sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as error:
        raise CourseError(f"{printable(str(folder))} cannot be read: {error.strerror}") from None


def _collect_entries(folder: Path, staging: Path, assignment: str, candidates: list[Candidate],
                     submitters: dict[str, Submitter], report: ImportReport, depth: int = 0) -> None:
    entries = [entry for entry in _entries(folder) if not IGNORED_NAMES.match(entry.name)]
    whole_download = _may_hold_a_download(entries, depth)
    for entry in entries:
        name = entry.name
        mode = entry.stat(follow_symlinks=False).st_mode
        path = Path(entry.path)
        if stat.S_ISDIR(mode):
            match = MOODLE_FOLDER.match(name)
            if not match:
                report.strays.append(f"{printable(name)}/: a folder that is not a Moodle submission folder "
                                     "(<Full Name>_<number>_assignsubmission_file_)")
                continue
            report.layouts.add("Moodle, in folders")
            owner = _moodle_owner(match, submitters)
            scan = scan_folder(path, max_files=500)
            for problem in scan.problems:
                report.note(owner, f"left out: {problem}")
            for relative in scan.files:
                _add_file(owner, path / relative, Path(relative).name, (0,), staging, candidates, report)
            continue
        if not stat.S_ISREG(mode):
            report.strays.append(f"{printable(name)} is {kind_of(mode)}, not a file: ignored")
            continue
        moodle, canvas, anonymous = MOODLE_FILE.match(name), CANVAS_FILE.match(name), CANVAS_ANONYMOUS.match(name)
        if moodle:
            report.layouts.add("Moodle, files")
            owner = _moodle_owner(moodle, submitters)
            _add_file(owner, path, moodle.group("file"), (0,), staging, candidates, report)
        elif anonymous:
            report.layouts.add("Canvas, anonymous")
            owner = f"canvas-anonymous:{anonymous.group('anonymous')}"
            submitters.setdefault(owner, Submitter(Identity("canvas"), f"anon-{anonymous.group('anonymous')}"))
            _add_file(owner, path, anonymous.group("file"), (int(anonymous.group("attachment")),), staging,
                      candidates, report)
        elif canvas:
            report.layouts.add("Canvas")
            user = canvas.group("user")
            owner = f"canvas:{user}"
            slug = canvas_slug(canvas.group("name")) or f"canvas-{user}"
            submitters.setdefault(owner, Submitter(Identity("canvas", canvas.group("name"), canvas_user_id=user),
                                                   slug, user))
            _add_file(owner, path, canvas.group("file"), (int(canvas.group("attachment")),), staging, candidates,
                      report)
        elif name.lower().endswith(".zip") and whole_download and _is_lms_download(path):
            target = staging / f"download-{len(report.layouts)}-{len(candidates)}"
            try:
                unpacked = unpack_zip(path, target)
            except UnsafeArchive as error:
                report.strays.append(f"{printable(name)} was refused: {error}")
                continue
            report.strays.extend(unpacked.skipped)
            _collect_entries(_single_folder(target), staging, assignment, candidates, submitters, report, depth + 1)
        else:
            student, _, rest = name.partition("_")
            if name.lower().endswith(".zip") and not rest:
                student = name[:-4]
            if not rest and not name.lower().endswith(".zip"):
                report.strays.append(f"{printable(name)}: not named <student>_<file>, <student>.zip or as Canvas "
                                     "or Moodle name their downloads")
                continue
            if not valid_student_id(student):
                report.strays.append(f"{printable(name)}: {printable(student)!r} is not a valid student id "
                                     "(letters, digits, '.', '_' and '-')")
                continue
            report.layouts.add("per-student files")
            owner = f"id:{student}"
            submitters.setdefault(owner, Submitter(None, student))
            file_name = name.rsplit("_", 1)[1] if rest else name
            _add_file(owner, path, file_name, (0,), staging, candidates, report)


def _may_hold_a_download(entries: list[os.DirEntry], depth: int) -> bool:
    """Whether a zip among ``entries`` may be a whole LMS download (its members named for many students): only when
    it is all the folder holds, the download put in a folder of its own or zipped again. Beside other files a zip is
    one student's own, whose member names are the student's to choose: taken for a download, a member named
    ``bob_1_2_roles.ipynb`` was handed in for bob (and gave Canvas user 1 a row in the exports)."""
    return depth == 0 and len(entries) == 1


def _moodle_owner(match: re.Match, submitters: dict[str, Submitter]) -> str:
    participant, full_name = match.group("participant"), match.group("name")
    owner = f"moodle:{participant}"
    if owner not in submitters:
        blind = full_name.strip().lower() == "participant"
        slug = f"participant-{participant}" if blind or not name_slug(full_name) else name_slug(full_name)
        submitters[owner] = Submitter(Identity("moodle", "" if blind else full_name,
                                               moodle_participant=participant), slug, participant)
    return owner


def _add_file(owner: str, path: Path, name: str, order: tuple, staging: Path, candidates: list[Candidate],
              report: ImportReport) -> None:
    """One handed-in file; a student's own zip is unpacked (its files count as handed in, with its order)."""
    mtime = os.lstat(path).st_mtime
    if name.lower().endswith(".zip"):
        target = staging / "students" / f"{len(candidates)}-{re.sub(r'[^A-Za-z0-9._-]', '_', name)[:60]}"
        try:
            unpacked = unpack_zip(path, target)
        except UnsafeArchive as error:
            report.note(owner, f"{printable(name)} was refused: {error}")
            return
        for skipped in unpacked.skipped:
            report.note(owner, f"left out of {printable(name)}: {skipped}")
        for file in unpacked.files:
            if any(IGNORED_NAMES.match(part) for part in file.relative_to(target).parts):
                continue
            candidates.append(Candidate(owner, file.name, file, f"{name}:{file.relative_to(target).as_posix()}",
                                        order + (mtime,)))
        return
    candidates.append(Candidate(owner, name, path, name, order + (mtime,)))


def _place(course: CourseFolder, assignment: str, candidates: list[Candidate], submitters: dict[str, Submitter],
           report: ImportReport) -> None:
    """Give every submitter its student id, choose the latest of each file, and write the submission folders."""
    ids = _student_ids(submitters, report)
    expected = set(course.released_notebooks(assignment)) | {ANSWER_FILE_NAME}
    by_student: dict[str, dict[str, list[Candidate]]] = {}
    for candidate in candidates:
        student = ids.get(candidate.owner)
        if student is None:
            continue
        name, attempt = _undo_rename(printable(Path(candidate.name).name, 120), expected)
        candidate.order = (attempt, *candidate.order)
        by_student.setdefault(student, {}).setdefault(name, []).append(candidate)
    for owner, student in ids.items():
        by_student.setdefault(student, {})
        if owner in report.notes:
            report.notes.setdefault(student, []).extend(report.notes.pop(owner))
    identities = Identities.load(course, assignment)
    import_notes: dict[str, list[str]] = {}
    for student, files in sorted(by_student.items()):
        target = course.submitted(student, assignment)
        _remove_tree(target)
        target.mkdir(parents=True)
        for name, versions in sorted(files.items()):
            versions.sort(key=lambda candidate: candidate.order)
            latest = versions[-1]
            if len(versions) > 1:
                report.note(student, f"{name} was handed in {len(versions)} times: the latest "
                                     f"({printable(latest.original)}) counts")
            try:
                copy_regular_file(latest.path, target / name, MAX_FILE_BYTES)
            except OSError as error:
                report.note(student, f"{printable(latest.original)} could not be copied: {printable(error, 100)}")
        owner = next(owner for owner, given in ids.items() if given == student)
        if submitters[owner].identity is not None:
            identities.students[student] = submitters[owner].identity
        import_notes[student] = report.notes.get(student, [])
        report.students.append(student)
    identities.save(course, assignment)
    record = course.pipeline_dir(assignment) / IMPORT_NOTES
    previous = _load_import_notes(record)
    previous.update(import_notes)
    record.write_text(json.dumps(previous, indent=1, sort_keys=True), encoding="utf-8")


def _student_ids(submitters: dict[str, Submitter], report: ImportReport) -> dict[str, str]:
    """Each submitter's student id: its own name's id, or that id with the LMS's number where two share it."""
    wanted: dict[str, list[str]] = {}
    for owner, submitter in submitters.items():
        wanted.setdefault(submitter.wanted_id, []).append(owner)
    ids: dict[str, str] = {}
    for student, owners in wanted.items():
        if len(owners) == 1:
            ids[owners[0]] = student
            continue
        for owner in owners:
            ids[owner] = f"{student}-{submitters[owner].number}" if submitters[owner].number else student
            report.note(ids[owner], f"another student's download name is also {student!r}: imported as "
                                    f"{ids[owner]}")
    for owner, student in list(ids.items()):
        if not valid_student_id(student):
            report.strays.append(f"{printable(student)!r} (from {printable(owner)}) is not a valid student id")
            del ids[owner]
    return ids


def _undo_rename(name: str, expected: set[str]) -> tuple[str, int]:
    """``roles-1.ipynb`` or ``roles (2).ipynb`` -> (``roles.ipynb``, 1 or 2) when ``roles.ipynb`` is expected."""
    if name in expected:
        return name, 0
    match = RENAMED_AGAIN.match(name)
    if match and f"{match.group('stem')}{match.group('ext')}" in expected:
        return f"{match.group('stem')}{match.group('ext')}", int(match.group("dash") or match.group("paren"))
    return name, 0


def _import_nbgrader_layout(course: CourseFolder, assignment: str, source: Path, report: ImportReport) -> None:
    """``source`` already looks like ``submitted/``: <student>/<assignment>/ folders, copied file by file."""
    for entry in _entries(source):
        if IGNORED_NAMES.match(entry.name):
            continue
        if not entry.is_dir(follow_symlinks=False):
            report.strays.append(f"{printable(entry.name)} is {kind_of(entry.stat(follow_symlinks=False).st_mode)}, "
                                 "not a student's folder")
            continue
        if not valid_student_id(entry.name):
            report.strays.append(f"{printable(entry.name)}/: not a valid student id")
            continue
        folder = Path(entry.path) / assignment
        target = course.submitted(entry.name, assignment)
        if not os.path.lexists(folder):
            continue
        if target.resolve() == folder.resolve():
            report.students.append(entry.name)
            continue
        _copy_checked_folder(folder, target, entry.name, report)
        report.students.append(entry.name)


def _copy_checked_folder(folder: Path, target: Path, student: str, report: ImportReport) -> None:
    scan = scan_folder(folder)
    for problem in scan.problems:
        report.note(student, f"left out: {problem}")
    _remove_tree(target)
    target.mkdir(parents=True)
    for relative in scan.files:
        try:
            copy_regular_file(folder / relative, target / relative)
        except OSError as error:
            report.note(student, f"{printable(relative)} could not be copied: {printable(error, 100)}")


def collect_from_exchange(course: CourseFolder, assignment: str) -> ImportReport:
    """What ``nbgrader collect`` does, with every file checked: the latest submission of each student in the
    exchange's inbound folder, copied into ``submitted/`` (links, pipes and oversized files left out)."""
    from nbgrader.exchange.default.exchange import Exchange
    from nbgrader.utils import parse_utc

    course.require_assignment(assignment)
    config = course.config()
    course_id = config.CourseDirectory.get("course_id") or ""
    inbound = Path(Exchange(config=config).root) / str(course_id) / "inbound"
    if not course_id or not inbound.is_dir():
        raise CourseError(f"no exchange inbound folder at {inbound}: set c.Exchange.root (PM_COURSE_EXCHANGE) and "
                          "c.CourseDirectory.course_id as the students' servers have them")
    report = ImportReport(inbound, {"nbgrader exchange"})
    latest: dict[str, tuple] = {}
    entries = _entries(inbound)
    # with a spawner that runs each student as a user of their own name, a folder named for one student but owned by
    # another student's account is an impersonation (handing in for a classmate, or over a classmate's work), and is
    # not used; any other owner (one account for every server, an administrator) is only noted
    students = {entry.name.split("+", 1)[0] for entry in entries} | set(course.students_with_folders())
    for entry in entries:
        parts = entry.name.rsplit("+", 3)
        if len(parts) < 3 or parts[1] != assignment:
            continue
        student = parts[0]
        mode = entry.stat(follow_symlinks=False).st_mode
        if not stat.S_ISDIR(mode):
            report.strays.append(f"{printable(entry.name)} is {kind_of(mode)}, not a submission folder")
            continue
        if not valid_student_id(student):
            report.strays.append(f"{printable(entry.name)}: {printable(student)!r} is not a valid student id")
            continue
        try:
            when = parse_utc(parts[2])
        except Exception:  # nbgrader's own parser: any malformed time stamp
            report.strays.append(f"{printable(entry.name)}: not a time stamp nbgrader writes")
            continue
        owner = _owner_of(entry)
        if _impersonates(owner, student, students):
            report.strays.append(f"{printable(entry.name)} belongs to {printable(owner)}, another student: not "
                                 f"taken as {student}'s submission")
            continue
        if owner and owner != student:
            report.note(student, f"the exchange folder {printable(entry.name)} belongs to user {printable(owner)}, "
                                 "not to this student")
        if student not in latest or when > latest[student][0]:
            latest[student] = (when, Path(entry.path))
    for student, (_, folder) in sorted(latest.items()):
        target = course.submitted(student, assignment)
        stamp = folder / "timestamp.txt"
        if (target / "timestamp.txt").is_file() and stamp.is_file() and not stamp.is_symlink() \
                and (target / "timestamp.txt").read_bytes() == stamp.read_bytes()[:1000]:
            report.students.append(student)
            continue
        _copy_checked_folder(folder, target, student, report)
        report.students.append(student)
    record = course.pipeline_dir(assignment) / IMPORT_NOTES
    previous = _load_import_notes(record)
    previous.update({student: report.notes.get(student, []) for student in report.students})
    record.write_text(json.dumps(previous, indent=1, sort_keys=True), encoding="utf-8")
    return report


def _impersonates(owner: str, student: str, students: set[str]) -> bool:
    """Whether a folder named for ``student`` but owned by the account ``owner`` was handed in by another student."""
    return bool(owner) and owner != student and owner in students


def _owner_of(entry: os.DirEntry) -> str:
    """The user name of the account that owns an exchange folder ("" when unknown)."""
    return _owner_name(entry.stat(follow_symlinks=False).st_uid)


def _owner_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return ""


def import_notes(course: CourseFolder, assignment: str, student: str) -> list[str]:
    """What the last import said about this student (resubmissions, files left out), for the summary."""
    return _load_import_notes(course.pipeline_dir(assignment) / IMPORT_NOTES).get(student, [])


def _load_import_notes(path: Path) -> dict[str, list[str]]:
    return {student: [str(note) for note in entries] for student, entries in read_record(path).items()
            if isinstance(entries, list)}


def _remove_tree(path: Path) -> None:
    """Remove a folder the course wrote (never following a link out of it)."""
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return
    if stat.S_ISDIR(mode):
        shutil.rmtree(path)
    else:
        path.unlink()


def _is_lms_download(path: Path) -> bool:
    """Whether a zip is a whole Canvas or Moodle download (its members named as they name submissions) rather
    than one student's zip."""
    try:
        with zipfile.ZipFile(path) as zipped:
            names = [info.filename for info in zipped.infolist()[:200]]
    except (zipfile.BadZipFile, OSError):
        return False
    for name in names:
        top = name.split("/", 1)[0]
        if MOODLE_FOLDER.match(top) or MOODLE_FILE.match(top) or CANVAS_FILE.match(top) or CANVAS_ANONYMOUS.match(top):
            return True
    return False
