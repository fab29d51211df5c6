"""The contact table's text cells: the standard look, at one model question per cell."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.contact_table import ContactTable, ContactTableView
from pipedriven_desktop.ui.contact_table_model import ContactTableModel
from pipedriven_desktop.ui.table_delegates import RowDelegate
from pipedriven_desktop.ui.text_delegate import TextCellDelegate

DARK = {
    QPalette.ColorRole.Base: "#1e1e1e",
    QPalette.ColorRole.AlternateBase: "#262626",
    QPalette.ColorRole.Text: "#e0e0e0",
    QPalette.ColorRole.Highlight: "#2f65ca",
    QPalette.ColorRole.HighlightedText: "#ffffff",
}


def make_table(db: Database, qtbot: Any) -> ContactTable:
    model = ContactTableModel(ContactService(db), db)
    table = ContactTable(model)
    qtbot.addWidget(table)
    model.set_filter(ContactFilter())
    table.resize(1200, 500)
    table.show()
    qtbot.waitExposed(table)
    table.select_first()
    return table


def grab(table: ContactTable) -> QImage:
    QApplication.processEvents()
    return table.view.viewport().grab().toImage()


def test_text_cells_look_as_the_standard_delegate_draws_them_in_light_and_dark(
    populated_db: Database, qtbot: Any
) -> None:
    table = make_table(populated_db, qtbot)
    assert isinstance(table.view.itemDelegate(), TextCellDelegate)
    for palette_colors in ({}, DARK):
        palette = QPalette(table.view.palette())
        for role, color in palette_colors.items():
            palette.setColor(role, QColor(color))
        table.view.setPalette(palette)
        fast = grab(table)
        table.view.setItemDelegate(RowDelegate(table.view))
        standard = grab(table)
        table.view.setItemDelegate(TextCellDelegate(table.model.text_at, table.view))
        assert fast == standard  # the same pixels, selected row and elided names included


class CountingModel(ContactTableModel):
    """Notes the column of every ``data()`` call (the view's calls come through here)."""

    asked: list[int]

    def data(self, index: Any, role: int = 0) -> Any:
        self.asked.append(index.column())
        return super().data(index, role)


def test_a_repaint_asks_the_model_no_role_of_a_text_cell(
    populated_db: Database, qtbot: Any
) -> None:
    model = CountingModel(ContactService(populated_db), populated_db)
    model.asked = []
    table = ContactTable(model)
    qtbot.addWidget(table)
    model.set_filter(ContactFilter())
    table.resize(1200, 500)
    table.show()
    qtbot.waitExposed(table)
    QApplication.processEvents()
    model.asked.clear()
    table.view.rows_in_one_pass = False  # through the delegates, cell by cell
    table.view.viewport().repaint()
    shown_text_columns = {1, 2, 4, 5, 6, 7}  # name .. next activity
    assert model.asked  # the box and the warmness bar still ask their one question each
    assert not shown_text_columns & set(model.asked)


def test_a_new_filter_paints_the_table_once(
    populated_db: Database, qtbot: Any, monkeypatch: Any
) -> None:
    table = make_table(populated_db, qtbot)
    paints: list[int] = []
    view = table.view
    original = ContactTableView.paintEvent

    def counting(self: ContactTableView, event: Any) -> None:
        paints.append(1)
        original(self, event)

    monkeypatch.setattr(ContactTableView, "paintEvent", counting)
    QApplication.processEvents()
    paints.clear()
    table.model.set_filter(ContactFilter(search="a"))
    view.viewport().repaint()
    QApplication.processEvents()
    assert len(paints) == 1
