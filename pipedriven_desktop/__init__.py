"""Pipedriven Desktop: a local mirror of a salesperson's Pipedrive, ordered as My-500."""

__version__ = "0.1.0"
