"""The instructor's side: driving nbgrader, reading its gradebook, and building test submissions."""
