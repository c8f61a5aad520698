"""nbgrader preprocessors that make autograding hold against hostile notebooks.

Listed in ``Autograde.autograde_preprocessors`` by the course's ``nbgrader_config.py``, so
``nbgrader autograde``, formgrader and ``pm-course grade`` all grade the same way:

* :class:`AddProbeCell` appends the outside checks' probe cell (see :mod:`.outside_checks`);
* :class:`WithholdHiddenTests` keeps every hidden-tests region out of the student's kernel (IPython keeps the source
  of every cell it runs, where the student's code can read it): what a test expects is never where the student's
  code runs, and hidden points are decided by the outside checks alone; :class:`RestoreHiddenTests` puts the
  regions back once the notebook has run, so formgrader shows them (the rubrics) to the grader;
* :class:`RestoreDeletedCells` is nbgrader's ``OverwriteCells`` with its ``add_missing_cells`` fixed for
  notebooks where a read-only cell that is neither a test nor an answer (a widget) comes before a deleted test;
* :class:`ExecuteWithinDeadline` is nbgrader's ``Execute`` with a limit on the whole notebook
  as well as on each cell: a notebook of many slow cells cannot hold the grader for ever; and what a
  cell displays can only change while that cell runs (a display update sent later, say while the
  probe runs, would carry what the student's code saw then into an earlier cell's output, which the
  feedback shows), and no widget state is kept in the notebook; and the output the grader keeps is
  bounded (the grader holds it in memory, outside the sandbox's limits, and writes it into the
  autograded notebook and the feedback: a loop of displays once took a grading process to 6.9 GB and
  wrote a notebook of 1.4 GB), with what decides points always kept;
* :class:`JudgeOutsideKernel` removes the probe cell, judges its printed results in the
  grader's process, and lowers a test cell's score to what the outside check gives, with
  feedback saying why. Its verdicts are written beside the autograded notebook;
* :class:`HideHiddenTests` is the feedback's ``ClearHiddenTests``, for the instructor's test cells
  only: the marker text in a student's own cell changes and breaks nothing.

Each is one of nbgrader's preprocessors (``NbGraderPreprocessor`` or a subclass of nbgrader's own), so each runs
unless the config turns it off (``c.<Name>.enabled = False``), and reads which cell is a test or an answer with
nbgrader's own rules (:mod:`.cells`).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_code_cell, new_output
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, Execute, NbGraderPreprocessor, OverwriteCells
from nbgrader.utils import determine_grade, is_grade
from traitlets import Bool, Float, Integer

from course.grading.nbgrader_plugins.cells import grade_id_of, is_test_cell
from course.grading.nbgrader_plugins.outside_checks import PROBE_MARK, Checks, check_error_line, load_checks
from course.grading.nbgrader_plugins.tampering import find_tampering
from course.learner.answers import ANSWER_FILE_NAME

PROBE_METADATA = "pm_course_probe"
OVER_TIME = ("Your notebook ran longer than the {seconds:g} seconds allowed for the whole notebook, so this cell "
             "and the ones after it were not run. Look for slow or waiting cells above.")
KERNEL_STOPPED = ("Your notebook stopped running before this test: a cell ended Python itself (for example with "
                  "os._exit), crashed it, or broke how Jupyter sends results (for example by replacing built-in "
                  "functions). Run all cells from the top and fix the cell where it stops.")
VERDICTS_SUFFIX = ".outside-checks.json"
HIDDEN_BEGIN = "BEGIN HIDDEN TESTS"
HIDDEN_END = "END HIDDEN TESTS"
WITHHELD = "pm_course_withheld"  # resources key: {cell index: (grade id, source as the instructor wrote it)}
OUTPUT_CUT = ("Your notebook printed or displayed more than {limit:,} characters in all, so the rest of its output "
              "was not kept (what decides points was). Print less: look for a loop that prints at every step.")
RETURNED = frozenset({"stream", "display_data", "execute_result", "update_display_data", "error", "comm_open",
                      "comm_msg"})  # the kernel's messages whose content the grader keeps or acts on
SHORT = 10_000  # characters kept of each text of a message kept past the output limit


def without_hidden_tests(source: str, placeholder: str = "") -> tuple[str, bool]:
    """``source`` with every hidden-tests region cut out, and whether there was one.

    A region runs from the line holding ``BEGIN HIDDEN TESTS`` to the line holding ``END HIDDEN TESTS``; one
    never closed runs to the end of the cell (more is hidden, never less), and nothing here raises. With a
    ``placeholder``, each region becomes that line, indented like its first line (``pass`` keeps a block that
    held only hidden lines valid Python).
    """
    kept: list[str] = []
    inside = found = False
    for line in source.split("\n"):
        if not inside and HIDDEN_BEGIN in line:
            inside = found = True
            if placeholder:
                kept.append(line[:len(line) - len(line.lstrip())] + placeholder)
        elif inside:
            inside = HIDDEN_END not in line
        else:
            kept.append(line)
    return "\n".join(kept), found


def _checks_for(preprocessor: Preprocessor, resources: dict) -> Checks | None:
    info = resources.get("nbgrader", {})
    assignment, notebook = info.get("assignment"), info.get("notebook")
    if not assignment or not notebook:
        return None
    coursedir = CourseDirectory(config=preprocessor.config)
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    return load_checks(source, f"{notebook}.ipynb")


class AddProbeCell(NbGraderPreprocessor):
    """Append the probe cell, the only cell marked as the probe: a student's cell carrying the mark would be removed
    with it, unseen in formgrader and the feedback, and its output read as the probe's."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            cell.get("metadata", {}).pop(PROBE_METADATA, None)
        checks = _checks_for(self, resources)
        if checks is not None:
            cell = new_code_cell(checks.probe_source())
            cell.metadata[PROBE_METADATA] = True
            nb.cells.append(cell)
        return nb, resources


