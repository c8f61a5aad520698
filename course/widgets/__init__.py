"""The widget views the lessons and assignments display.

Each view is an ipywidgets container with private children; the logic it shows
lives in a plain module beside it (``course.quiz`` for :class:`QuizWidget`), so it
can be tested without a browser.
"""
from .quiz import QuizWidget

__all__ = ["QuizWidget"]
