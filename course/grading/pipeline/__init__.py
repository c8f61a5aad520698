"""The grading pipeline: collect, inspect, grade in parallel, release feedback, export grades."""
from course.processes.deferred_imports import defer_iri_grammar

defer_iri_grammar()  # before anything here imports jsonschema (through nbformat, nbgrader or jupyter_client)