class WithholdHiddenTests(NbGraderPreprocessor):
    """Cut every hidden-tests region out of the test cells before the notebook runs; stop when a cell worth points
    would then have nothing to decide its hidden part (no outside check): grading fails closed, never open."""

    def preprocess(self, nb, resources):
        withheld: dict[int, tuple[str, str]] = {}
        for index, cell in enumerate(nb.cells):
            if is_test_cell(cell):
                source, found = without_hidden_tests(cell.source, placeholder="pass  # hidden tests: run by the grader")
                if found:
                    withheld[index] = (grade_id_of(cell), cell.source)
                    cell.source = source
        checks = _checks_for(self, resources)
        decided = set(checks.cells) if checks is not None else set()
        for index, (grade_id, _) in withheld.items():
            points = float(nb.cells[index].metadata["nbgrader"].get("points") or 0)
            if points > 0 and grade_id not in decided:
                raise ValueError(f"the hidden tests of {grade_id} never run in the student's kernel, and it has no "
                                 "outside check to decide its points: add one to the assignment's outside_checks.py")
        resources[WITHHELD] = withheld
        return nb, resources


class RestoreHiddenTests(NbGraderPreprocessor):
    """Put back the regions :class:`WithholdHiddenTests` took out, now that the notebook has run: the autograded
    notebook holds the test cells as the instructor wrote them (formgrader shows their rubrics)."""

    def preprocess(self, nb, resources):
        for index, (grade_id, source) in resources.pop(WITHHELD, {}).items():
            cell = nb.cells[index] if index < len(nb.cells) else None
            if cell is not None and grade_id_of(cell) == grade_id:
                cell.source = source
        return nb, resources


class RefuseInstructorAnswers(NbGraderPreprocessor):
    """Stop ``generate_assignment`` when an answer file sits beside a source notebook: it would release the key."""

    def preprocess(self, nb, resources):
        folder = Path(resources.get("metadata", {}).get("path") or ".")
        leftover = folder / ANSWER_FILE_NAME
        if leftover.exists():
            raise ValueError(f"{leftover} holds widget answers (the key) and would be released to every student; "
                             "delete it, then generate the assignment again")
        return nb, resources


class RestoreDeletedCells(OverwriteCells):
    """Put back each test cell a student deleted, after the nearest earlier cell of the source that is still there.

    nbgrader 0.9.6 looks the previous source cell up only among grade and solution cells, and stops with a KeyError
    (the student "could not be graded") when it is any other read-only cell. It also stops on the empty nbgrader
    metadata that its own DeduplicateIds leaves on a duplicated cell; such a copy is made an ordinary cell first.
    """

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if cell.get("metadata", {}).get("nbgrader", None) == {}:
                del cell.metadata["nbgrader"]
        return super().preprocess(nb, resources)

    def add_missing_grade_cells(self, nb, resources):
        source_nb = self.gradebook.find_notebook(self.notebook_id, self.assignment_id)
        source_ids = [cell.name for cell in source_nb.source_cells]
        source_by_id = {cell.name: cell for cell in source_nb.source_cells}
        solution_ids = {cell.name for cell in source_nb.solution_cells}
        for grade_cell in source_nb.grade_cells:
            present = {grade_id_of(cell): index for index, cell in enumerate(nb.cells) if "nbgrader" in cell.metadata}
            if grade_cell.name in present:
                continue
            self.log.warning("Missing grade cell %s encountered, adding to notebook", grade_cell.name)
            restored = self.missing_cell_transform(source_by_id[grade_cell.name], grade_cell.max_score,
                                                   is_solution=grade_cell.name in solution_ids)
            earlier = source_ids[:source_ids.index(grade_cell.name)]
            anchor = next((present[name] for name in reversed(earlier) if name in present), -1)
            nb.cells.insert(anchor + 1, restored)
        return nb, resources


