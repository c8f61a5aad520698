"""A feedback preprocessor that keeps hidden tests hidden.

nbgrader's ``ClearHiddenTests`` removes hidden test code from the feedback, but a failing
hidden assertion's traceback still quotes the lines around it. This preprocessor, listed
after it in ``GenerateFeedback.preprocessors``, cuts every error in an autograder test cell
down to its exception name and message, which the course keeps free of answers.
"""
from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool

# errors the grader writes itself, in words meant for the student (course/grading/preprocessors.py, nbgrader_config.py)
OWN_MESSAGES = frozenset({"CheckedOutsideYourNotebook", "KernelStopped", "CellTookTooLong", "NotebookTookTooLong"})


class ShortenTestTracebacks(Preprocessor):
    enabled = Bool(True)  # nbconvert runs a preprocessor only when it is enabled

    def preprocess_cell(self, cell, resources, index):
        nbgrader = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") == "code" and nbgrader.get("grade") and not nbgrader.get("solution"):
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error" and output.get("ename") not in OWN_MESSAGES:
                    message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
                    output["traceback"] = [message, "(A hidden test failed; its code is not shown.)"]
        return cell, resources
