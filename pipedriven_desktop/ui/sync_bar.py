"""Sync now: the button, the progress of a running sync with Cancel, and a failure banner.

The bar only shows what the ``SyncController`` reports; it never touches the network
or the database itself.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from pipedriven_desktop.sync.worker import SyncController
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.notice_banner import NoticeBanner
from pipedriven_desktop.ui.welcome import Countdown, short_retry_text

ENTITY_LABELS: dict[str, str] = {
    "organizations": "Organizations",
    "persons": "Contacts",
    "activities": "Activities",
    "deals": "Deals",
    "scores": "Warmness scores",
    "reconcile": "Checking deletions",
}


def progress_text(entity: str, done: int, total: object) -> str:
    label = ENTITY_LABELS.get(entity, entity.replace("_", " ").capitalize())
    if isinstance(total, int) and total > 0:
        return f"{label}: {formatting.count(done)} of {formatting.count(total)}"
    return f"{label}: {formatting.count(done)}"


class SyncBar(QWidget):
    """'Sync now' when idle; progress, counts and Cancel while a sync runs."""

    sync_requested = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._controller = controller
        self.sync_button = QPushButton("Sync now")
        self.sync_button.setObjectName("syncNow")
        self.sync_button.setToolTip("Fetch what changed in Pipedrive (F5)")
        self.sync_button.setDefault(False)
        self.sync_button.setAutoDefault(False)
        self.sync_button.clicked.connect(self.sync_requested)

        self.progress_label = QLabel()
        self.progress_label.setObjectName("syncProgressLabel")
        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(140)
        self.progress.setMaximumHeight(self.fontMetrics().height())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("syncCancel")
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.setToolTip("Stop after the current page; nothing fetched so far is lost")
        self.cancel_button.clicked.connect(self._on_cancel)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.cancel_button)
        layout.addWidget(self.sync_button)

        # Exactly as wide as what it shows, so the search field gets the room back after a sync.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        controller.started.connect(self._on_started)
        controller.progress.connect(self._on_progress)
        controller.retrying.connect(self.show_retrying)
        self._countdown = Countdown(self, short_retry_text)
        self._countdown.tick.connect(self.progress_label.setText)
        controller.stopped.connect(self._on_stopped)
        self._set_running(False)

    def _set_running(self, running: bool) -> None:
        self.sync_button.setEnabled(not running)
        self.sync_button.setText("Syncing…" if running else "Sync now")
        self.progress_label.setVisible(running)
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.updateGeometry()

    def _on_started(self) -> None:
        self.progress.setRange(0, 0)
        self.progress_label.setText("Connecting to Pipedrive…")
        self._set_running(True)

    def show_retrying(self, reason: str, seconds: float) -> None:
        """A request failed and will be tried again: the countdown, the reason in the tooltip."""
        self.progress_label.setText(self._countdown.begin(reason, seconds))
        self.progress_label.setToolTip(reason)
        self.updateGeometry()

    def _on_progress(self, entity: str, done: int, total: object) -> None:
        self._countdown.stop()
        self.progress_label.setToolTip("")
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)
        self.progress_label.setText(progress_text(entity, done, total))
        self.updateGeometry()

    def _on_cancel(self) -> None:
        self._countdown.stop()
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Stopping after this page…")
        self._controller.cancel()

    def _on_stopped(self) -> None:
        self._countdown.stop()
        self.progress_label.setToolTip("")
        self._set_running(False)


class SyncBanner(NoticeBanner):
    """A non-modal strip above the table: what went wrong, Retry, and a way to dismiss it."""

    settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("syncBanner", parent)
        self.message.setObjectName("syncBannerMessage")
        self.retry_button.setObjectName("syncRetry")
        self.settings_button = QPushButton("Settings…")
        self.settings_button.clicked.connect(self.settings_requested)
        self.add_button(self.settings_button)

    def show_failure(self, message: str, *, auth_error: bool = False) -> None:
        prefix = "Sync failed" if not auth_error else "Pipedrive refused the token"
        self.message.setText(f"<b>{prefix}.</b> {html.escape(message)}")
        self.settings_button.setVisible(auth_error)
        self.show()
