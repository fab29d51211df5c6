"""A strip above the table for an edit that did not save: what happened, Retry, dismiss.

Not modal: the user can go on working, and the message stays until it is dealt with or
replaced, unlike a status bar message that times out unread.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QWidget,
)


class NoticeBanner(QFrame):
    """Shows one notice at a time; ``retry_requested`` when its Retry is pressed."""

    retry_requested = Signal()

    def __init__(self, object_name: str = "noticeBanner", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.message.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.retry_button = QPushButton("Retry")
        self.retry_button.setAutoDefault(False)
        self.retry_button.clicked.connect(self._on_retry)
        self.close_button = QToolButton()
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self.hide)
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(10, 6, 6, 6)
        self._row.setSpacing(8)
        self._row.addWidget(self.message, 1)
        self._row.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self._row.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.hide()

    def add_button(self, button: QPushButton) -> None:
        """Put another action before Retry (e.g. Settings… for a refused token)."""
        button.setAutoDefault(False)
        self._row.insertWidget(
            self._row.indexOf(self.retry_button), button, 0, Qt.AlignmentFlag.AlignVCenter
        )

    def show_notice(self, headline: str, detail: str) -> None:
        self.message.setText(f"<b>{html.escape(headline)}</b> {html.escape(detail)}")
        self.show()

    def _on_retry(self) -> None:
        self.hide()
        self.retry_requested.emit()
