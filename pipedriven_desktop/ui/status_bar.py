"""The status bar: how many contacts, when the mirror was last synced, how fast the query was,
and how many changes wait in the outbox to be sent (a button that opens it)."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar, QToolButton, QWidget

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.rows import Performance, SyncStatus
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.style import muted

#: What ``sync_runs.error`` holds for a run the user cancelled (not a failure).
CANCELLED = "cancelled"
#: Relative times ("4 min ago") are re-worded this often.
TICK_MS = 30_000


def sync_text(status: SyncStatus | None, now: datetime, *, offline: bool, running: bool) -> str:
    """'Synced 4 min ago', 'Offline, last synced 2 h ago', 'Never synced', 'Syncing…'."""
    if running:
        return "Syncing…"
    last = status.last_finished if status is not None else None
    if offline:
        if last is None:
            return "Offline, never synced"
        return f"Offline, last synced {formatting.relative_past(last, now)}"
    error = status.last_error if status is not None else None
    cancelled = error == CANCELLED
    if last is None:
        if cancelled:
            return "First sync cancelled"
        return "First sync did not finish" if error else "Never synced"
    when = formatting.relative_past(last, now)
    if cancelled:
        return f"Last sync cancelled, last synced {when}"
    if error:
        return f"Last sync failed, last synced {when}"
    return f"Synced {when}"


def outbox_text(waiting: int, refused: int) -> str:
    """'2 changes waiting to be sent · 1 refused'; '' when the outbox is empty."""
    parts = []
    if waiting:
        parts.append(f"{formatting.plural(waiting, 'change')} waiting to be sent")
    if refused:
        parts.append(f"{formatting.count(refused)} refused")
    return " · ".join(parts)


def performance_text(performance: Performance | None) -> str:
    if performance is None:
        return ""
    source = "cache" if performance.cache_hit else "SQLite"
    return f"Query {performance.query_ms:.1f} ms ({source})"


class AppStatusBar(QStatusBar):
    #: the outbox count was clicked
    outbox_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizeGripEnabled(False)
        self.counts = QLabel()
        self.counts.setObjectName("statusCounts")
        self.sync = QLabel()
        self.sync.setObjectName("statusSync")
        self.performance = QLabel()
        self.performance.setObjectName("statusPerformance")
        muted(self.performance)
        self.outbox = QToolButton()
        self.outbox.setObjectName("statusOutbox")
        self.outbox.setAutoRaise(True)
        self.outbox.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Ctrl+Shift+O opens it too
        self.outbox.setToolTip("Changes made here that Pipedrive does not have yet: open the list")
        self.outbox.clicked.connect(self.outbox_requested)
        self.outbox.hide()
        self.addWidget(self.counts)
        # A message covers the counts; Qt shows them again when a second message replaces
        # the first, so they would be drawn under it: hide them while any message shows.
        self.messageChanged.connect(lambda message: self.counts.setVisible(not message))
        self.addPermanentWidget(self.outbox)
        self.addPermanentWidget(self.performance)
        self.addPermanentWidget(self.sync)
        self._status: SyncStatus | None = None
        self._offline = False
        self._running = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._render_sync)
        self._timer.start()

    def set_counts(self, text: str) -> None:
        self.counts.setText(text)

    def set_outbox(self, waiting: int, refused: int) -> None:
        """Say how many changes wait to be sent (and were refused); hidden when none."""
        text = outbox_text(waiting, refused)
        self.outbox.setText(("⚠ " if refused else "↑ ") + text if text else "")
        self.outbox.setVisible(bool(text))

    def set_sync_status(
        self,
        status: SyncStatus | None,
        *,
        offline: bool | None = None,
        running: bool | None = None,
    ) -> None:
        self._status = status
        if offline is not None:
            self._offline = offline
        if running is not None:
            self._running = running
        self._render_sync()

    def set_running(self, running: bool) -> None:
        self._running = running
        self._render_sync()

    def set_offline(self, offline: bool) -> None:
        self._offline = offline
        self._render_sync()

    def set_performance(self, performance: Performance | None) -> None:
        self.performance.setText(performance_text(performance))
        if performance is not None:
            self.performance.setToolTip(
                f"First page of the table: query {performance.query_ms:.2f} ms, "
                f"total {performance.total_ms:.2f} ms, "
                f"{'served from the cache' if performance.cache_hit else 'read from SQLite'}"
            )

    def _render_sync(self) -> None:
        now = utcnow()
        self.sync.setText(
            sync_text(self._status, now, offline=self._offline, running=self._running)
        )
        last = self._status.last_finished if self._status else None
        self.sync.setToolTip(
            f"Last successful sync: {formatting.full_datetime(last)}" if last else "No sync yet"
        )
