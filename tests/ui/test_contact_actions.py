"""Acting on contacts from the table: several at once into the campaign, call, mail, owner."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QUrl
from PySide6.QtGui import QAction, QDesktopServices
from PySide6.QtWidgets import QMenu

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.contact_table import ContactTable
from pipedriven_desktop.ui.contact_table_model import (
    HEADERS,
    Column,
    ContactTableModel,
    owner_text,
)
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import OWNER_ID, contacts


@pytest.fixture
def table(qtbot: Any, populated_db: Database) -> Iterator[ContactTable]:
    model = ContactTableModel(ContactService(populated_db), populated_db)
    made = ContactTable(model)
    qtbot.addWidget(made)
    made.resize(1200, 700)
    made.show()
    qtbot.waitExposed(made)
    model.set_filter(ContactFilter(owner_id=OWNER_ID))
    yield made
    model.wait_for_saves()


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs handed to the desktop, instead of opening the phone or mail app."""
    urls: list[str] = []

    def record(url: QUrl) -> bool:
        urls.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(record))
    return urls


def select_rows(table: ContactTable, rows: list[int]) -> None:
    view = table.view
    view.setCurrentIndex(table.model.index(rows[0], Column.NAME))
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for row in rows[1:]:
        view.selectionModel().select(table.model.index(row, Column.NAME), flags)


def stored_flags(db: Database, ids: list[str]) -> list[bool]:
    service = ContactService(db)
    found = [service.contact(contact_id) for contact_id in ids]
    return [contact is not None and contact.added_to_campaign for contact in found]


def action(menu: QMenu, name: str) -> QAction:
    found = next((a for a in menu.actions() if a.objectName() == name), None)
    assert found is not None, name
    return found


def wait_saved(qtbot: Any, table: ContactTable) -> None:
    qtbot.waitUntil(lambda: table.model.saves_in_flight() == 0)


def test_table_selects_several_rows(table: ContactTable) -> None:
    select_rows(table, [1, 3, 4])
    assert table.selected_rows() == [1, 3, 4]


def test_space_flags_every_selected_contact_then_unflags_them(
    qtbot: Any, table: ContactTable, populated_db: Database
) -> None:
    rows = [i for i, c in enumerate(contacts(table.model)) if not c.added_to_campaign][:3]
    ids = [contacts(table.model)[i].id for i in rows]
    select_rows(table, rows)
    table.view.setFocus()
    qtbot.keyClick(table.view, Qt.Key.Key_Space)
    wait_saved(qtbot, table)
    assert stored_flags(populated_db, ids) == [True, True, True]
    qtbot.keyClick(table.view, Qt.Key.Key_Space)  # all in: Space takes them all out
    wait_saved(qtbot, table)
    assert stored_flags(populated_db, ids) == [False, False, False]


def test_space_on_a_mixed_selection_adds_the_missing_ones(
    qtbot: Any, table: ContactTable, populated_db: Database
) -> None:
    rows = contacts(table.model)
    inside = next(i for i, c in enumerate(rows) if c.added_to_campaign)
    outside = next(i for i, c in enumerate(rows) if not c.added_to_campaign)
    select_rows(table, [inside, outside])
    table.toggle_current_campaign()
    wait_saved(qtbot, table)
    assert stored_flags(populated_db, [rows[inside].id, rows[outside].id]) == [True, True]


def test_context_menu_adds_and_removes_the_selection(
    qtbot: Any, table: ContactTable, populated_db: Database
) -> None:
    rows = [i for i, c in enumerate(contacts(table.model)) if not c.added_to_campaign][:2]
    ids = [contacts(table.model)[i].id for i in rows]
    select_rows(table, rows)
    menu = table.context_menu()
    add = action(menu, "addToCampaign")
    assert add.text() == "Add 2 contacts to campaign"
    assert add.isEnabled()
    assert not action(menu, "removeFromCampaign").isEnabled()
    add.trigger()
    wait_saved(qtbot, table)
    assert stored_flags(populated_db, ids) == [True, True]

    select_rows(table, [table.model.row_of(contact_id) or 0 for contact_id in ids])
    menu = table.context_menu()
    assert not action(menu, "addToCampaign").isEnabled()
    action(menu, "removeFromCampaign").trigger()
    wait_saved(qtbot, table)
    assert stored_flags(populated_db, ids) == [False, False]


