"""Libraries that do costly work when imported, made to do it when first used instead.

``jsonschema`` imports ``rfc3987_syntax`` (when installed, as it is with JupyterLab's dependencies) to check the
"iri" string format, and that module builds its Lark grammars at import: about 2 s of CPU in every process that
imports nbformat, nbgrader or jupyter_server (python-jsonschema/jsonschema#1428), although no notebook, nbgrader or
Jupyter schema uses the format. :func:`defer_iri_grammar` puts a stand-in in its place whose ``is_valid_syntax``
imports the real module on its first call, so validation is unchanged and only a process that checks an IRI pays
for the grammar.

Called first thing by the grading pipeline (``course/grading/pipeline/__init__.py``) and the command line
(``course/cli/__init__.py``), before anything imports jsonschema, and by :mod:`course.processes.run_module`, through
which the course starts nbgrader's commands and JupyterLab: the processes that start kernels. Never in a kernel: the
kernel template (run as ``python -m course.kernels.kernel_template``) and every kernel forked from it import no
jsonschema, and a stand-in there would sit in every student's and lesson's ``sys.modules``; nor do the checks a
student's kernel imports (:mod:`course.exercises.widget_checks`) call it.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import types

IRI_MODULE = "rfc3987_syntax"


def defer_iri_grammar() -> None:
    if IRI_MODULE in sys.modules or importlib.util.find_spec(IRI_MODULE) is None:
        return  # already imported (nothing left to save), or not installed (jsonschema does without it)

    def is_valid_syntax(term: str, value: str) -> bool:
        if sys.modules.get(IRI_MODULE) is stand_in:
            del sys.modules[IRI_MODULE]
        return importlib.import_module(IRI_MODULE).is_valid_syntax(term, value)

    stand_in = types.ModuleType(IRI_MODULE, "Stand-in until first use; see course.processes.deferred_imports.")
    stand_in.is_valid_syntax = is_valid_syntax
    sys.modules[IRI_MODULE] = stand_in
