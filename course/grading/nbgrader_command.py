"""``python -m course.grading.nbgrader_command ARGUMENTS``: nbgrader's own command line, as ``python -m nbgrader``
runs it, in a process where this package has first deferred the IRI grammar jsonschema would build at import
(:mod:`course.deferred_imports`), about 2 s of every nbgrader command."""
import runpy

if __name__ == "__main__":
    runpy.run_module("nbgrader", run_name="__main__", alter_sys=True)
