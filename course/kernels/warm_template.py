"""A Jupyter server extension that starts the lessons' kernel template as the learner's JupyterLab starts.

A template takes two to three seconds to import what lessons import; started with the server, it is ready by the time
the learner opens a lesson, so even the first lesson's kernel is forked warm. It reads the settings from the kernel
spec the lessons name (``python3``, written by ``pm-course start``), so the template it starts is the very one the
provisioner asks for. Enabled only in the learner's server configuration; with any other ``python3`` spec it does
nothing.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

LOGGER = logging.getLogger(__name__)
LESSON_KERNEL_NAME = "python3"  # the kernel spec every lesson and exercise names


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": __name__}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    spec_manager = getattr(serverapp, "kernel_spec_manager", None)
    threading.Thread(target=warm_lesson_template, args=(spec_manager,), name="pm-course-warm-template",
                     daemon=True).start()


def warm_lesson_template(spec_manager: Any = None) -> bool:
    """Start the template the lessons' kernel spec names; False (and a warning) when there is none to start."""
    from jupyter_client.kernelspec import NoSuchKernel

    from course.kernels.forked_kernels import TemplateUnavailable, start_template_of

    try:
        return start_template_of(LESSON_KERNEL_NAME, spec_manager, sandboxed=False) is not None
    except NoSuchKernel:
        return False
    except TemplateUnavailable as error:  # the first lesson's kernel will try again (and fall back)
        LOGGER.warning("pm-course: the lessons' kernel template did not start: %s", error)
        return False
