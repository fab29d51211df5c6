"""Sync on a QThread: the only Qt module of the sync package.

``SyncWorker`` is a QObject moved to a QThread. It runs ``sync.service.run_sync`` there,
turns its progress callback into the ``progress`` signal and ends with exactly one of
``finished(result)``, ``failed(message, auth_error)`` or ``cancelled()``. ``cancel()`` sets
a flag, which the service checks between pages, so a page is never half written, and
cancels the client, which abandons the request in flight at once: a cancel takes effect
within a fraction of a second even while Pipedrive trickles an answer.
``SyncController`` owns the thread's lifetime: one run at a time, and ``shutdown()``
cancels and joins the thread when the app quits, waiting a bounded time.

The network client and the service are imported inside the thread, so a window that
never syncs never pays for importing them.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThread, Signal, Slot

from pipedriven_desktop.sync.gc_scope import heap_frozen

if TYPE_CHECKING:
    from pipedriven_desktop.pipedrive.client import PipedriveClient
    from pipedriven_desktop.pipedrive.errors import PipedriveError
    from pipedriven_desktop.store.database import Database
    from pipedriven_desktop.sync.service import SyncProgress

logger = logging.getLogger(__name__)

#: Progress reaches the UI at most this often (plus every change of entity).
PROGRESS_INTERVAL_S = 0.05
#: Contacts written during a sync reach the table at most this often (``rows_written``).
ROWS_INTERVAL_S = 1.0
#: How long the sync waits for the window to show them. Painting rows is Python work on
#: the UI thread; while the sync thread runs, every call into it waits for the GIL, which
#: makes a 20 ms paint take 200 ms. Paused between pages, the sync lets it take 20.
UI_PAUSE_MAX_S = 0.5
#: How long quitting waits for a cancelled run (a cancel normally ends it in well under 1 s).
SHUTDOWN_WAIT_MS = 5000

ClientFactory = Callable[[str, str], "PipedriveClient"]


def _default_client(base_url: str, token: str) -> PipedriveClient:
    from pipedriven_desktop.pipedrive.client import PipedriveClient

    return PipedriveClient(base_url, token)


class SyncWorker(QObject):
    """One sync run; create it, move it to a thread, connect ``thread.started`` to ``run``."""

    #: entity ("organizations", "persons", ...), records done so far, total if known (or None)
    progress = Signal(str, int, object)
    #: the service's SyncResult
    finished = Signal(object)
    #: a message for the user, and whether the token was refused (401/403)
    failed = Signal(str, bool)
    cancelled = Signal()
    #: emitted before ``failed`` when Pipedrive could not be reached at all
    offline = Signal()
    #: a request failed and will be tried again: why, and the seconds until the next attempt
    retrying = Signal(str, float)
    #: a page of contacts was written (at most once a ROWS_INTERVAL_S); with ``live_rows``
    #: the sync then waits, between pages, until ``ui_caught_up()`` (or UI_PAUSE_MAX_S)
    rows_written = Signal()

    def __init__(
        self,
        db: Database,
        base_url: str,
        token: str,
        *,
        full: bool = False,
        client_factory: ClientFactory | None = None,
        live_rows: bool = False,
    ) -> None:
        super().__init__()
        self._live_rows = live_rows
        self._ui_ready = threading.Event()
        self._last_rows = 0.0
        self._db = db
        self._base_url = base_url
        self._token = token
        self._full = full
        self._client_factory = client_factory or _default_client
        self._cancel = threading.Event()
        self._client: PipedriveClient | None = None
        self._last_entity = ""
        self._last_emit = 0.0

    def cancel(self) -> None:
        """Ask the run to stop: the request in flight is abandoned, the page being written
        is finished; safe from any thread."""
        self._cancel.set()
        self._ui_ready.set()  # never wait for the window while cancelling
        client = self._client
        if client is not None:
            client.cancel()

    def ui_caught_up(self) -> None:
        """The window has shown the rows written so far: the sync may go on (any thread)."""
        self._ui_ready.set()

    @property
    def cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @Slot()
    def run(self) -> None:
        try:
            from pipedriven_desktop.pipedrive.errors import (
                AuthError,
                PipedriveConnectionError,
                PipedriveError,
                RequestCancelledError,
            )
            from pipedriven_desktop.redaction import redact, register_secret
            from pipedriven_desktop.store.database import DatabaseError
            from pipedriven_desktop.sync import service
        except ImportError as exc:  # a build without the sync service
            logger.exception("sync service unavailable")
            self.failed.emit(f"Sync is not available in this build ({exc.name}).", False)
            return
        token, self._token = self._token, ""
        register_secret(token)
        try:
            client = self._client_factory(self._base_url, token)
            client.on_retry = self._on_retry
            self._client = client
            if self._cancel.is_set():  # cancelled before the client existed
                client.cancel()
            try:
                result = service.run_sync(
                    self._db,
                    client,
                    full=self._full,
                    progress=self._on_progress,
                    should_cancel=self._cancel.is_set,
                    # Rows shown as they arrive must be committed when shown.
                    pages_per_commit=1 if self._live_rows else None,
                )
            finally:
                self._client = None
                client.close()
        except (service.SyncCancelledError, RequestCancelledError):
            logger.info("sync cancelled")
            self.cancelled.emit()
        except AuthError as exc:
            logger.warning("sync refused: %s", exc.message)
            self.failed.emit(redact(exc.message), True)
        except PipedriveConnectionError as exc:
            logger.warning("sync offline: %s", exc.message)
            self.offline.emit()
            self.failed.emit(redact(exc.message), False)
        except PipedriveError as exc:
            logger.warning("sync failed: %s", exc.message)
            self.failed.emit(redact(exc.message), False)
        except DatabaseError as exc:  # e.g. another sync holds the mirror
            logger.warning("sync stopped: %s", exc)
            self.failed.emit(redact(str(exc)), False)
        except ValueError as exc:  # an unusable base URL, from the client's constructor
            logger.warning("sync not started: %s", exc)
            self.failed.emit(redact(str(exc)), False)
        except Exception as exc:
            logger.exception("sync crashed")
            self.failed.emit(
                f"Sync stopped on an unexpected error ({type(exc).__name__}); "
                "the details are in the log.",
                False,
            )
        else:
            logger.info("sync finished: %s", result)
            self.finished.emit(result)

    def _on_retry(self, error: PipedriveError, wait: float) -> None:
        from pipedriven_desktop.redaction import redact

        logger.info("retrying in %.1f s: %s", wait, error.message)
        self.retrying.emit(redact(error.message), float(wait))

    def _on_progress(self, update: SyncProgress) -> None:
        entity, done, total = update.entity, update.done, update.total
        now = time.monotonic()
        if (
            entity != self._last_entity
            or now - self._last_emit >= PROGRESS_INTERVAL_S
            or (total is not None and done >= total)
        ):
            self._last_entity = entity
            self._last_emit = now
            self.progress.emit(str(entity), int(done), total)
        if self._live_rows and entity == "persons" and now - self._last_rows >= ROWS_INTERVAL_S:
            self._last_rows = now
            self._ui_ready.clear()
            self.rows_written.emit()
            if not self._cancel.is_set():
                self._ui_ready.wait(UI_PAUSE_MAX_S)


class SyncController(QObject):
    """Runs one ``SyncWorker`` at a time on its own QThread and relays its signals."""

    started = Signal()
    progress = Signal(str, int, object)
    finished = Signal(object)
    failed = Signal(str, bool)
    cancelled = Signal()
    offline = Signal()
    retrying = Signal(str, float)
    rows_written = Signal()
    #: the thread has ended, whatever the outcome
    stopped = Signal()

    def __init__(
        self, parent: QObject | None = None, *, client_factory: ClientFactory | None = None
    ) -> None:
        super().__init__(parent)
        self._client_factory = client_factory
        self._thread: QThread | None = None
        self._worker: SyncWorker | None = None
        self._heap = contextlib.ExitStack()

    def is_running(self) -> bool:
        return self._thread is not None

    def start(
        self,
        db: Database,
        base_url: str,
        token: str,
        *,
        full: bool = False,
        live_rows: bool = False,
    ) -> bool:
        """Start a run; False (and nothing happens) when one is already running.

        ``live_rows``: the caller shows contacts while they arrive, and answers each
        ``rows_written`` with ``ui_caught_up()``.
        """
        if self._thread is not None:
            return False
        # Until the run ends, the collector's full passes skip what is alive now.
        self._heap.enter_context(heap_frozen())
        thread = QThread()
        thread.setObjectName("sync")
        worker = SyncWorker(
            db,
            base_url,
            token,
            full=full,
            client_factory=self._client_factory,
            live_rows=live_rows,
        )
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progress.connect(self.progress)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        worker.cancelled.connect(self._on_cancelled)
        worker.offline.connect(self.offline)
        worker.retrying.connect(self.retrying)
        worker.rows_written.connect(self.rows_written)
        thread.finished.connect(self._on_thread_finished)
        self._thread, self._worker = thread, worker
        thread.start()
        self.started.emit()
        return True

    def cancel(self) -> None:
        if self._worker is not None:
            self._worker.cancel()

    def ui_caught_up(self) -> None:
        if self._worker is not None:
            self._worker.ui_caught_up()

    def shutdown(self, wait_ms: int = SHUTDOWN_WAIT_MS) -> bool:
        """Cancel any run and join its thread (on quit), waiting at most ``wait_ms``.

        True once no run is left. False if the run did not end in time: it is left
        running, and should the interpreter exit before it ends, the process exits at
        once instead of letting Qt abort on a running QThread being destroyed (the mirror
        stays whole either way: every page is one SQLite transaction).
        """
        thread, worker = self._thread, self._worker
        if thread is None or worker is None:
            return True
        thread.finished.disconnect(self._on_thread_finished)
        for signal in (worker.progress, worker.finished, worker.failed, worker.cancelled):
            signal.disconnect()
        worker.offline.disconnect()
        worker.retrying.disconnect()
        worker.rows_written.disconnect()
        worker.cancel()
        thread.quit()
        if not thread.wait(wait_ms):
            logger.warning("the sync did not stop within %d ms of quitting", wait_ms)
            _still_running.append((thread, worker))
            self._thread = self._worker = None
            return False
        self._release()
        return True

    # -- slots (UI thread) ----------------------------------------------------------------------

    def _on_finished(self, result: object) -> None:
        self._quit_thread()
        self.finished.emit(result)

    def _on_failed(self, message: str, auth_error: bool) -> None:
        self._quit_thread()
        self.failed.emit(message, auth_error)

    def _on_cancelled(self) -> None:
        self._quit_thread()
        self.cancelled.emit()

    def _quit_thread(self) -> None:
        if self._thread is not None:
            self._thread.quit()

    def _on_thread_finished(self) -> None:
        if self._thread is not None:
            self._thread.wait()
        self._release()
        self.stopped.emit()

    def _release(self) -> None:
        thread, worker = self._thread, self._worker
        self._thread = self._worker = None
        self._heap.close()
        if worker is not None:
            worker.deleteLater()
        if thread is not None:
            thread.deleteLater()


#: Sync threads (and workers) that outlived ``shutdown``, kept so Python never destroys them.
_still_running: list[tuple[QThread, SyncWorker]] = []


@atexit.register
def _exit_past_running_syncs() -> None:
    """At interpreter exit, a QThread still running would be destroyed and Qt would abort
    the process: end it here instead, which leaves the mirror as whole as a kill does."""
    if any(thread.isRunning() for thread, _ in _still_running):
        logging.shutdown()
        os._exit(0)
