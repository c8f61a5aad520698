"""The instructor's side: driving nbgrader, reading its gradebook, and building test submissions."""
from ..deferred_imports import defer_iri_grammar

defer_iri_grammar()
