"""Read-only tables and the number forms the Insights tabs share."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
)

from pipedriven_desktop.ui.style import muted


def read_only_table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def fill_table(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QTableWidgetItem(text)
            if c > 0 and text[:1].isdigit():
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)


def share(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".removesuffix(".0") + " %"  # 90.4 % is not 90 %


def muted_label(text: str = "") -> QLabel:
    """Secondary text in the palette's placeholder colour."""
    label = QLabel(text)
    muted(label)
    return label


def fit_rows(table: QTableWidget, most: int = 12) -> None:
    """Tall enough for its rows (up to ``most``), so a short table needs no scrolling."""
    rows = min(table.rowCount(), most)
    height = table.horizontalHeader().height() + 2 * table.frameWidth()
    height += sum(table.rowHeight(r) for r in range(rows)) if rows else table.rowHeight(0) or 24
    table.setFixedHeight(height + 2)
