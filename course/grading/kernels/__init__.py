"""Kernel machinery for grading only: the bubblewrap sandbox, its cgroup caps, and the private folder a grading process
owns; the forking provisioner and its template, shared with the learner's lessons, are in :mod:`course.kernels`.

Nothing here defers jsonschema's IRI grammar (:mod:`course.processes.deferred_imports`): a kernel template runs as
``python -m`` of a kernels module, so this package's ``__init__`` would put the stand-in module into every kernel forked
from it, and neither the template nor a kernel imports jsonschema. The processes that do (the grading pipeline, the
command line, JupyterLab) defer it themselves.
"""
