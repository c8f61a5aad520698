"""A class of hostile and broken a1-roles submissions, each with the score it earned and what its feedback must say.

Every submission starts from the student notebook, either answered as the instructor would (``perfect``) or
untouched (``unanswered``), and then does one thing a grader must survive. ``earned`` is the autograded score it
deserves (None: it cannot be graded at all); ``feedback`` is a phrase its feedback must contain; ``fools_nbgrader``
marks attacks that pass tests inside the student's kernel (their verdict file shows inside points > outside points).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat

# the role sorter's key over its whole pool (each student sees four statements drawn from it: course/variants.py)
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
fake = types.ModuleType("course.grading.widget_checks")
fake.points_for_matches = lambda answers, key, points: points
fake.answered_points = lambda answers, count, points: points
sys.modules["course.grading.widget_checks"] = fake
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
    import ast, json, os, pathlib, re
    # the course folder: above the notebook's own folder, or where the grader's environment says it is
    courses = [pathlib.Path.cwd().parents[2], pathlib.Path(os.environ.get("PM_COURSE_HIDDEN_ROOT", "/nowhere"))]
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
for course in (pathlib.Path.cwd().parents[2], pathlib.Path(os.environ.get("PM_COURSE_HIDDEN_ROOT", "/nowhere"))):
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
    "slow_notebook": Hostile("perfect", both(*[first("import time\ntime.sleep(4)")] * 6), 0,
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
    "tests_moved_first": Hostile("perfect", tests_first, 0, "NameError"),
    "inflated_points": Hostile("perfect", inflate_points, FULL),
    # broken files
    "bad_answer_file": Hostile("perfect", answer("role_sorter_answers", "def role_sorter_answers():\n    return {}"),
                               FULL - 4, answers_file='{"format": 1, "answers": {"a1-role-sorter": '
                                                      '{"c1": ["program_manager"], "c2": 5, "c3": null}}}'),
    "not_a_notebook": Hostile("perfect", lambda notebook: None, None),
}
