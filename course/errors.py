"""Errors a user can cause, with messages written for that user.

Every error here is caught at the edge (the command line, a widget) and shown
as its message, never as a traceback.
"""


class CourseError(Exception):
    """A problem the user can fix; ``str(error)`` says what and where."""


class DataFileError(CourseError):
    """A data file (case library, scenario, data set) breaks its documented schema."""
