"""``python -m course.processes.run_module MODULE ARGUMENTS``: what ``python -m MODULE ARGUMENTS`` does (nbgrader's or
JupyterLab's own command line, unchanged), in a process where the imports that do costly work for nothing have been
deferred first (:mod:`course.processes.deferred_imports`): about 2 s off every nbgrader command and off JupyterLab's
start."""
from __future__ import annotations

import runpy
import sys

from course.processes.deferred_imports import defer_iri_grammar


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit("usage: python -m course.processes.run_module MODULE [ARGUMENTS...]")
    module = sys.argv.pop(1)
    defer_iri_grammar()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
