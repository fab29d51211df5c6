"""The contact table's rows painted in one pass look exactly as the view paints them cell by
cell through its delegates: light and dark, selected rows, flags, warmness, scrolled."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.contact_table import ContactTable
from pipedriven_desktop.ui.contact_table_model import Column, ContactTableModel
from pipedriven_desktop.ui.text_delegate import TextCellDelegate

DARK = {
    QPalette.ColorRole.Base: "#1e1e1e",
    QPalette.ColorRole.AlternateBase: "#262626",
    QPalette.ColorRole.Text: "#e0e0e0",
    QPalette.ColorRole.Highlight: "#2f65ca",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}


class CountingModel(ContactTableModel):
    """Notes every ``data()`` call (the view's and its delegates' come through here)."""

    asked: list[int]

    def data(self, index: Any, role: int = 0) -> Any:
        self.asked.append(index.column())
        return super().data(index, role)


def make_table(db: Database, qtbot: Any, width: int = 1200) -> ContactTable:
    model = CountingModel(ContactService(db), db)
    model.asked = []
    table = ContactTable(model)
    qtbot.addWidget(table)
    model.set_filter(ContactFilter())
    table.resize(width, 500)
    table.show()
    qtbot.waitExposed(table)
    return table


def both_paints(table: ContactTable) -> tuple[QImage, QImage]:
    """(one pass, cell by cell) of the table's viewport as it is now."""
    view = table.view
    QApplication.processEvents()
    view.rows_in_one_pass = True
    fast = view.viewport().grab().toImage()
    view.rows_in_one_pass = False
    standard = view.viewport().grab().toImage()
    view.rows_in_one_pass = True
    return fast, standard


def select_rows(table: ContactTable, rows: list[int]) -> None:
    selection = table.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.clearSelection()
    for row in rows:
        selection.select(table.model.index(row, Column.NAME), flags)


def test_one_pass_paints_the_same_pixels_as_the_cell_by_cell_paint(
    populated_db: Database, qtbot: Any
) -> None:
    table = make_table(populated_db, qtbot)
    table.model.set_campaign(2, True)  # a ticked box among empty ones
    select_rows(table, [1, 4, 5])
    for palette_colors in ({}, DARK):
        palette = QPalette(table.view.palette())
        for role, color in palette_colors.items():
            palette.setColor(role, QColor(color))
        table.view.setPalette(palette)
        fast, standard = both_paints(table)
        assert not fast.isNull()
        assert fast == standard
    table.view.verticalScrollBar().setValue(table.view.rowHeight(0) * 7 + 5)  # a cut row on top
    table.view.setFocus()
    table.view.setCurrentIndex(table.model.index(9, Column.NAME))
    fast, standard = both_paints(table)
    assert fast == standard
    table.model.wait_for_saves(5000)


def test_one_pass_paints_a_narrow_table_scrolled_sideways_the_same(
    populated_db: Database, qtbot: Any
) -> None:
    table = make_table(populated_db, qtbot, width=520)
    bar = table.view.horizontalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum() // 2)  # columns cut at both edges
    select_rows(table, [3])
    fast, standard = both_paints(table)
    assert fast == standard


def test_one_pass_asks_the_model_no_role_and_reads_no_cell_out_of_view(
    populated_db: Database, qtbot: Any
) -> None:
    table = make_table(populated_db, qtbot)
    model = table.model
    assert isinstance(model, CountingModel)
    QApplication.processEvents()
    asked_rows: list[int] = []
    delegate = table.view.itemDelegate()
    assert isinstance(delegate, TextCellDelegate)

    def text_of(row: int, column: int) -> str | None:
        asked_rows.append(row)
        return model.text_at(row, column)

    delegate._text_of = text_of
    model.asked.clear()
    table.view.viewport().repaint()
    assert model.asked == []  # no data() call: boxes and bars read the row itself
    last_shown = table.view.rowAt(table.view.viewport().height() - 1)
    assert last_shown > 0
    assert set(asked_rows) == set(range(last_shown + 1))
    assert table.view.indexAt(table.view.viewport().rect().center()) != QModelIndex()
