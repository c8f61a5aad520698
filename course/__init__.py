"""pm-course: product, project and program management, taught in Jupyter.

The package holds the lessons (``course/lessons``), the case library loader
(:mod:`course.content.cases`), the widgets the lessons and assignments use, and the
``pm-course`` command line (:mod:`course.cli`).
"""

__version__ = "0.1.0"