class HideHiddenTests(ClearHiddenTests):
    """nbgrader's ``ClearHiddenTests`` for the feedback, applied to the instructor's test cells alone.

    nbgrader's own looks for the markers in every cell and stops the feedback when it finds one in a cell that is
    not a test cell, or one never closed: a student who merely typed ``BEGIN HIDDEN TESTS`` in an answer got no
    feedback. Here a student's cell is left as the student wrote it, and a region never closed hides the rest of
    its (test) cell: more is hidden, never less, and nothing raises.
    """

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            cell.source, _ = without_hidden_tests(cell.source)
        return cell, resources


class ExecuteWithinDeadline(Execute):
    notebook_timeout = Float(
        600.0, help="Seconds the whole notebook may run; each cell still has at most `timeout` seconds."
    ).tag(config=True)
    # widget state is not part of what a student gets back: a widget changed by code running later (in a test cell or
    # the probe) would carry what that code saw into the notebook's metadata
    store_widget_state = Bool(False).tag(config=True)
    output_limit = Integer(
        16_000_000, help="Characters of output (text and data of every message) a whole notebook may return; past "
                         "them only what decides points is kept, shortened."
    ).tag(config=True)
    _running_index: int | None = None
    _returned = 0
    _probe_lines = 0

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # nbgrader's Execute passes AsyncKernelManager as an argument, which outranks configuration: the class the
        # configuration names wins again (the grading kernels' manager, course.grading.kernels.private_folder)
        self._load_config(self.config, traits={"kernel_manager_class": self.traits()["kernel_manager_class"]})

    def process_message(self, msg, cell, cell_index):
        """Keep at most ``output_limit`` characters of output; past them, only the messages nbgrader or the outside
        checks read for points: a cell's first error, standard-error text or result (nbgrader's ``determine_grade``
        stops at the first of these) and the probe's result lines, shortened (never the probe's: they are JSON),
        with a note in the cell once."""
        if msg.get("msg_type") in RETURNED:
            self._returned += _size(msg.get("content") or {})
            if self._returned > self.output_limit:
                if not self._decides_points(msg, cell):
                    self._note_cut(cell, cell_index)
                    return None
                if not cell.get("metadata", {}).get(PROBE_METADATA):
                    _shorten(msg["content"])
        return super().process_message(msg, cell, cell_index)

    def _decides_points(self, msg, cell) -> bool:
        kind, content = msg["msg_type"], msg.get("content") or {}
        if cell.get("metadata", {}).get(PROBE_METADATA):
            if kind == "stream" and PROBE_MARK in str(content.get("text", "")) and self._probe_lines < 2:
                self._probe_lines += 1  # a second result line already makes the results untrusted
                return True
            return False
        deciding = kind in ("error", "execute_result") or (kind == "stream" and content.get("name") == "stderr")
        decided = any(output.get("output_type") in ("error", "execute_result")
                      or (output.get("output_type") == "stream" and output.get("name") == "stderr")
                      for output in cell.get("outputs", []))
        return deciding and not decided

    def _note_cut(self, cell, cell_index: int) -> None:
        note = OUTPUT_CUT.format(limit=self.output_limit)
        if not any(output.get("text") == note + "\n" for output in cell.get("outputs", [])):
            # first in the cell, where the feedback shows it however much of the rest it leaves out; the cell's
            # outputs that a display id names move one place down
            cell.outputs.insert(0, new_output("stream", name="stdout", text=note + "\n"))
            for cells in self._display_id_map.values():
                if cell_index in cells:
                    cells[cell_index] = [position + 1 for position in cells[cell_index]]

    def _update_display_id(self, display_id, msg):
        """Apply a display update to the outputs of the cell now running only, never to an earlier cell's."""
        everywhere = self._display_id_map.get(display_id)
        if everywhere is None:
            return
        self._display_id_map[display_id] = {index: outputs for index, outputs in everywhere.items()
                                            if index == self._running_index}
        try:
            super()._update_display_id(display_id, msg)
        finally:
            self._display_id_map[display_id] = everywhere

    def preprocess(self, nb, resources=None, km=None):
        self._returned = self._probe_lines = 0
        self._deadline = deadline = time.monotonic() + self.notebook_timeout
        per_cell = self.timeout

        def remaining(cell):
            left = deadline - time.monotonic()
            return max(1, int(min(per_cell, left) if per_cell is not None else left))

        self.timeout_func = remaining
        try:
            return super().preprocess(nb, resources, km)
        except (DeadKernelError, CellTimeoutError):
            # the notebook ended its kernel (os._exit, a crash, a signal) or broke its messaging (replaced builtins
            # that ipykernel itself uses): it is graded on what ran, and every test cell that never ran says so (a
            # test cell without output would otherwise count as passed)
            for cell in nb.cells:
                never_ran = not cell.get("outputs") and cell.get("execution_count") is None
                if cell.cell_type == "code" and is_grade(cell) and never_ran:
                    cell.outputs = [new_output("error", ename="KernelStopped", evalue=KERNEL_STOPPED,
                                               traceback=[KERNEL_STOPPED])]
            return nb, resources


    def preprocess_cell(self, cell, resources, index):
        self._running_index = index
        if cell.cell_type == "code" and time.monotonic() >= self._deadline:
            message = OVER_TIME.format(seconds=self.notebook_timeout)
            cell.outputs = [new_output("error", ename="NotebookTookTooLong", evalue=message, traceback=[message])]
            return cell, resources
        return super().preprocess_cell(cell, resources, index)


