"""The status bar names the contact a campaign change was about, or counts them."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import contacts


def press_space_on(window: MainWindow, qtbot: Any, rows: list[int]) -> None:
    view = window.table.view
    selection = view.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows:
        selection.select(window.model.index(row, 0), flags)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.model.saves_in_flight() == 0)


def in_campaign(window: MainWindow) -> int:
    owner = window.model.contact_filter.owner_id
    return ContactService(window.db).count(ContactFilter(owner_id=owner, in_campaign=True))


def test_three_rows_added_are_counted_not_named(qtbot: Any, window: MainWindow) -> None:
    rows = [i for i, row in enumerate(contacts(window.model)) if not row.added_to_campaign][:3]
    press_space_on(window, qtbot, rows)
    expected = f"3 contacts added to the campaign · {in_campaign(window)} in campaign"
    assert window.status.currentMessage() == expected


def test_one_row_added_is_named(qtbot: Any, window: MainWindow) -> None:
    row = next(i for i, c in enumerate(contacts(window.model)) if not c.added_to_campaign)
    name = contacts(window.model)[row].name
    press_space_on(window, qtbot, [row])
    expected = f"{name} added to the campaign · {in_campaign(window)} in campaign"
    assert window.status.currentMessage() == expected
