"""Search and filters above the table: one search field, warmness bands, two toggles, scope.

Typing is debounced (150 ms) so a burst of keystrokes costs one query, and results
still follow as you type. The search itself is FTS5 in the store (``ContactFilter.search``).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.contact_query import STALE_AFTER_DAYS, WarmnessBand
from pipedriven_desktop.ui.warmness_delegate import warmness_color

SEARCH_DEBOUNCE_MS = 150

BAND_LABELS: dict[WarmnessBand, str] = {
    WarmnessBand.COLD: "Cold",
    WarmnessBand.WARM: "Warm",
    WarmnessBand.HOT: "Hot",
}


@dataclass(frozen=True)
class FilterState:
    """What the bar asks for; the window combines it with the sidebar and the sort."""

    search: str = ""
    band: WarmnessBand | None = None
    in_campaign: bool = False
    stale_only: bool = False
    all_contacts: bool = False


class SearchEdit(QLineEdit):
    """A line edit where Esc clears the text (and only then lets the key through)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self.text():
            self.clear()
            event.accept()
            return
        super().keyPressEvent(event)


def _dot_icon(color: QColor, size: int = 12) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(color)
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line


class FilterBar(QWidget):
    """Emits ``changed`` whenever the effective filter changes (search after a short pause)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search_edit = SearchEdit()
        self.search_edit.setObjectName("search")
        self.search_edit.setPlaceholderText("Search name, email, phone or organization  (Ctrl+F)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(180)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DEBOUNCE_MS)
        self._debounce.timeout.connect(self._emit_if_changed)
        self.search_edit.textChanged.connect(lambda _text: self._debounce.start())

        self.band_buttons: dict[WarmnessBand, QToolButton] = {}
        for band, label in BAND_LABELS.items():
            button = self._toggle(f"{label} {band.low}–{band.high}")
            button.setObjectName(f"band_{band.name.lower()}")
            button.setIcon(_dot_icon(warmness_color((band.low + band.high) / 2)))
            button.setIconSize(QSize(10, 10))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setToolTip(f"Only {label.lower()} contacts (warmness {band.low} to {band.high})")
            button.toggled.connect(lambda on, b=band: self._on_band_toggled(b, on))
            self.band_buttons[band] = button
        self.campaign_button = self._toggle("In campaign")
        self.campaign_button.setObjectName("inCampaign")
        self.campaign_button.setToolTip("Only contacts in the current campaign")
        self.stale_button = self._toggle(f"Not contacted {STALE_AFTER_DAYS}+ days")
        self.stale_button.setObjectName("stale")
        self.stale_button.setToolTip(
            f"Only contacts not reached for {STALE_AFTER_DAYS} days or more, or never"
        )
        self.campaign_button.toggled.connect(self._emit_if_changed)
        self.stale_button.toggled.connect(self._emit_if_changed)

        self.mine_button = self._toggle("My-500")
        self.mine_button.setObjectName("scopeMine")
        self.mine_button.setToolTip("Only the contacts you own in Pipedrive")
        self.all_button = self._toggle("All contacts")
        self.all_button.setObjectName("scopeAll")
        self.all_button.setToolTip("Every contact in the mirror, whoever owns it")
        self._scope = QButtonGroup(self)
        self._scope.setExclusive(True)
        self._scope.addButton(self.mine_button)
        self._scope.addButton(self.all_button)
        self.mine_button.setChecked(True)
        self.all_button.toggled.connect(self._emit_if_changed)

        self.top_row = QHBoxLayout()
        self.top_row.setSpacing(6)
        self.top_row.addWidget(self.search_edit, 1)
        self.top_row.addSpacing(6)
        self.top_row.addWidget(self.mine_button)
        self.top_row.addWidget(self.all_button)
        chips = QHBoxLayout()
        chips.setSpacing(4)
        for button in self.band_buttons.values():
            chips.addWidget(button)
        chips.addSpacing(4)
        chips.addWidget(_separator())
        chips.addSpacing(4)
        chips.addWidget(self.campaign_button)
        chips.addWidget(self.stale_button)
        chips.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self.top_row)
        layout.addLayout(chips)
        self._last = self.state()

    @staticmethod
    def _toggle(text: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setCheckable(True)
        button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        return button

    # -- public ---------------------------------------------------------------------------------

    def state(self) -> FilterState:
        band = next((b for b, button in self.band_buttons.items() if button.isChecked()), None)
        return FilterState(
            search=self.search_edit.text().strip(),
            band=band,
            in_campaign=self.campaign_button.isChecked(),
            stale_only=self.stale_button.isChecked(),
            all_contacts=self.all_button.isChecked(),
        )

    def add_to_top_row(self, widget: QWidget) -> None:
        """Put a widget at the right end of the search row (the window adds Sync now)."""
        self.top_row.addSpacing(10)
        self.top_row.addWidget(widget)

    def set_all_contacts(self, all_contacts: bool) -> None:
        (self.all_button if all_contacts else self.mine_button).setChecked(True)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def flush(self) -> None:
        """Apply a pending search now instead of after the pause."""
        if self._debounce.isActive():
            self._debounce.stop()
            self._emit_if_changed()

    # -- slots ----------------------------------------------------------------------------------

    def _on_band_toggled(self, band: WarmnessBand, on: bool) -> None:
        if on:
            for other, button in self.band_buttons.items():
                if other is not band and button.isChecked():
                    button.blockSignals(True)
                    button.setChecked(False)
                    button.blockSignals(False)
        self._emit_if_changed()

    def _emit_if_changed(self) -> None:
        state = self.state()
        if state != self._last:
            self._last = state
            self.changed.emit()
