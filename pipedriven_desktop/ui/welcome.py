"""First run: connect or explore the demo; then the first sync's progress, retries and errors.

The panel stays up from the saved token until the first contacts are written, so the
newcomer always sees what is happening: which entity is being fetched, a retry with its
reason and countdown, or an error in words with a way on (try again, change the token).
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.ui.style import heading, muted

TEXT_WIDTH = 560
COUNTDOWN_TICK_MS = 1000


def retry_text(reason: str, seconds: float) -> str:
    """'Pipedrive is having trouble (HTTP 503). Trying again in 4 s…'.

    Only the reason's first sentence: the rest is advice for a final failure ("Try again
    later."), which would contradict the countdown.
    """
    first = reason.strip().split(". ", 1)[0].rstrip(".")
    return f"{first}. Trying again {_when(seconds)}…"


def short_retry_text(_reason: str, seconds: float) -> str:
    """'Retrying in 4 s…', for the narrow sync bar (the reason goes in its tooltip)."""
    return f"Retrying {_when(seconds)}…"


def _when(seconds: float) -> str:
    left = max(0, math.ceil(seconds))
    return f"in {left} s" if left > 0 else "now"


class Countdown(QTimer):
    """Ticks once a second with the whole seconds left until a retry (shared with the sync bar)."""

    tick = Signal(str)

    def __init__(self, parent: QWidget, text: Callable[[str, float], str] = retry_text) -> None:
        super().__init__(parent)
        self._text = text
        self.setInterval(COUNTDOWN_TICK_MS)
        self.timeout.connect(self._on_timeout)
        self._reason = ""
        self._left = 0.0

    def begin(self, reason: str, seconds: float) -> str:
        self._reason, self._left = reason, seconds
        self.start()
        return self._text(reason, seconds)

    def _on_timeout(self) -> None:
        self._left -= COUNTDOWN_TICK_MS / 1000
        if self._left <= 0:
            self.stop()
        self.tick.emit(self._text(self._reason, self._left))


class WelcomePanel(QWidget):
    connect_requested = Signal()
    demo_requested = Signal()
    #: Try again after a failed first sync
    retry_requested = Signal()
    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        title = QLabel("Welcome to Pipedriven Desktop")
        heading(title, 1.8)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text = QLabel(
            "Your Pipedrive contacts, on this computer, in the order to work them: "
            "My-500 opens in a blink, works offline, and explains every warmness score.\n\n"
            "Connect your Pipedrive account with an API token, or look around first with a "
            "realistic demo account that runs entirely on this computer."
        )
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.text.setFixedWidth(TEXT_WIDTH)  # a fixed width lets the wrapped text get its height
        muted(self.text)

        self.connect_button = QPushButton("Connect to Pipedrive…")
        self.connect_button.setObjectName("welcomeConnect")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_requested)
        self.demo_button = QPushButton("Explore with demo data")
        self.demo_button.setObjectName("welcomeDemo")
        self.demo_button.clicked.connect(self.demo_requested)
        self.retry_button = QPushButton("Try again")
        self.retry_button.setObjectName("welcomeRetry")
        self.retry_button.clicked.connect(self.retry_requested)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("welcomeCancel")
        self.cancel_button.clicked.connect(self._on_cancel)
        for button in (self.connect_button, self.demo_button, self.retry_button):
            button.setMinimumHeight(button.sizeHint().height() + 10)
            button.setMinimumWidth(200)

        # The first sync: what is being fetched, a bar, and a retry or an error in words.
        self.sync_title = QLabel()
        self.sync_title.setObjectName("welcomeSyncTitle")
        heading(self.sync_title, 1.1)
        self.sync_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress_label = QLabel()
        self.progress_label.setObjectName("welcomeProgress")
        self.progress_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.progress = QProgressBar()
        self.progress.setObjectName("welcomeProgressBar")
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(TEXT_WIDTH // 2 + 80)
        self.detail = QLabel()
        self.detail.setObjectName("welcomeDetail")
        self.detail.setWordWrap(True)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.detail.setFixedWidth(TEXT_WIDTH)
        self.detail.setTextFormat(Qt.TextFormat.RichText)
        self._countdown = Countdown(self)
        self._countdown.tick.connect(self._show_detail)

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addStretch(1)
        for button in (self.retry_button, self.connect_button, self.demo_button):
            buttons.addWidget(button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)

        column = QVBoxLayout()
        column.setSpacing(16)
        column.addWidget(title)
        column.addLayout(_centered(self.text))
        column.addSpacing(8)
        column.addWidget(self.sync_title)
        column.addWidget(self.progress_label)
        column.addLayout(_centered(self.progress))
        column.addLayout(_centered(self.detail))
        column.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addLayout(column)
        layout.addStretch(3)
        self.show_choice()

    # -- states ---------------------------------------------------------------------------------

    def show_choice(self, note: str = "") -> None:
        """Connect or demo; ``note`` says why we are back here (e.g. a cancelled first sync)."""
        self._countdown.stop()
        self._set_sync_visible(False)
        self.detail.setText(html.escape(note))
        self.detail.setVisible(bool(note))
        self._set_buttons(connect=True, demo=True)
        self.connect_button.setText("Connect to Pipedrive…")

    def show_syncing(self, title: str = "Fetching your Pipedrive data…") -> None:
        """The token is saved: the first sync is starting."""
        self._countdown.stop()
        self._set_sync_visible(True)
        self.sync_title.setText(title)
        self.progress_label.setText("Connecting to Pipedrive…")
        self.progress.setRange(0, 0)
        self.detail.clear()
        self.detail.hide()
        self._set_buttons(cancel=True)

    def show_progress(self, text: str, done: int = 0, total: object = None) -> None:
        self._countdown.stop()
        self.detail.hide()
        self.progress_label.setText(text)
        if isinstance(total, int) and total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))
        else:
            self.progress.setRange(0, 0)

    def show_retrying(self, reason: str, seconds: float) -> None:
        self._show_detail(self._countdown.begin(reason, seconds))

    def show_failure(self, message: str, *, auth_error: bool) -> None:
        """The first sync stopped on an error: say it in words and offer a way on."""
        self._countdown.stop()
        self._set_sync_visible(True)
        self.progress.hide()
        if auth_error:
            self.sync_title.setText("Pipedrive did not accept the API token")
            advice = "Check the token in Pipedrive (Settings → Personal preferences → API)."
        else:
            self.sync_title.setText("The first sync could not finish")
            advice = "Nothing is lost: the next try goes on from where this one stopped."
        self.progress_label.setText(message)
        self.progress_label.setWordWrap(True)
        self._show_detail(advice)
        self._set_buttons(retry=not auth_error, connect=True, demo=True)
        self.retry_button.setText("Try again")
        self.connect_button.setText("Change token…")

    def show_cancelled(self) -> None:
        """Cancelled before any contact arrived: nothing to show yet, a way to go on."""
        self._countdown.stop()
        self._set_sync_visible(True)
        self.progress.hide()
        self.sync_title.setText("The first sync was cancelled")
        self.progress_label.setText("No contacts have arrived yet.")
        self._show_detail("Continue when you are ready: what was fetched so far is kept.")
        self._set_buttons(retry=True, connect=True, demo=True)
        self.retry_button.setText("Continue sync")
        self.connect_button.setText("Change token…")

    # -- helpers --------------------------------------------------------------------------------

    def _show_detail(self, text: str) -> None:
        self.detail.setText(html.escape(text))
        self.detail.show()

    def _set_sync_visible(self, visible: bool) -> None:
        self.text.setVisible(not visible)
        for widget in (self.sync_title, self.progress_label, self.progress):
            widget.setVisible(visible)

    def _set_buttons(
        self,
        *,
        retry: bool = False,
        connect: bool = False,
        demo: bool = False,
        cancel: bool = False,
    ) -> None:
        self.retry_button.setVisible(retry)
        self.connect_button.setVisible(connect)
        self.demo_button.setVisible(demo)
        self.cancel_button.setVisible(cancel)
        self.cancel_button.setEnabled(cancel)

    def _on_cancel(self) -> None:
        self.cancel_button.setEnabled(False)
        self.progress_label.setText("Stopping…")
        self.cancel_requested.emit()


def _centered(widget: QWidget) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(widget)
    row.addStretch(1)
    return row
