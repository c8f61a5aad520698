"""The environment for programs the course starts (JupyterLab, nbgrader, kernels).

nbgrader runs the ``alembic`` executable when it opens a gradebook, and JupyterLab
starts kernels by name: both must find this Python's scripts, whatever the
caller's PATH holds.
"""
from __future__ import annotations

import os
import sys
import sysconfig


def child_environment() -> dict[str, str]:
    """The caller's environment with this Python's scripts folder first on PATH."""
    env = dict(os.environ)
    folders = [sysconfig.get_path("scripts"), os.path.dirname(sys.executable), env.get("PATH", "")]
    env["PATH"] = os.pathsep.join(folder for folder in folders if folder)
    return env
