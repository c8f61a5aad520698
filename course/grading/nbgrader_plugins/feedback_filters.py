"""A feedback preprocessor that keeps hidden tests hidden.

nbgrader's ``ClearHiddenTests`` removes hidden test code from the feedback, but a failing
hidden assertion's traceback still quotes the lines around it. This preprocessor, listed
after it in ``GenerateFeedback.preprocessors``, replaces every error's traceback in an
autograder test cell with a label (:mod:`.feedback_labels`): a visible test's error and
failing line, or, for a hidden test, what the part checks and the lesson section to review.
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

from course.grading.pipeline.feedback_labels import failure_label, source_of_test

# errors the grader writes itself, in words meant for the student (course/grading/nbgrader_plugins/preprocessors.py,
# nbgrader_config.py)
OWN_MESSAGES = frozenset({"CheckedOutsideYourNotebook", "KernelStopped", "CellTookTooLong", "NotebookTookTooLong",
                          "MarkedOutsideYourNotebook"})


class ShortenTestTracebacks(Preprocessor):
    enabled = Bool(True)  # nbconvert runs a preprocessor only when it is enabled

    def preprocess_cell(self, cell, resources, index):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and nbgrader.get("grade") and not nbgrader.get("solution"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and output.get("ename") not in OWN_MESSAGES:
                    grade_id = nbgrader.get("grade_id")
                    output["traceback"] = failure_label(output, source_of_test(resources, grade_id),
                                                        resources.get("nbgrader", {}).get("assignment"), grade_id)
        return cell, resources
