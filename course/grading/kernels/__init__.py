"""Kernel machinery for grading: kernels forked from a warm template inside a sandbox, with caps."""
from course.processes.deferred_imports import defer_iri_grammar

defer_iri_grammar()  # before anything here imports jsonschema (through nbformat, nbgrader or jupyter_client)
