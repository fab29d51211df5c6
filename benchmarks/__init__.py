"""Reproducible performance measurements: ``make bench``."""
