"""Kernels forked from a warm template: the jupyter_client provisioner, the template it forks from, the prompt kernel
client and the kernel spec they are named in.

Shared by the learner's lessons (``pm-course start``: unsandboxed, the learner's own machine) and grading, which adds
the sandbox, its caps and a private folder (:mod:`course.grading.kernels`); nothing here imports grading code except,
when a kernel spec asks for the sandbox or the grading allow-list, :mod:`course.grading.kernels.sandbox`.
"""
