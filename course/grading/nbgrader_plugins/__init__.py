"""nbgrader extensions: preprocessors and exporters the course's nbgrader configuration names."""
