"""A contact count made off the UI thread: at a million contacts a full count takes long
enough to hold the first paint back, so the window paints first and the count follows.

Each count is a QRunnable on a pool of one thread with its own connection to the mirror
(a connection belongs to the thread that made it); the result comes back as a queued
signal. Only the latest request is answered: a newer filter makes the older count moot.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.late_outcome import tell

logger = logging.getLogger(__name__)


class _Outcome(QObject):
    """Lives on the UI thread (no parent: the runnable holds it), so delivery is queued."""

    done = Signal(int, object, int)


class _Count(QRunnable):
    def __init__(
        self, outcome: _Outcome, path: Path, generation: int, contact_filter: ContactFilter
    ) -> None:
        super().__init__()
        self._outcome = outcome
        self._path = path
        self._generation = generation
        self._filter = contact_filter

    def run(self) -> None:
        db = Database(self._path)
        try:
            total = ContactService(db).count(self._filter)
        except Exception:  # the model keeps growing page by page; the count stays unknown
            logger.exception("counting the contacts failed")
            return
        finally:
            db.close()
        tell(self._outcome.done, self._generation, self._filter, total, what="count")


class CountReader(QObject):
    """Counts the contacts of a filter in the mirror at ``path``, off the UI thread."""

    #: (filter, count) for the latest request
    counted = Signal(object, int)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._generation = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._outcome = _Outcome()
        self._outcome.done.connect(self._on_done)

    def request(self, contact_filter: ContactFilter) -> None:
        self._generation += 1
        self._pool.start(_Count(self._outcome, self._path, self._generation, contact_filter))

    def cancel(self) -> None:
        """Forget the pending request: its answer is dropped when it comes."""
        self._generation += 1

    def wait(self, msecs: int = -1) -> bool:
        """Block until a running count has ended (before the database closes)."""
        return self._pool.waitForDone(msecs)

    def _on_done(self, generation: int, contact_filter: object, total: int) -> None:
        if generation == self._generation:
            self.counted.emit(contact_filter, total)
