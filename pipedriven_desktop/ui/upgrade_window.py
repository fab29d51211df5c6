"""The small window shown while a mirror made by an earlier version is upgraded.

The upgrade (a backup, then the migrations) can take minutes on a large mirror and must
finish before the main window can read it; this window says what is happening meanwhile:
"step N of M", the backup's share copied, a busy bar while a migration runs, and in words
what went wrong if it failed (the mirror is then as it was, and the backup is named).
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.ui.style import heading, muted
from pipedriven_desktop.ui.upgrade_worker import UpgradeWorker

if TYPE_CHECKING:
    from pipedriven_desktop.store.database import Database, MirrorFile
    from pipedriven_desktop.store.migrate import UpgradeProgress

TEXT_WIDTH = 480
#: The bar's range while the backup copies: per mille, so a 1M-page copy still moves smoothly.
BAR_STEPS = 1000
TITLE = "Upgrading your mirror…"
FAILED_TITLE = "Your mirror could not be upgraded"
INTRO = (
    "This version of Pipedriven Desktop keeps your Pipedrive data in a newer form, so "
    "the copy on this computer is upgraded once, before the window opens. On a large "
    "mirror this takes a few minutes."
)
CLOSING_NOTE = (
    "Closing this window stops the upgrade: the mirror stays as it was, and the upgrade "
    "starts again the next time the app opens."
)


def step_text(progress: UpgradeProgress) -> str:
    return f"Step {progress.step} of {progress.steps}: {progress.label}"


def left_as_it_was(backup: str | None) -> str:
    """What the user still has after a failed upgrade."""
    if backup is None:
        return "Your mirror was left as it was."
    return f"Your mirror was left as it was. A copy taken before the upgrade is at {backup}."


class UpgradeWindow(QWidget):
    """Runs the upgrade of ``mirror`` off the UI thread and shows how far it got."""

    #: Database: upgraded; the caller opens the main window on it and closes this one
    upgraded = Signal(object)
    #: the reason in words; the window now shows it with a Quit button
    failed = Signal(str)
    #: the window was closed (by Quit, or by the user during the upgrade)
    dismissed = Signal()

    def __init__(self, mirror: MirrorFile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Pipedriven Desktop — upgrading the mirror")
        self.mirror = mirror
        self.backup: str | None = None
        self.finished = False

        self.title = QLabel(TITLE)
        heading(self.title, 1.4)
        self.intro = QLabel(INTRO)
        self.step = QLabel("Starting…")
        heading(self.step, 1.0)
        self.bar = QProgressBar()
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.detail = QLabel(f"Mirror: {mirror.path}")
        self.error = QLabel()
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.note = QLabel(CLOSING_NOTE)
        self.quit_button = QPushButton("Quit")
        self.quit_button.clicked.connect(self.close)
        self.quit_button.hide()
        for label in (self.intro, self.detail, self.note):
            muted(label)
        for label in (self.intro, self.step, self.detail, self.error, self.note):
            label.setWordWrap(True)
            label.setFixedWidth(TEXT_WIDTH)

        column = QVBoxLayout()
        column.setSpacing(10)
        column.addStretch(1)  # centred when the window is larger than its text
        column.addWidget(self.title)
        column.addWidget(self.intro)
        column.addSpacing(8)
        column.addWidget(self.step)
        column.addWidget(self.bar)
        column.addWidget(self.detail)
        column.addWidget(self.error)
        column.addSpacing(8)
        column.addWidget(self.note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.quit_button)
        column.addLayout(buttons)
        column.addStretch(1)
        centred = QHBoxLayout(self)
        centred.setContentsMargins(32, 28, 32, 28)
        centred.addStretch(1)
        centred.addLayout(column)
        centred.addStretch(1)

        self.worker = UpgradeWorker(mirror)
        self.worker.progressed.connect(self._on_progress)
        self.worker.upgraded.connect(self._on_upgraded)
        self.worker.failed.connect(self._on_failed)

    def start(self) -> None:
        """Start the upgrade; the outcome comes as ``upgraded`` or ``failed``."""
        self.worker.start()

    def _on_progress(self, progress: UpgradeProgress) -> None:
        if self.finished:
            return
        self.step.setText(step_text(progress))
        if progress.backup is not None:
            self.backup = str(progress.backup)
        if progress.done is not None and progress.total:
            self.bar.setRange(0, BAR_STEPS)
            self.bar.setValue(progress.done * BAR_STEPS // progress.total)
            self.bar.setTextVisible(True)
            self.detail.setText(
                f"{progress.done * 100 // progress.total}% copied, so that nothing is lost "
                "if the upgrade fails"
            )
        elif progress.done is None and progress.total is None:
            self.bar.setRange(0, 0)  # busy: a migration reports no share of its work
            self.bar.setTextVisible(False)
            self.detail.setText(
                "Copying the mirror first, so that nothing is lost if the upgrade fails"
                if progress.copying
                else "Rebuilding what this version needs; the window opens when it is done"
            )

    def _on_upgraded(self, db: Database) -> None:
        self.finished = True
        self.upgraded.emit(db)

    def _on_failed(self, reason: str) -> None:
        self.finished = True
        self.title.setText(FAILED_TITLE)
        self.step.hide()
        self.bar.hide()
        self.intro.hide()
        self.detail.hide()
        self.error.setText(
            f"<p>{html.escape(reason)}</p><p>{html.escape(left_as_it_was(self.backup))}</p>"
        )
        self.error.show()
        self.note.setText("The details are in the log.")
        self.quit_button.show()
        self.quit_button.setFocus()
        self.failed.emit(reason)

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.dismissed.emit()
