"""First run: with no token and no data, offer to connect or to explore demo data."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from pipedriven_desktop.ui.style import heading, muted

TEXT_WIDTH = 560


class WelcomePanel(QWidget):
    connect_requested = Signal()
    demo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcome")
        title = QLabel("Welcome to Pipedriven Desktop")
        heading(title, 1.8)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(
            "Your Pipedrive contacts, on this computer, in the order to work them: "
            "My-500 opens in a blink, works offline, and explains every warmness score.\n\n"
            "Connect your Pipedrive account with an API token, or look around first with a "
            "realistic demo account that runs entirely on this computer."
        )
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setFixedWidth(TEXT_WIDTH)  # a fixed width lets the wrapped text get its height
        muted(text)

        self.connect_button = QPushButton("Connect to Pipedrive…")
        self.connect_button.setObjectName("welcomeConnect")
        self.connect_button.setDefault(True)
        self.connect_button.clicked.connect(self.connect_requested)
        self.demo_button = QPushButton("Explore with demo data")
        self.demo_button.setObjectName("welcomeDemo")
        self.demo_button.clicked.connect(self.demo_requested)
        for button in (self.connect_button, self.demo_button):
            button.setMinimumHeight(button.sizeHint().height() + 10)
            button.setMinimumWidth(200)

        buttons = QHBoxLayout()
        buttons.setSpacing(12)
        buttons.addStretch(1)
        buttons.addWidget(self.connect_button)
        buttons.addWidget(self.demo_button)
        buttons.addStretch(1)

        column = QVBoxLayout()
        column.setSpacing(16)
        column.addWidget(title)
        text_row = QHBoxLayout()
        text_row.addStretch(1)
        text_row.addWidget(text)
        text_row.addStretch(1)
        column.addLayout(text_row)
        column.addSpacing(8)
        column.addLayout(buttons)

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addLayout(column)
        layout.addStretch(3)
