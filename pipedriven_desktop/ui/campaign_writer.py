"""Campaign flags written off the UI thread, one at a time, in the order they were asked for.

A toggle may wait seconds behind a sync's transaction; on the UI thread that froze the
window. Here each write is a QRunnable on a pool of one thread (so two toggles of the same
contact land in order), and its outcome comes back as a queued signal to the UI thread.

A pass rescoring a million contacts holds the mirror for its one write transaction, most
of a minute. A write that finds the mirror busy for the whole busy timeout says so
(``waiting``) and tries again, for up to ``PATIENCE_S``; only then does it fail. Once the
app is quitting (``wait``), a busy write makes one more try.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Final

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store import contacts as contact_store

logger = logging.getLogger(__name__)

GONE = "The contact is no longer in the mirror; a sync may have removed it."
#: How long a write keeps trying while another writer holds the mirror, in seconds.
PATIENCE_S: Final = 300.0


class _Outcome(QObject):
    """Lives on the UI thread; the runnables emit through it, so delivery is queued there.

    It has no parent: the runnables hold it, so it outlives the writer if it must.
    """

    saved = Signal(str, bool)
    failed = Signal(str, bool, str)
    waiting = Signal(str, bool)


class _Write(QRunnable):
    def __init__(
        self,
        outcome: _Outcome,
        path: Path,
        contact_id: str,
        flag: bool,
        busy_timeout_ms: int,
        *,
        patience_s: float,
        quitting: threading.Event,
    ) -> None:
        super().__init__()
        self._outcome = outcome
        self._path = path
        self._contact_id = contact_id
        self._flag = flag
        self._busy_timeout_ms = busy_timeout_ms
        self._patience_s = patience_s
        self._quitting = quitting

    def _save(self) -> bool:
        """Save, trying again while the mirror is busy and patience lasts."""
        deadline = time.monotonic() + self._patience_s
        told = False
        while True:
            try:
                return contact_store.save_campaign(
                    self._path, self._contact_id, self._flag, busy_timeout_ms=self._busy_timeout_ms
                )
            except contact_store.MirrorBusyError:
                if self._quitting.is_set() or time.monotonic() >= deadline:
                    raise
                if not told:
                    told = True
                    self._outcome.waiting.emit(self._contact_id, self._flag)

    def run(self) -> None:
        contact_id, flag = self._contact_id, self._flag
        try:
            found = self._save()
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
    #: (contact id, flag asked for): another writer holds the mirror; still trying
    waiting = Signal(str, bool)

    def __init__(
        self,
        path: Path,
        parent: QObject | None = None,
        *,
        busy_timeout_ms: int | None = None,
        patience_s: float | None = None,
    ) -> None:
        super().__init__(parent)
        self._path = path
        self.busy_timeout_ms = (
            contact_store.EDIT_BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms
        )
        self.patience_s = PATIENCE_S if patience_s is None else patience_s
        self._quitting = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._outcome = _Outcome()
        self._outcome.saved.connect(self.saved)
        self._outcome.failed.connect(self.failed)
        self._outcome.waiting.connect(self.waiting)

    def submit(self, contact_id: str, flag: bool) -> None:
        """Queue the write; returns at once."""
        self._pool.start(
            _Write(
                self._outcome,
                self._path,
                contact_id,
                flag,
                self.busy_timeout_ms,
                patience_s=self.patience_s,
                quitting=self._quitting,
            )
        )

    def wait(self, msecs: int = -1) -> bool:
        """Block until every queued write has ended (on quit, so no edit is lost); a write
        waiting for a busy mirror makes one more try rather than waiting out its patience."""
        self._quitting.set()
        try:
            return self._pool.waitForDone(msecs)
        finally:
            self._quitting.clear()
