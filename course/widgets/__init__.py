"""The widget views the lessons and assignments display.

Each view is an ipywidgets container with private children; the logic it shows lives
in a plain module of :mod:`course` (``course.quiz`` for :class:`QuizWidget`,
``course.role_sorter`` for :class:`RoleSorterWidget`, and so on), testable without a
browser. Every answering widget saves its answers as they are given, in
``pm-course-answers.json`` beside the notebook, and shows them again when re-created.
"""
from .company_size import CompanySizeExplorer
from .program_mapper import ProgramMapper
from .quiz import QuizWidget
from .raci import RaciBuilder
from .role_sorter import RoleSorterWidget
from .scenario import ScenarioPlayer
from .tradeoff import TradeoffSimulator

__all__ = ["CompanySizeExplorer", "ProgramMapper", "QuizWidget", "RaciBuilder", "RoleSorterWidget",
           "ScenarioPlayer", "TradeoffSimulator"]
