"""Fixtures shared by tests and benchmarks: simulated submissions and plausible mistakes (not shipped)."""
