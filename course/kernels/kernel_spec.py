"""The kernel specs that name the forking provisioner, and what their templates import once for every kernel.

One builder (:func:`write_forking_kernel_spec`) writes both the learner's warm ``python3`` spec (``pm-course start``)
and the grading spec (:func:`course.grading.kernels.private_folder.install_kernel_spec`): ipykernel's own spec for
this Python, with the provisioner and its configuration in ``metadata.kernel_provisioner``.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from ipykernel.kernelspec import get_kernel_dict, write_kernel_spec

PROVISIONER_NAME = "pm-course-forking"  # the jupyter_client.kernel_provisioners entry point (pyproject.toml)
# what the lessons import (a test keeps this list complete), and what those imports import only when first used (the
# widgets behind course.widgets' lazy names, pandas' HTML tables, matplotlib's PNG drawing); with matplotlib's pyplot
# and its inline backend, which a learner's own cells may use
LESSON_PRELOADS = ("pandas", "pandas.io.formats.style", "matplotlib.pyplot", "matplotlib_inline.backend_inline",
                   "matplotlib.backends.backend_agg", "PIL.PngImagePlugin", "ipywidgets",
                   "course.paths", "course.plots", "course.widgets", "course.widgets.quiz", "course.widgets.review",
                   "course.widgets.scenario", "course.widgets.role_sorter", "course.widgets.tradeoff",
                   "course.widgets.program_mapper", "course.widgets.company_size", "course.widgets.raci",
                   "course.live.client", "course.content.cases", "course.content.glossary", "course.content.portfolio",
                   "course.content.roles", "course.exercises.company_size", "course.exercises.program_mapper",
                   "course.exercises.tradeoff", "course.learner.progress", "course.learner.typed")
# what the assignments' notebooks import (the grading template)
ASSIGNMENT_PRELOADS = ("pandas", "ipywidgets", "course.learner.answers", "course.paths", "course.content.roles",
                       "course.content.portfolio", "course.exercises.quiz", "course.exercises.raci",
                       "course.widgets.role_sorter", "course.widgets.quiz", "course.widgets.raci",
                       "course.exercises.widget_checks")


def write_forking_kernel_spec(spec_dir: Path, provisioner_config: dict[str, Any], **overrides: Any) -> Path:
    """Write (afresh: for this Python and this version of the course) ipykernel's kernel spec into ``spec_dir``, its
    kernels started by the forking provisioner configured by ``provisioner_config``; ``overrides`` replace fields of
    the spec (``metadata`` is merged into ipykernel's)."""
    if spec_dir.exists():
        shutil.rmtree(spec_dir)
    spec_dir.parent.mkdir(parents=True, exist_ok=True)
    metadata = {**get_kernel_dict()["metadata"], **overrides.pop("metadata", {}),
                "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME, "config": provisioner_config}}
    write_kernel_spec(spec_dir, overrides={**overrides, "metadata": metadata})
    return spec_dir
