"""Campaign flags written off the UI thread, one at a time, in the order they were asked for.

A toggle may wait seconds behind a sync's transaction; on the UI thread that froze the
window. Here each write is a QRunnable on a pool of one thread (so two toggles of the same
contact land in order), and its outcome comes back as a queued signal to the UI thread.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store import contacts as contact_store

logger = logging.getLogger(__name__)

GONE = "The contact is no longer in the mirror; a sync may have removed it."


class _Outcome(QObject):
    """Lives on the UI thread; the runnables emit through it, so delivery is queued there.

    It has no parent: the runnables hold it, so it outlives the writer if it must.
    """

    saved = Signal(str, bool)
    failed = Signal(str, bool, str)


class _Write(QRunnable):
    def __init__(
        self, outcome: _Outcome, path: Path, contact_id: str, flag: bool, busy_timeout_ms: int
    ) -> None:
        super().__init__()
        self._outcome = outcome
        self._path = path
        self._contact_id = contact_id
        self._flag = flag
        self._busy_timeout_ms = busy_timeout_ms

    def run(self) -> None:
        contact_id, flag = self._contact_id, self._flag
        try:
            found = contact_store.save_campaign(
                self._path, contact_id, flag, busy_timeout_ms=self._busy_timeout_ms
            )
        except contact_store.EditError as exc:
            logger.warning("campaign flag of %s not saved: %s", contact_id, exc)
            self._outcome.failed.emit(contact_id, flag, str(exc))
        except Exception as exc:  # a bug: logged with its traceback, the row still reverts
            logger.exception("campaign flag of %s not saved", contact_id)
            self._outcome.failed.emit(
                contact_id,
                flag,
                f"An unexpected error stopped the change ({type(exc).__name__}); "
                "the details are in the log.",
            )
        else:
            if found:
                self._outcome.saved.emit(contact_id, flag)
            else:
                logger.warning("contact %s vanished before its campaign flag was set", contact_id)
                self._outcome.failed.emit(contact_id, flag, GONE)


class CampaignWriter(QObject):
    """Saves campaign flags of the mirror at ``path`` on a thread of its own."""

    #: (contact id, flag): the flag is in the mirror
    saved = Signal(str, bool)
    #: (contact id, flag asked for, message for the user): it is not
    failed = Signal(str, bool, str)

    def __init__(
        self,
        path: Path,
        parent: QObject | None = None,
        *,
        busy_timeout_ms: int | None = None,
    ) -> None:
        super().__init__(parent)
        self._path = path
        self.busy_timeout_ms = (
            contact_store.EDIT_BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        )
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._outcome = _Outcome()
        self._outcome.saved.connect(self.saved)
        self._outcome.failed.connect(self.failed)

    def submit(self, contact_id: str, flag: bool) -> None:
        """Queue the write; returns at once."""
        self._pool.start(_Write(self._outcome, self._path, contact_id, flag, self.busy_timeout_ms))

    def wait(self, msecs: int = -1) -> bool:
        """Block until every queued write has ended (on quit, so no edit is lost)."""
        return self._pool.waitForDone(msecs)
