"""An empty table says why, and offers All contacts when a My-500 search finds others' contacts."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from pipedriven_desktop.store.contact_query import STALE_AFTER_DAYS, ContactFilter, WarmnessBand
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.contact_table import ContactTable
from pipedriven_desktop.ui.contact_table_model import ContactTableModel
from pipedriven_desktop.ui.empty_hint import empty_title, filters_on, offer_text
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import OWNER_ID

NAME = "Quintessa Zygmuntowicz"


def rename_unowned(db: Database, count: int = 2) -> None:
    """Give ``count`` contacts someone else owns a name no owned contact has."""
    conn = sqlite3.connect(db.path)
    with conn:
        ids = [
            row[0]
            for row in conn.execute(
                "SELECT id FROM contacts WHERE owner_id != ? ORDER BY id LIMIT ?",
                (OWNER_ID, count),
            )
        ]
        conn.executemany("UPDATE contacts SET name = ? WHERE id = ?", [(NAME, i) for i in ids])
    conn.close()


@pytest.fixture
def table(qtbot: Any, populated_db: Database) -> ContactTable:
    rename_unowned(populated_db)
    made = ContactTable(ContactTableModel(ContactService(populated_db), populated_db))
    qtbot.addWidget(made)
    made.resize(1000, 600)
    made.show()
    qtbot.waitExposed(made)
    return made


def test_rows_hide_the_hint(table: ContactTable) -> None:
    table.model.set_filter(ContactFilter(owner_id=OWNER_ID))
    assert table.model.total > 0
    assert not table.empty_hint.isVisible()


def test_no_match_anywhere_explains_itself_without_an_offer(table: ContactTable) -> None:
    table.model.set_filter(ContactFilter(owner_id=OWNER_ID, search="xyzzyplugh", in_campaign=True))
    hint = table.empty_hint
    assert hint.isVisible()
    assert hint.title.text() == "No contacts match “xyzzyplugh”"
    assert "My-500" in hint.details.text()
    assert "Filters on: in campaign" in hint.details.text()
    assert not hint.offer.isVisible()
    assert hint.geometry() == table.view.viewport().geometry()


def test_my500_search_offers_the_matches_in_all_contacts(qtbot: Any, table: ContactTable) -> None:
    table.model.set_filter(ContactFilter(owner_id=OWNER_ID, search="Quintessa"))
    hint = table.empty_hint
    assert hint.isVisible()
    assert hint.offer.isVisible()
    assert hint.offer.text() == "Show 2 matches in All contacts"
    with qtbot.waitSignal(table.show_all_requested):
        hint.offer.click()
    table.model.set_filter(ContactFilter(search="Quintessa"))
    assert not hint.isVisible()
    assert table.model.total == 2


def test_an_empty_list_while_syncing_says_rows_are_coming() -> None:
    assert empty_title(ContactFilter(owner_id=OWNER_ID), syncing=True).startswith(
        "Contacts appear here"
    )
    assert empty_title(ContactFilter(owner_id=OWNER_ID)) == "You own no contacts in this mirror yet"
    assert empty_title(ContactFilter(search="x"), syncing=True) == "No contacts match “x”"


def test_filters_in_words() -> None:
    words = filters_on(ContactFilter(band=WarmnessBand.HOT, stale_only=True, organization_id="o-1"))
    assert words[-1] == f"not contacted {STALE_AFTER_DAYS}+ days"
    assert "one organization (sidebar)" in words
    assert any(word.startswith("Hot 7") for word in words)
    assert offer_text(1) == "Show 1 match in All contacts"


def test_window_offer_switches_to_all_contacts(
    qtbot: Any, populated_db: Database, make_window: Any
) -> None:
    rename_unowned(populated_db)
    window: MainWindow = make_window(populated_db)
    window.filter_bar.search_edit.setText("Quintessa")
    window.filter_bar.flush()
    assert window.table.empty_hint.offer.isVisible()
    window.table.empty_hint.offer.click()
    assert window.filter_bar.state().all_contacts
    assert window.model.total == 2
    assert not window.table.empty_hint.isVisible()


def test_a_broad_search_offers_all_contacts_without_counting_every_hit(
    qtbot: Any, table: ContactTable, populated_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Above the narrow-search threshold the offer says "more than", read from the search's
    first hits: the keystroke never counts every hit."""
    from pipedriven_desktop.store import contact_service
    from pipedriven_desktop.ui import empty_hint

    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 1)
    monkeypatch.setattr(empty_hint, "BROAD_SEARCH_HITS", 1)
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    try:
        table.model.set_filter(ContactFilter(owner_id=OWNER_ID, search="Quintessa"))
    finally:
        populated_db.reader().set_trace_callback(None)
    assert table.empty_hint.offer.isVisible()
    assert table.empty_hint.offer.text() == "Show more than 1 matches in All contacts"
    matches = [sql for sql in statements if "MATCH" in sql]
    assert matches
    counts = [sql for sql in matches if "count(*)" in sql]
    assert all("LIMIT 2)" in sql for sql in counts), counts  # the first hits, never all
