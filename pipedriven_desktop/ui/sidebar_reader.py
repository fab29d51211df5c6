"""The sidebar's full list read off the UI thread: one grouped pass over the contacts in
scope, which at a million contacts takes long enough to be felt.

A QRunnable on a pool of one thread with its own connection to the mirror; the result
comes back as a queued signal, and only the latest request's is delivered.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_preview import grouped_counts
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.ui.late_outcome import tell

logger = logging.getLogger(__name__)


class _Outcome(QObject):
    """Lives on the UI thread (no parent: the runnable holds it), so delivery is queued."""

    done = Signal(int, object, object, int)


class _Read(QRunnable):
    def __init__(self, outcome: _Outcome, path: Path, generation: int, owner: int | None) -> None:
        super().__init__()
        self._outcome = outcome
        self._path = path
        self._generation = generation
        self._owner = owner

    def run(self) -> None:
        db = Database(self._path)
        try:
            counts = grouped_counts(db.reader(), self._owner)
            suggestions = OrgQueries(db).open_suggestion_count()
        except Exception:  # the preview stays; the next refresh reads again
            logger.exception("reading the organization sidebar failed")
            return
        finally:
            db.close()
        tell(
            self._outcome.done,
            self._generation,
            self._owner,
            counts,
            suggestions,
            what="sidebar read",
        )


class SidebarReader(QObject):
    """Reads the sidebar's counts for a scope of the mirror at ``path``, off the UI thread."""

    #: (owner id or None, GroupedCounts, open duplicate suggestions) for the latest request
    read = Signal(object, object, int)

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._generation = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._outcome = _Outcome()
        self._outcome.done.connect(self._on_done)

    def request(self, owner_id: int | None) -> None:
        self._generation += 1
        self._pool.start(_Read(self._outcome, self._path, self._generation, owner_id))

    def cancel(self) -> None:
        self._generation += 1

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_done(self, generation: int, owner: object, counts: object, suggestions: int) -> None:
        if generation == self._generation:
            self.read.emit(owner, counts, suggestions)
