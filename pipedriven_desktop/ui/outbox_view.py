"""The outbox: every change made here that Pipedrive does not have yet, and what it said.

Waiting ones go out in this order at the next sync; a refused one stays with Pipedrive's
reason in words until the user edits it (the edit is its fix), retries it unchanged, or
discards it (which undoes it in the mirror too). Nothing here writes: the buttons ask, the
window's ``ActionsController`` writes off the UI thread, and the list is reloaded.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.actions import OutboxEntry
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.style import heading, muted

HEADERS = ("#", "Change", "Contact", "State", "Made")
NUMBER, CHANGE, CONTACT, STATE, MADE = range(5)
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1

STATE_TEXTS = {
    "waiting": "Waiting",
    "sending": "Being sent — checked before any resend",
    "refused": "Refused",
}

Index = QModelIndex | QPersistentModelIndex


def state_text(entry: OutboxEntry) -> str:
    """'Waiting', or 'Refused: the person was deleted in Pipedrive'."""
    text = STATE_TEXTS.get(entry.state, entry.state)
    if entry.state == "refused" and entry.error:
        return f"{text}: {entry.error}"
    return text


class OutboxModel(QAbstractTableModel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: tuple[OutboxEntry, ...] = ()
        self._now: datetime = utcnow()

    def set_entries(self, entries: tuple[OutboxEntry, ...], now: datetime | None = None) -> None:
        self.beginResetModel()
        self._entries = entries
        self._now = now or utcnow()
        self.endResetModel()

    def entry(self, row: int) -> OutboxEntry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def row_of(self, outbox_id: int) -> int | None:
        return next((n for n, e in enumerate(self._entries) if e.id == outbox_id), None)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        entry = self.entry(index.row())
        if entry is None:
            return None
        column = index.column()
        if role == ENTRY_ROLE:
            return entry
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == STATE:
                return state_text(entry)
            if column == MADE:
                return formatting.full_datetime(entry.created_at)
            return entry.summary
        if role == Qt.ItemDataRole.FontRole and column == STATE and entry.state == "refused":
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _display(self, entry: OutboxEntry, column: int) -> str:
        if column == NUMBER:
            return str(entry.id)
        if column == CHANGE:
            return entry.summary
        if column == CONTACT:
            return entry.contact_name or "(no longer in the mirror)"
        if column == STATE:
            prefix = "⚠ " if entry.state == "refused" else "↑ "
            return prefix + state_text(entry)
        return formatting.relative_past(entry.created_at, self._now)


class OutboxDialog(QDialog):
    """The outbox list with Edit, Retry, Discard and Send now."""

    #: (OutboxEntry) change it / try it again unchanged / drop it
    edit_requested = Signal(object)
    retry_requested = Signal(object)
    discard_requested = Signal(object)
    #: send everything now (a sync)
    send_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outboxDialog")
        self.setWindowTitle("Outbox")
        self.model = OutboxModel(self)
        #: Asks before a discard; tests replace it.
        self.confirm_discard: Callable[[OutboxEntry], bool] = self._ask_discard

        title = QLabel("Changes not yet in Pipedrive")
        heading(title, 1.25)
        self.summary = QLabel()
        self.summary.setObjectName("outboxSummary")
        self.summary.setWordWrap(True)
        muted(self.summary)

        self.view = QTableView()
        self.view.setObjectName("outboxView")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(NUMBER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(CHANGE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CONTACT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(STATE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(MADE, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(CONTACT, 150)
        header.resizeSection(STATE, 260)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_detail())

        self.detail = QLabel()
        self.detail.setObjectName("outboxDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.edit_button = QPushButton("&Edit…")
        self.edit_button.setObjectName("outboxEdit")
        self.edit_button.clicked.connect(lambda: self._emit(self.edit_requested))
        self.retry_button = QPushButton("&Retry")
        self.retry_button.setObjectName("outboxRetry")
        self.retry_button.setToolTip("Send it again unchanged at the next sync")
        self.retry_button.clicked.connect(lambda: self._emit(self.retry_requested))
        self.discard_button = QPushButton("&Discard…")
        self.discard_button.setObjectName("outboxDiscard")
        self.discard_button.setToolTip("Drop it and undo it here; Pipedrive never gets it")
        self.discard_button.clicked.connect(self._discard)
        self.send_button = QPushButton("&Send now")
        self.send_button.setObjectName("outboxSend")
        self.send_button.setToolTip("Sync now: send what waits, then fetch what changed (F5)")
        self.send_button.clicked.connect(self.send_requested)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        for button in (
            self.edit_button,
            self.retry_button,
            self.discard_button,
            self.send_button,
            close,
        ):
            button.setAutoDefault(False)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view, self._discard)
        QShortcut(QKeySequence("F5"), self, self.send_requested.emit)

        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        buttons.addWidget(self.send_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.resize(900, 460)
        self._update_detail()

    def set_entries(self, entries: tuple[OutboxEntry, ...], now: datetime | None = None) -> None:
        """Show these entries, keeping the current one (or its place) selected."""
        current = self.current_entry()
        row = self.view.currentIndex().row()
        self.model.set_entries(entries, now)
        found = self.model.row_of(current.id) if current else None
        if found is None and entries:
            found = min(max(row, 0), len(entries) - 1)
        if found is not None:
            self.view.selectRow(found)
        waiting = sum(1 for e in entries if e.state != "refused")
        refused = len(entries) - waiting
        if not entries:
            self.summary.setText("Nothing waits: Pipedrive has every change made here.")
        else:
            parts = [f"{formatting.plural(waiting, 'change')} waiting for the next sync"]
            if refused:
                parts.append(
                    f"{formatting.count(refused)} refused by Pipedrive: edit, retry or discard"
                )
            self.summary.setText("; ".join(parts) + ".")
        self._update_detail()

    def current_entry(self) -> OutboxEntry | None:
        index = self.view.currentIndex()
        return self.model.entry(index.row()) if index.isValid() else None

    def _update_detail(self) -> None:
        entry = self.current_entry()
        editable = entry is not None and entry.state != "sending"
        self.edit_button.setEnabled(editable and entry is not None and bool(entry.editable))
        self.retry_button.setEnabled(entry is not None and entry.state == "refused")
        self.discard_button.setEnabled(editable)
        if entry is None:
            self.detail.setText("")
            return
        lines = [entry.summary]
        if entry.state == "refused":
            lines.append(entry.error or "Pipedrive refused it and gave no reason.")
        elif entry.state == "sending":
            lines.append(
                "It was being sent when the connection or the app stopped; the next sync "
                "checks whether Pipedrive has it before sending it again."
            )
        if entry.attempts:
            lines.append(f"Tried {formatting.plural(entry.attempts, 'time')}.")
        self.detail.setText("  ".join(lines))

    def _emit(self, signal: SignalInstance) -> None:
        entry = self.current_entry()
        if entry is not None:
            signal.emit(entry)

    def _discard(self) -> None:
        entry = self.current_entry()
        if entry is None or entry.state == "sending":
            return
        if self.confirm_discard(entry):
            self.discard_requested.emit(entry)

    def _ask_discard(self, entry: OutboxEntry) -> bool:
        answer = QMessageBox.question(
            self,
            "Discard this change?",
            f"{entry.summary}\n\nIt is undone here and never sent to Pipedrive.",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Discard
