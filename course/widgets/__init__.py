"""The widget views the lessons and assignments display.

Each view is an ipywidgets container with private children; the logic it shows lives
in a plain module of :mod:`course` (``course.exercises.quiz`` for :class:`QuizWidget`,
``course.exercises.role_sorter`` for :class:`RoleSorterWidget`, and so on), testable without a
browser. Every answering widget saves its answers as they are given, in
``pm-course-answers.json`` beside the notebook, and shows them again when re-created: what they share (answers as
traits saved in one place, Check and Show answer with the same attempt rules, the public hooks tests use) is their
base class, :mod:`course.widgets.base`.
"""
from importlib import import_module

_HOMES = {
    "CompanySizeExplorer": "company_size",
    "ProgramMapper": "program_mapper",
    "QuizWidget": "quiz",
    "RaciBuilder": "raci",
    "ReviewDeck": "review",
    "RoleSorterWidget": "role_sorter",
    "ScenarioPlayer": "scenario",
    "TradeoffSimulator": "tradeoff",
}
__all__ = sorted(_HOMES)


def __getattr__(name: str):
    # Import a widget's module only when it is used: a graded notebook that shows one widget
    # should not pay for matplotlib and every other widget at each kernel start.
    if name in _HOMES:
        return getattr(import_module(f".{_HOMES[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
