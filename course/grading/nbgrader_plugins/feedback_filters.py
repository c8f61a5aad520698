"""A feedback preprocessor that keeps hidden tests hidden.

nbgrader's ``ClearHiddenTests`` removes hidden test code from the feedback, but a failing
hidden assertion's traceback still quotes the lines around it. This preprocessor, listed
after it in ``GenerateFeedback.preprocessors``, replaces every error's traceback in an
autograder test cell with a label (:mod:`.feedback_labels`): a visible test's error and
failing line, or, for a hidden test, what the part checks and the lesson section to review.
"""
from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from course.grading.nbgrader_plugins.cells import grade_id_of, is_test_cell
from course.grading.pipeline.feedback_labels import failure_label, source_of_test

# errors the grader writes itself, in words meant for the student (course/grading/nbgrader_plugins/preprocessors.py,
# nbgrader_config.py)
OWN_MESSAGES = frozenset({"CheckedOutsideYourNotebook", "KernelStopped", "CellTookTooLong", "NotebookTookTooLong",
                          "MarkedOutsideYourNotebook"})


class ShortenTestTracebacks(NbGraderPreprocessor):
    """Every error of a test cell, except the grader's own messages, as its label: the traceback never shows."""

    def preprocess_cell(self, cell, resources, index):
        if is_test_cell(cell):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and output.get("ename") not in OWN_MESSAGES:
                    grade_id = grade_id_of(cell)
                    output["traceback"] = failure_label(output, source_of_test(resources, grade_id),
                                                        resources.get("nbgrader", {}).get("assignment"), grade_id)
        return cell, resources
