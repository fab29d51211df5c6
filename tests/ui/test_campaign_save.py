"""The campaign toggle never waits on the UI thread, and a save that fails is undone aloud."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer

from pipedriven_desktop.store import contacts as contact_store
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.ui import campaign_writer
from pipedriven_desktop.ui.contact_table_model import Column
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import contacts


@pytest.fixture
def blocker(window: MainWindow) -> Iterator[sqlite3.Connection]:
    """Another connection holding the mirror's write lock (as a sync's page does)."""
    conn = sqlite3.connect(window.db.path, isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def _press_space_on_unflagged(qtbot: Any, window: MainWindow) -> tuple[int, str]:
    row = next(i for i, c in enumerate(contacts(window.model)) if not c.added_to_campaign)
    window.table.view.setCurrentIndex(window.model.index(row, Column.NAME))
    window.table.view.setFocus()
    qtbot.keyClick(window.table.view, Qt.Key.Key_Space)
    return row, contacts(window.model)[row].id


def _stored(window: MainWindow, contact_id: str) -> bool:
    contact = ContactService(window.db).contact(contact_id)
    assert contact is not None
    return contact.added_to_campaign


def test_space_returns_at_once_behind_another_writer_and_saves_once_it_lets_go(
    qtbot: Any, window: MainWindow, blocker: sqlite3.Connection
) -> None:
    row, contact_id = _press_space_on_unflagged(qtbot, window)

    assert contacts(window.model)[row].added_to_campaign  # shown at once
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks))  # the event loop turns while the save waits
    assert window.model.saves_in_flight() == 1
    assert not _stored(window, contact_id)
    window.refresh_all()  # a reload meanwhile still shows what the user chose
    assert contacts(window.model)[row].added_to_campaign

    with qtbot.waitSignal(window.model.campaign_changed) as saved:
        blocker.execute("ROLLBACK")
    assert saved.args == [contact_id, True]
    assert _stored(window, contact_id)
    assert contacts(window.model)[row].added_to_campaign
    assert not window.edit_notice.isVisibleTo(window)


def test_a_save_that_fails_reverts_the_row_shows_why_and_retries(
    qtbot: Any,
    window: MainWindow,
    blocker: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(contact_store, "EDIT_BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(campaign_writer, "PATIENCE_S", 0.2)
    with qtbot.waitSignal(window.model.campaign_failed) as failed:
        row, contact_id = _press_space_on_unflagged(qtbot, window)

    assert failed.args[:2] == [contact_id, True]
    assert not contacts(window.model)[row].added_to_campaign  # reverted
    assert not _stored(window, contact_id)
    notice = window.edit_notice
    assert notice.isVisibleTo(window)
    name = contacts(window.model)[row].name
    assert f"Could not add {name} to the campaign." in notice.message.text()
    assert "locked by another program" in notice.message.text()

    blocker.execute("ROLLBACK")
    with qtbot.waitSignal(window.model.campaign_changed):
        qtbot.mouseClick(notice.retry_button, Qt.MouseButton.LeftButton)
    assert _stored(window, contact_id)
    assert contacts(window.model)[row].added_to_campaign
    assert not notice.isVisibleTo(window)


def test_a_save_behind_a_long_write_waits_for_it_and_says_so(
    qtbot: Any,
    window: MainWindow,
    blocker: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each try gives up after the busy timeout; the save keeps trying within its patience."""
    monkeypatch.setattr(contact_store, "EDIT_BUSY_TIMEOUT_MS", 50)
    failures: list[object] = []
    window.model.campaign_failed.connect(lambda *args: failures.append(args))
    with qtbot.waitSignal(window.model.campaign_waiting) as waiting:
        row, contact_id = _press_space_on_unflagged(qtbot, window)
    assert waiting.args == [contact_id, True]
    name = contacts(window.model)[row].name
    assert f"Still adding {name}" in window.status.currentMessage()
    qtbot.wait(300)  # several busy timeouts pass: still waiting, still shown as chosen
    assert failures == []
    assert contacts(window.model)[row].added_to_campaign
    assert not _stored(window, contact_id)

    with qtbot.waitSignal(window.model.campaign_changed) as saved:
        blocker.execute("ROLLBACK")
    assert saved.args == [contact_id, True]
    assert _stored(window, contact_id)
    assert failures == []
    assert not window.edit_notice.isVisibleTo(window)


def test_quitting_stops_waiting_for_a_busy_mirror(
    qtbot: Any,
    window: MainWindow,
    blocker: sqlite3.Connection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(contact_store, "EDIT_BUSY_TIMEOUT_MS", 50)
    failures: list[tuple[str, bool]] = []
    window.model.campaign_failed.connect(lambda cid, flag, _msg: failures.append((cid, flag)))
    with qtbot.waitSignal(window.model.campaign_waiting):
        _row, contact_id = _press_space_on_unflagged(qtbot, window)
    # Patience is minutes; waiting for the saves on quit makes one more try instead.
    assert window.model.wait_for_saves(5000)
    qtbot.waitUntil(lambda: bool(failures))
    assert failures == [(contact_id, True)]
    assert window.model.saves_in_flight() == 0
