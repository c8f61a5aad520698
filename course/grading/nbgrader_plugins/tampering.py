"""Find, in a student's code, what changes how Python or Jupyter runs the other cells.

Read by the grader from the notebook's source (never run), so the student's code cannot hide
it. The findings only explain a lost point in the feedback; points are decided by the outside
checks (:mod:`course.grading.nbgrader_plugins.outside_checks`), whether or not anything is found here.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from course.grading.nbgrader_plugins.cells import grade_id_of

# attribute or name -> what it does, in words a student understands
_HOOKS = {
    "input_transformers_post": "rewrites the source of later cells before they run (an input transformer)",
    "input_transformers_cleanup": "rewrites the source of later cells before they run (an input transformer)",
    "ast_transformers": "rewrites the code of later cells before they run (an AST transformer)",
    "set_custom_exc": "hides errors raised by later cells (a custom exception handler)",
    "excepthook": "hides errors raised by later cells (an exception hook)",
    "showtraceback": "hides errors raised by later cells (a replaced traceback display)",
    "run_cell": "changes how later cells run (a replaced run_cell)",
    "events": "runs code of its own around every later cell (an IPython event callback)",
    "register_magic_function": "defines a magic command that can change later cells",
    "sys.modules": "replaces modules that tests import",
    "builtins": "replaces Python's built-in functions",
    "__builtins__": "replaces Python's built-in functions",
    "settrace": "watches and changes running code (a trace function)",
    "setprofile": "watches running code (a profile function)",
    "ctypes": "reaches into the interpreter's memory (ctypes)",
}


@dataclass(frozen=True)
class Finding:
    cell_number: int  # 1-based, among all cells of the notebook
    what: str

    def __str__(self) -> str:
        return f"cell {self.cell_number} {self.what}"


def find_tampering(notebook, skip_grade_ids: frozenset[str] = frozenset()) -> list[Finding]:
    """What each code cell (except those whose grade id is in ``skip_grade_ids``) does to other cells."""
    findings: list[Finding] = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.cell_type != "code":
            continue
        if grade_id_of(cell) in skip_grade_ids:
            continue
        for what in sorted(_scan(cell.source)):
            findings.append(Finding(number, what))
    return findings


def _scan(source: str) -> set[str]:
    found: set[str] = set()
    try:
        tree = ast.parse(_as_python(source))
    except SyntaxError:
        return {_HOOKS[word] for word in _HOOKS if word in source}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys" \
                and node.attr == "modules":
            found.add(_HOOKS["sys.modules"])
        elif isinstance(node, ast.Attribute) and node.attr in _HOOKS:
            found.add(_HOOKS[node.attr])
        elif isinstance(node, ast.Name) and node.id in _HOOKS:
            found.add(_HOOKS[node.id])
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [alias.name for alias in node.names]
            if isinstance(node, ast.ImportFrom) and node.module:
                names.append(node.module)
            found |= {_HOOKS[name] for name in names if name in ("builtins", "ctypes")}
        elif _defines_equality(node):
            found.add("defines how its objects compare (__eq__), so they can claim to equal anything")
    return found


def _defines_equality(node: ast.AST) -> bool:
    if isinstance(node, ast.FunctionDef):
        return node.name == "__eq__"
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Name) and t.id == "__eq__" or isinstance(t, ast.Attribute) and t.attr == "__eq__"
                   for t in node.targets)
    return False


def _as_python(source: str) -> str:
    """The cell as plain Python: IPython's own transformer turns magics and ``!`` lines into calls."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(source)