def _size(content: dict) -> int:
    """About how many characters a message's content holds (its texts counted without encoding them again), and 200
    for the message itself (a flood of empty outputs costs the grader memory too)."""
    total = 200
    for key, value in content.items():
        if isinstance(value, str):
            total += len(value)
        elif key == "data" and isinstance(value, dict):
            total += sum(len(item) if isinstance(item, str) else len(json.dumps(item, default=str))
                         for item in value.values())
        else:
            total += len(json.dumps(value, default=str))
    return total


def _shorten(content: dict) -> None:
    """A kept message's texts cut to :data:`SHORT` characters, and a traceback to its first 100 lines."""
    for name in ("text", "evalue", "ename"):
        if isinstance(content.get(name), str):
            content[name] = content[name][:SHORT]
    if isinstance(content.get("traceback"), list):
        content["traceback"] = [str(line)[:SHORT] for line in content["traceback"][:100]]
    if isinstance(content.get("data"), dict):
        content["data"] = {key: value[:SHORT] if isinstance(value, str) else value
                           for key, value in content["data"].items() if key == "text/plain"}
    if "metadata" in content:
        content["metadata"] = {}


class JudgeOutsideKernel(NbGraderPreprocessor):
    """Judge the probe's printed results in the grader's process and lower each test cell to what its outside check
    gives (see the module's docstring); the verdicts are written beside the autograded notebook."""

    draw_from_student_id = Bool(
        False, help="Mark every graded widget on the items drawn from the student's id (user:<student id>, what a "
                    "JupyterHub draws from), whatever seed the answer file records: on a hub a student cannot pick "
                    "their items by writing a seed into the file. Off where students draw from a random seed of "
                    "their own JupyterLab (an LMS class)."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        probe_cells = [cell for cell in nb.cells if cell.get("metadata", {}).get(PROBE_METADATA)]
        nb.cells = [cell for cell in nb.cells if not cell.get("metadata", {}).get(PROBE_METADATA)]
        checks = _checks_for(self, resources)
        if checks is None:
            return nb, resources
        printed = "".join(output.get("text", "") for cell in probe_cells for output in cell.get("outputs", [])
                          if output.get("output_type") == "stream" and output.get("name") == "stdout")
        student = resources.get("nbgrader", {}).get("student")
        judged = checks.verdicts(printed, student, self._handed_in(resources), self.draw_from_student_id)
        tampering = None
        verdicts = {}
        withheld = {grade_id for grade_id, _ in resources.get(WITHHELD, {}).values()}
        for cell in nb.cells:
            grade_id = grade_id_of(cell)
            if grade_id not in judged or cell.cell_type != "code":
                continue
            inside, points = determine_grade(cell, self.log)
            verdict = judged[grade_id]
            share = verdict.share if verdict else None
            outside = round(points * (share or 0.0), 4)
            verdicts[grade_id] = {"points": points, "inside": inside, "outside": outside,
                                  "probe_answered": share is not None}
            if verdict and verdict.error:
                # the instructor's check failed, not the student's answer: the cell scores 0 (grading fails closed),
                # and the instructor hears of it now, in nbgrader's log and in pm-course grade's summary
                verdicts[grade_id]["check_error"] = verdict.error
                info = resources.get("nbgrader", {})
                self.log.error("%s (student %s scores 0 there)", check_error_line(
                    info.get("assignment"), f"{info.get('notebook')}.ipynb", grade_id, verdict.error), student)
            if grade_id in withheld:
                # its hidden part never ran in the kernel: the inside score is the visible part's, and the outside
                # check alone decides the rest (so the two need not agree on an honest mistake)
                verdicts[grade_id].update(decided_outside=True, hidden_tests_withheld=True)
            if verdict and verdict.decides:
                # a graded widget: the in-kernel test holds no key, so the grader's marking is the cell's score
                verdicts[grade_id].update(decided_outside=True, note=verdict.note)
                note = verdict.note
                if inside is not None and outside < inside - 1e-9:
                    if tampering is None:
                        tampering = find_tampering(nb, frozenset(checks.cells))
                    if tampering:
                        note += (" Your notebook contains code that changes how the other cells run: "
                                 + "; ".join(str(finding) for finding in tampering) + ".")
                cell.outputs = _marked_outside_outputs(min(outside, inside if inside is not None else 0.0),
                                                       points, note)
                continue
            if inside is not None and outside < inside - 1e-9:
                if tampering is None:
                    tampering = find_tampering(nb, frozenset(checks.cells))
                cell.outputs = _lowered_outputs(outside, points, share is not None, tampering,
                                                hidden=grade_id in withheld)
        self._write_verdicts(resources, verdicts)
        return nb, resources

    def _handed_in(self, resources: dict) -> dict:
        """The student's answer file as handed in (``submitted/``), read here, never through the kernel."""
        from course.grading.nbgrader_plugins.widget_judging import read_handed_in

        info = resources.get("nbgrader", {})
        if not info.get("student") or not info.get("assignment"):
            return {}
        coursedir = CourseDirectory(config=self.config)
        return read_handed_in(Path(coursedir.format_path(coursedir.submitted_directory, info["student"],
                                                         info["assignment"])))

    def _write_verdicts(self, resources: dict, verdicts: dict) -> None:
        folder = resources.get("metadata", {}).get("path")
        notebook = resources.get("nbgrader", {}).get("notebook")
        if folder and notebook:
            (Path(folder) / f"{notebook}{VERDICTS_SUFFIX}").write_text(json.dumps(verdicts, indent=1))


def _marked_outside_outputs(score: float, points: float, note: str) -> list:
    """A graded widget's test output: the grader's marking, as partial credit nbgrader reads from the result."""
    text = note or f"Marked by the grader, outside your notebook: {score:g} of {points:g} points."
    if score == 0:
        return [new_output("error", ename="MarkedOutsideYourNotebook", evalue=text, traceback=[text])]
    return [new_output("stream", name="stdout", text=text + "\n"),
            new_output("execute_result", data={"text/plain": f"{score:g}"}, execution_count=None)]


def _lowered_outputs(outside: float, points: float, answered: bool, tampering, hidden: bool = False) -> list:
    if answered and hidden:
        why = (f"The grader checked this part outside your notebook, on inputs you have not seen, and compared the "
               f"results itself: they are not what this part asks for, so this test earns {outside:g} of "
               f"{points:g} points.")
    elif answered:
        why = (f"The grader ran this part again outside your notebook, on inputs you have not seen, and compared "
               f"the results itself: they are not what this part asks for, so this test earns {outside:g} of "
               f"{points:g} points even though it seemed to pass inside your notebook.")
    else:
        why = (f"The grader could not check this part outside your notebook: your notebook stopped, hung or hid "
               f"its output before the check ran, so this test earns {outside:g} of {points:g} points.")
    if tampering:
        why += (" Your notebook contains code that changes how the other cells run: "
                + "; ".join(str(finding) for finding in tampering)
                + ". Tests cannot be passed that way: remove that code and answer the question itself.")
    elif answered and hidden and outside == 0:
        # a hidden test that failed, as the feedback labels one (course/grading/pipeline/feedback_labels.py): what the
        # part checks and the lesson section to review, never the check's code or inputs
        return [new_output("error", ename="AssertionError", evalue=why, traceback=[why])]
    if outside == 0:
        return [new_output("error", ename="CheckedOutsideYourNotebook", evalue=why, traceback=[why])]
    return [new_output("stream", name="stdout", text=why + "\n"),
            new_output("execute_result", data={"text/plain": f"{outside:g}"}, execution_count=None)]
