"""The outbox window: what waits, what Pipedrive refused and why; edit, retry, discard."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui import window_actions
from pipedriven_desktop.ui.action_dialog import ActionDialog, ActionMode, ScheduleRequest
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.outbox_view import STATE, OutboxDialog, OutboxModel
from tests.store.agenda_fixture import TODAY, add_agenda_fixture

REASON = "Pipedrive says the person was deleted (person_id 101)"


@pytest.fixture
def window(
    db: Database, make_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch
) -> MainWindow:
    monkeypatch.setattr(window_actions, "today", lambda: TODAY)
    ids = add_agenda_fixture(db)
    made = make_window(db)
    made.window_actions.show_contact(ids["Ada Lovelace"])
    return made


def query(db: Database, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def refused_schedule(qtbot: Any, window: MainWindow) -> int:
    """A next step queued from the window, then refused by Pipedrive (as the sender marks it)."""
    contact = window.detail.contact
    assert contact is not None
    request = ScheduleRequest("call", "Call about the renewal", date(2099, 3, 2), "09:00", None)
    with qtbot.waitSignal(window.window_actions.controller.applied, timeout=10_000):
        window.window_actions.submit(contact, request)
    # The counts' re-read that follows every write must not bring back the row unrefused.
    qtbot.waitUntil(lambda: window.window_actions.controller.runner.in_flight() == 0)
    outbox_id = int(query(window.db, "SELECT max(id) FROM outbox")[0][0])
    query(
        window.db,
        "UPDATE outbox SET state = 'refused', error = ?, attempts = 1 WHERE id = ?",
        REASON,
        outbox_id,
    )
    return outbox_id


def open_outbox(qtbot: Any, window: MainWindow) -> OutboxDialog:
    with qtbot.waitSignal(window.window_actions.controller.outbox_loaded, timeout=10_000):
        dialog = window.window_actions.open_outbox()
    return dialog


def select(dialog: OutboxDialog, outbox_id: int) -> None:
    row = dialog.model.row_of(outbox_id)
    assert row is not None
    dialog.view.selectRow(row)


def test_the_model_passes_the_model_tester(
    qtbot: Any, qtmodeltester: Any, window: MainWindow
) -> None:
    refused_schedule(qtbot, window)
    dialog = open_outbox(qtbot, window)
    model = OutboxModel()
    entries = [dialog.model.entry(row) for row in range(dialog.model.rowCount())]
    model.set_entries(tuple(entry for entry in entries if entry is not None))
    assert model.rowCount() == 2
    qtmodeltester.check(model)


def test_a_refused_action_shows_its_reason(qtbot: Any, window: MainWindow) -> None:
    outbox_id = refused_schedule(qtbot, window)
    dialog = open_outbox(qtbot, window)
    select(dialog, outbox_id)
    row = dialog.model.row_of(outbox_id)
    assert row is not None
    assert dialog.model.data(dialog.model.index(row, STATE)) == f"⚠ Refused: {REASON}"
    assert REASON in dialog.detail.text()
    assert "1 refused by Pipedrive" in dialog.summary.text()
    assert dialog.retry_button.isEnabled()
    assert "1 refused" in window.status.outbox.text()


def test_retry_puts_it_back_in_line(qtbot: Any, window: MainWindow) -> None:
    outbox_id = refused_schedule(qtbot, window)
    dialog = open_outbox(qtbot, window)
    select(dialog, outbox_id)
    with qtbot.waitSignal(window.window_actions.controller.outbox_loaded, timeout=10_000):
        dialog.retry_button.click()
    assert query(window.db, "SELECT state, error FROM outbox WHERE id = ?", outbox_id) == [
        ("waiting", None)
    ]
    select(dialog, outbox_id)
    assert dialog.current_entry() is not None
    assert not dialog.retry_button.isEnabled()  # waiting already
    assert "refused" not in window.status.outbox.text()


def test_discard_drops_it_and_undoes_it_in_the_mirror(qtbot: Any, window: MainWindow) -> None:
    outbox_id = refused_schedule(qtbot, window)
    activity_id = query(window.db, "SELECT activity_id FROM outbox WHERE id = ?", outbox_id)[0][0]
    dialog = open_outbox(qtbot, window)
    select(dialog, outbox_id)
    asked: list[str] = []

    def confirm(entry: Any) -> bool:
        asked.append(entry.summary)
        return True

    dialog.confirm_discard = confirm
    with qtbot.waitSignal(window.window_actions.controller.outbox_loaded, timeout=10_000):
        dialog.discard_button.click()
    assert len(asked) == 1
    assert query(window.db, "SELECT count(*) FROM outbox WHERE id = ?", outbox_id) == [(0,)]
    assert query(window.db, "SELECT count(*) FROM activities WHERE id = ?", activity_id) == [(0,)]
    assert dialog.model.row_of(outbox_id) is None
    listing = window.detail.listing
    assert listing is not None
    assert activity_id not in {a.id for a in listing.open}


def test_a_discard_not_confirmed_changes_nothing(qtbot: Any, window: MainWindow) -> None:
    outbox_id = refused_schedule(qtbot, window)
    dialog = open_outbox(qtbot, window)
    select(dialog, outbox_id)
    dialog.confirm_discard = lambda _entry: False
    dialog.discard_button.click()
    assert window.window_actions.controller.runner.in_flight() == 0
    assert query(window.db, "SELECT state FROM outbox WHERE id = ?", outbox_id) == [("refused",)]


def test_editing_a_refused_action_is_its_fix(qtbot: Any, window: MainWindow) -> None:
    outbox_id = refused_schedule(qtbot, window)
    dialog = open_outbox(qtbot, window)
    select(dialog, outbox_id)
    dialog.edit_button.click()
    editor = window.window_actions.dialog
    assert isinstance(editor, ActionDialog)
    assert editor.mode is ActionMode.SCHEDULE
    assert editor.subject.text() == "Call about the renewal"
    editor.subject.setText("Call about the renewal, new contact person")
    with qtbot.waitSignal(window.window_actions.controller.outbox_loaded, timeout=10_000):
        editor.try_accept()
    state, error = query(window.db, "SELECT state, error FROM outbox WHERE id = ?", outbox_id)[0]
    assert (state, error) == ("waiting", None)
    entry = dialog.current_entry()
    assert entry is not None
    assert entry.editable["subject"] == "Call about the renewal, new contact person"
    activity_id = query(window.db, "SELECT activity_id FROM outbox WHERE id = ?", outbox_id)[0][0]
    subject = query(window.db, "SELECT subject FROM activities WHERE id = ?", activity_id)
    assert subject == [("Call about the renewal, new contact person",)]


def test_a_new_refusal_is_announced_above_the_table(qtbot: Any, window: MainWindow) -> None:
    notice = window.window_actions.refused_notice
    refused_schedule(qtbot, window)
    assert not notice.isVisible()
    window.window_actions.refresh_counts()  # what the window does after every sync
    qtbot.waitUntil(notice.isVisible)
    assert "Pipedrive refused 1 change" in notice.message.text()
    with qtbot.waitSignal(window.window_actions.controller.outbox_loaded, timeout=10_000):
        notice.retry_button.click()
    dialog = window.window_actions.outbox_dialog
    assert dialog is not None
    assert dialog.isVisible()