def test_context_menu_calls_and_mails_the_current_contact(
    table: ContactTable, opened_urls: list[str]
) -> None:
    rows = contacts(table.model)
    row = next(i for i, c in enumerate(rows) if c.phone and c.email)
    select_rows(table, [row])
    menu = table.context_menu()
    action(menu, "callContact").trigger()
    action(menu, "mailContact").trigger()
    digits = "".join(ch for ch in rows[row].phone or "" if ch.isdigit())
    assert opened_urls == [f"tel:+{digits}", f"mailto:{rows[row].email}"]


def test_call_is_disabled_without_a_phone(table: ContactTable) -> None:
    row = next((i for i, c in enumerate(contacts(table.model)) if not c.phone), None)
    if row is None:
        pytest.skip("every contact has a phone")
    select_rows(table, [row])
    assert not action(table.context_menu(), "callContact").isEnabled()


def test_owner_column_shows_in_all_contacts_only(table: ContactTable) -> None:
    assert table.view.isColumnHidden(Column.OWNER)  # My-500: the owner is always me
    table.model.set_filter(ContactFilter())
    assert not table.view.isColumnHidden(Column.OWNER)
    assert table.model.headerData(Column.OWNER, Qt.Orientation.Horizontal) == "Owner"
    table.model.set_filter(ContactFilter(owner_id=OWNER_ID))
    assert table.view.isColumnHidden(Column.OWNER)


def test_campaign_column_has_a_header_that_fits(table: ContactTable) -> None:
    header = table.model.headerData(Column.CAMPAIGN, Qt.Orientation.Horizontal)
    assert header == HEADERS[Column.CAMPAIGN] == "Campaign"
    text_width = table.view.horizontalHeader().fontMetrics().horizontalAdvance(header)
    assert table.view.columnWidth(Column.CAMPAIGN) > text_width


def test_a_reload_keeps_the_whole_selection(qtbot: Any, table: ContactTable) -> None:
    rows = [i for i, c in enumerate(contacts(table.model)) if not c.added_to_campaign][:3]
    ids = {contacts(table.model)[i].id for i in rows}
    select_rows(table, rows)
    table.set_selected_campaign(True)
    wait_saved(qtbot, table)
    table.reload()  # the flags moved them up the My-500 order
    assert {row.id for row in table.selected_contacts()} == ids


def test_owner_cell_shows_the_owners_name(table: ContactTable) -> None:
    row = contacts(table.model)[0]
    assert owner_text(replace(row, owner_name="Dana Scully")) == "Dana Scully"
    assert owner_text(replace(row, owner_name=None)) == "—"  # users not mirrored yet


def test_window_keeps_the_selection_when_flagged_rows_move(qtbot: Any, window: MainWindow) -> None:
    table = window.table
    table.model.set_filter(ContactFilter(owner_id=OWNER_ID))
    rows = [i for i, c in enumerate(contacts(table.model)) if not c.added_to_campaign][:3]
    ids = {contacts(table.model)[i].id for i in rows}
    # Selected from the bottom up: the current contact is the last one saved, and followed.
    select_rows(table, list(reversed(rows)))
    with qtbot.waitSignal(window.model.modelReset, timeout=5000):
        table.toggle_current_campaign()
    wait_saved(qtbot, table)
    assert {row.id for row in table.selected_contacts()} == ids
    assert all(row.added_to_campaign for row in table.selected_contacts())
