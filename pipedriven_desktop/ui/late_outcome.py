"""Outcomes of background work that may outlive the window that asked for it.

A worker thread tells the UI thread through a signal of a QObject the window owns; when
the window was closed and deleted meanwhile, emitting raises RuntimeError in the worker.
The work is done (a write is in the mirror, a read is simply not needed), so the outcome
is dropped with a debug line rather than a traceback.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import SignalInstance

logger = logging.getLogger(__name__)


def tell(signal: SignalInstance, *args: object, what: str) -> bool:
    """Emit ``signal``; False (and a debug line) when its window has gone away."""
    try:
        signal.emit(*args)
    except RuntimeError:
        logger.debug("%s finished after its window was deleted", what)
        return False
    return True
