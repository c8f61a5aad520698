"""The instructor's side, by role: ``nbgrader_plugins`` (what nbgrader's configuration names), ``kernels`` (student
kernels forked from a warm template inside a sandbox), ``pipeline`` (collect, grade, release, export) and ``reports``
(what the class misunderstood). Importing this package does nothing else: the checks a student's kernel imports live
in :mod:`course.exercises.widget_checks`.
"""
