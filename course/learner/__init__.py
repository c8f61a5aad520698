"""The learner's runtime: answers kept between sessions, the workspace, progress and the review deck."""
