"""The student server's own settings under the course's JupyterHub (this folder is on JUPYTER_CONFIG_PATH).

Kernels inherit the server's environment; the folder the server serves tells the course's "Review lesson ..." links
which path to ask JupyterLab to open, so a link opens the lesson in the same JupyterLab, at its section.
"""
import os

os.environ.setdefault("PM_COURSE_SERVER_ROOT", os.getcwd())
