"""Merges, keep-separates and undos of organizations, written off the UI thread.

Each is a transaction over several tables that may wait behind a sync's page; on the UI
thread that froze the window. Here each runs as a QRunnable on a pool of one thread (so
two changes land in the order they were asked for), and its outcome comes back as a
queued signal to the UI thread, like the campaign flags (``campaign_writer``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store.errors import DatabaseError
from pipedriven_desktop.ui.late_outcome import tell

__all__ = ["OrgChanges"]

logger = logging.getLogger(__name__)

UNEXPECTED = "An unexpected error stopped the change ({}); the details are in the log."


class _Outcome(QObject):
    """Lives on the UI thread; the runnables emit through it, so delivery is queued there."""

    done = Signal(str, str)
    failed = Signal(str, str)


class _Change(QRunnable):
    def __init__(self, outcome: _Outcome, kind: str, change: Callable[[], None]) -> None:
        super().__init__()
        self._outcome = outcome
        self._kind = kind
        self._change = change

    def run(self) -> None:
        try:
            self._change()
        except (ValueError, DatabaseError) as exc:  # MergeError, SyncBusyError: one line
            tell(self._outcome.failed, self._kind, str(exc), what=self._kind)
        except Exception as exc:  # a bug: logged with its traceback, the view stays usable
            logger.exception("organization %s failed", self._kind)
            tell(
                self._outcome.failed,
                self._kind,
                UNEXPECTED.format(type(exc).__name__),
                what=self._kind,
            )
        else:
            tell(self._outcome.done, self._kind, "", what=self._kind)


class OrgChanges(QObject):
    """Runs changes of the mirror on a thread of its own, one at a time, in order.

    A change raises ValueError or DatabaseError with a one-line reason to refuse.
    """

    #: (kind: "merge", "keep separate" or "undo") a change began
    started = Signal(str)
    #: (kind, "") the change is in the mirror
    done = Signal(str, str)
    #: (kind, one-line reason) it is not
    failed = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._outcome = _Outcome()
        self._outcome.done.connect(self._finish)
        self._outcome.failed.connect(self._fail)
        self._running = 0

    @property
    def busy(self) -> bool:
        return self._running > 0

    def wait(self, msecs: int = -1) -> bool:
        """Block until every queued change has ended (on quit, so none is cut off)."""
        return self._pool.waitForDone(msecs)

    def run(self, kind: str, change: Callable[[], None]) -> None:
        """Queue ``change`` (named ``kind`` in the signals); returns at once."""
        self._running += 1
        self.started.emit(kind)
        self._pool.start(_Change(self._outcome, kind, change))

    def _finish(self, kind: str, message: str) -> None:
        self._running -= 1
        self.done.emit(kind, message)

    def _fail(self, kind: str, message: str) -> None:
        self._running -= 1
        self.failed.emit(kind, message)
