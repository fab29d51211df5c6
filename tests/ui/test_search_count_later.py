"""A keystroke paints the search's first page at once; a broad search's exact count follows
from a worker thread once typing pauses, and the headline shows it when it comes."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from typing import Any

import pytest

from pipedriven_desktop.store import contact_service
from pipedriven_desktop.store.contact_query import ContactFilter, fts_query
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui import contact_table_model, formatting
from pipedriven_desktop.ui.contact_table_model import ContactTableModel
from pipedriven_desktop.ui.count_reader import CountReader
from pipedriven_desktop.ui.main_window import MainWindow


@pytest.fixture(autouse=True)
def _broad_above_five_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 5)


def _hits(db: Database, search: str, owner_id: int | None) -> int:
    """The exact count, straight from the index: an oracle apart from the service."""
    owner = "" if owner_id is None else f"c.owner_id = {int(owner_id)} AND "
    return int(
        db.reader()
        .execute(
            f"SELECT count(*) FROM contacts c WHERE {owner}c.rowid IN"
            " (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)",
            (fts_query(search),),
        )
        .fetchone()[0]
    )


def test_the_keystroke_reads_no_count_and_the_headline_shows_it_when_it_comes(
    qtbot: Any, populated_db: Database, make_window: Any
) -> None:
    window: MainWindow = make_window(populated_db)
    qtbot.waitUntil(lambda: window.model.total_known)  # the start-up count
    owner_id = window.model.contact_filter.owner_id
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    try:
        window.filter_bar.search_edit.setText("a")
        window.filter_bar.flush()
    finally:
        populated_db.reader().set_trace_callback(None)
    # the only count is of the first hits, up to one past the threshold
    counts = [sql for sql in statements if "count(" in sql]
    assert counts
    assert all("SELECT rowid FROM contacts_fts" in sql and "LIMIT 6" in sql for sql in counts)
    assert window.model.rowCount() > 0
    assert not window.model.total_known
    assert window.table.subline.text().startswith("counting…")
    expected = _hits(populated_db, "a", owner_id)
    assert expected > 5
    qtbot.waitUntil(lambda: window.model.total_known, timeout=5000)
    assert window.model.total == window.model.rowCount() == expected
    everyone_mine = int(
        populated_db.reader()
        .execute("SELECT count(*) FROM contacts WHERE owner_id = ?", (owner_id,))
        .fetchone()[0]
    )
    assert window.table.headline.text() == (
        f"My-500: {formatting.count(expected)} of {formatting.count(everyone_mine)}"
    )


def test_a_narrow_search_is_counted_with_its_page(
    qtbot: Any, populated_db: Database, make_window: Any
) -> None:
    window: MainWindow = make_window(populated_db)
    qtbot.waitUntil(lambda: window.model.total_known)
    window.filter_bar.search_edit.setText("smith j")
    window.filter_bar.flush()
    assert window.model.total_known
    assert window.model.total == _hits(
        populated_db, "smith j", window.model.contact_filter.owner_id
    )
    assert "counting" not in window.table.subline.text()


def test_typing_counts_once_after_the_pause(
    qtbot: Any, populated_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each keystroke paints its page; only the last search is counted, off the UI thread."""
    counted_off_thread: list[str] = []
    original = ContactService.count

    def spy(self: ContactService, contact_filter: ContactFilter) -> int:
        if threading.current_thread() is not threading.main_thread():
            counted_off_thread.append(contact_filter.search)
        return original(self, contact_filter)

    monkeypatch.setattr(ContactService, "count", spy)
    # a pause no loaded machine stretches the keystrokes below into
    monkeypatch.setattr(contact_table_model, "SEARCH_COUNT_PAUSE_MS", 1000)
    model = ContactTableModel(ContactService(populated_db), populated_db)
    for search in ("a", "e", "o"):
        model.set_filter(ContactFilter(owner_id=1, search=search))
        assert model.rowCount() > 0
    with qtbot.waitSignal(model.counted, timeout=5000) as counted:
        pass
    assert counted.args == [_hits(populated_db, "o", 1)]
    assert counted_off_thread == ["o"]
    model.wait_for_saves(5000)


def test_a_count_queued_behind_a_newer_request_is_skipped(
    qtbot: Any, populated_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one count runs, two more are asked for: the middle one never runs, the running
    one's answer is dropped, and the latest is answered."""
    started, release = threading.Event(), threading.Event()
    counted: list[str] = []
    original = ContactService.count

    def slow_first(self: ContactService, contact_filter: ContactFilter) -> int:
        counted.append(contact_filter.search)
        if contact_filter.search == "a":
            started.set()
            release.wait(5)
        return original(self, contact_filter)

    monkeypatch.setattr(ContactService, "count", slow_first)
    reader = CountReader(populated_db.path)
    first, middle, latest = (ContactFilter(owner_id=1, search=text) for text in ("a", "e", "o"))
    reader.request(first)
    assert started.wait(5)
    reader.request(middle)
    reader.request(latest)
    release.set()
    with qtbot.waitSignal(reader.answered, timeout=5000) as answered:
        pass
    assert answered.args == [latest, _hits(populated_db, "o", 1)]
    assert reader.wait(5000)
    assert counted == ["a", "o"]


def test_a_reload_during_a_broad_search_counts_off_the_ui_thread(
    qtbot: Any, populated_db: Database
) -> None:
    """After a sync the rows are read again; the broad search's count follows as it does
    after a keystroke, and the current row on the first page stays where it was."""
    model = ContactTableModel(ContactService(populated_db), populated_db)
    model.set_filter(ContactFilter(owner_id=1, search="a"))
    qtbot.waitUntil(lambda: model.total_known, timeout=5000)
    current = model.row(3)
    with closing(sqlite3.connect(populated_db.path)) as sync, sync:  # a sync's write
        sync.execute("UPDATE contacts SET job_title = 'Buyer' WHERE rowid = 1")
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    try:
        model.reload(3)
    finally:
        populated_db.reader().set_trace_callback(None)
    counts = [sql for sql in statements if "count(" in sql]
    assert all("SELECT rowid FROM contacts_fts" in sql and "LIMIT 6" in sql for sql in counts)
    assert model.row(3) == current
    qtbot.waitUntil(lambda: model.total_known, timeout=5000)
    assert model.total == _hits(populated_db, "a", 1)
    model.wait_for_saves(5000)
