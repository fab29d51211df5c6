"""Actions on a contact from the window: each queues its outbox row and shows at once.

Each action is asked the way a user would (the detail pane's buttons, the keyboard, the
table's context menu, the Call button), saved through the dialog, and then checked in
the mirror (the outbox row, the activity or note) and in the window (the detail pane's
listing with its "waiting to be sent" mark, the status bar's count).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate, Qt, QUrl
from PySide6.QtGui import QDesktopServices

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui import window_actions
from pipedriven_desktop.ui.action_dialog import ActionDialog, ActionMode
from pipedriven_desktop.ui.main_window import MainWindow
from tests.store.agenda_fixture import TODAY, add_agenda_fixture

ADA = "Ada Lovelace"


@pytest.fixture
def mirror(db: Database) -> tuple[Database, dict[str, str]]:
    return db, add_agenda_fixture(db)


@pytest.fixture
def window(
    mirror: tuple[Database, dict[str, str]],
    make_window: Callable[..., MainWindow],
    monkeypatch: pytest.MonkeyPatch,
) -> MainWindow:
    monkeypatch.setattr(window_actions, "today", lambda: TODAY)
    made = make_window(mirror[0])
    made.window_actions.show_contact(mirror[1][ADA])
    return made


def outbox_rows(db: Database) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db.path)
    try:
        return conn.execute(
            "SELECT kind, contact_id, activity_id, note_id, state FROM outbox ORDER BY id"
        ).fetchall()
    finally:
        conn.close()


def dialog_of(window: MainWindow, mode: ActionMode) -> ActionDialog:
    dialog = window.window_actions.dialog
    assert dialog is not None
    assert dialog.isVisible()
    assert dialog.mode is mode
    return dialog


def save(qtbot: Any, window: MainWindow, dialog: ActionDialog) -> None:
    with qtbot.waitSignal(window.window_actions.controller.applied, timeout=10_000):
        dialog.try_accept()
    assert dialog.request is not None


def test_logging_a_call_from_the_detail_pane_queues_it_and_shows_it_waiting(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    db, ids = mirror
    assert window.detail.contact is not None
    assert window.detail.contact.name == ADA
    before = window.detail.contact.last_contacted
    qtbot.mouseClick(window.detail.log_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(window, ActionMode.LOG)
    dialog.note.setPlainText("Wants the price list")
    save(qtbot, window, dialog)

    kinds = [row[0] for row in outbox_rows(db)]
    assert kinds == ["reschedule", "log"]  # the fixture's own waiting row, then ours
    _kind, contact_id, activity_id, _note, state = outbox_rows(db)[-1]
    assert (contact_id, state) == (ids[ADA], "waiting")
    listing = window.detail.listing
    assert listing is not None
    logged = next(a for a in listing.done if a.id == activity_id)
    assert (logged.subject, logged.note, logged.waiting) == (
        f"Call with {ADA}",
        "Wants the price list",
        True,
    )
    assert "waiting to be sent" in window.detail.activities.text()
    assert "<i>Wants the price list</i>" in window.detail.activities.text()  # the outcome
    # Last contacted follows at once, in the pane and in the table's row.
    after = window.detail.contact.last_contacted
    assert after is not None
    assert before is None or after > before
    row = window.model.row_of(ids[ADA])
    assert row is not None
    table_row = window.model.row(row)
    assert table_row is not None
    assert table_row.last_contacted == after
    assert "2 changes waiting to be sent" in window.status.outbox.text()


def test_scheduling_the_next_step_from_the_keyboard(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    db, ids = mirror
    qtbot.keyClick(
        window,
        Qt.Key.Key_N,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    dialog = dialog_of(window, ActionMode.SCHEDULE)
    dialog.try_accept()
    assert dialog.isVisible()
    assert "subject is required" in dialog.error_text()
    dialog.subject.setText("Send the proposal")
    dialog.due_date.setDate(QDate(2099, 1, 5))
    dialog.timed.setChecked(False)
    save(qtbot, window, dialog)

    kind, contact_id, activity_id, _note, state = outbox_rows(db)[-1]
    assert (kind, contact_id, state) == ("schedule", ids[ADA], "waiting")
    listing = window.detail.listing
    assert listing is not None
    planned = next(a for a in listing.open if a.id == activity_id)
    assert (planned.subject, planned.due_date, planned.due_time) == (
        "Send the proposal",
        date(2099, 1, 5),
        None,
    )
    assert planned.waiting
    assert f'href="done:{activity_id}"' in window.detail.activities.text()


def test_a_note_from_the_context_menu(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    db, ids = mirror
    assert window.table.select_contact(ids[ADA])
    menu = window.table.context_menu()
    note_action = next(a for a in menu.actions() if a.objectName() == "noteContact")
    note_action.trigger()
    menu.deleteLater()
    dialog = dialog_of(window, ActionMode.NOTE)
    dialog.note.setPlainText("Prefers calls before noon")
    save(qtbot, window, dialog)

    kind, contact_id, _activity, note_id, _state = outbox_rows(db)[-1]
    assert (kind, contact_id) == ("note", ids[ADA])
    listing = window.detail.listing
    assert listing is not None
    assert [(n.id, n.content, n.waiting) for n in listing.notes] == [
        (note_id, "Prefers calls before noon", True)
    ]
    assert window.detail.notes.isVisibleTo(window.detail)


def test_marking_an_open_activity_done_from_the_detail_pane(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    db, ids = mirror
    morning = ids["Morning call"]
    with qtbot.waitSignal(window.window_actions.controller.applied, timeout=10_000):
        window.detail.activities.linkActivated.emit(f"done:{morning}")
    kind, _contact, activity_id, _note, _state = outbox_rows(db)[-1]
    assert (kind, activity_id) == ("mark_done", morning)
    listing = window.detail.listing
    assert listing is not None
    assert morning not in {a.id for a in listing.open}
    assert next(a for a in listing.done if a.id == morning).waiting


def test_after_a_call_the_window_offers_to_log_it(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialled: list[str] = []

    def record(url: QUrl) -> bool:
        dialled.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(record))
    assert not window.window_actions.call_notice.isVisible()
    button = window.detail.phone.action_button
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert dialled == ["tel:+442079460000"]
    notice = window.window_actions.call_notice
    assert notice.isVisible()
    assert ADA in notice.message.text()
    qtbot.mouseClick(notice.retry_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(window, ActionMode.LOG)
    assert dialog.kind.currentData() == "call"
    assert dialog.contact_name == ADA


def test_a_write_the_mirror_refuses_is_said_and_can_be_retried(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    db, _ids = mirror
    window.window_actions.controller._db = Database(db.path.parent / "missing" / "x.sqlite3")
    qtbot.mouseClick(window.detail.note_button, Qt.MouseButton.LeftButton)
    dialog = dialog_of(window, ActionMode.NOTE)
    dialog.note.setPlainText("Lost?")
    with qtbot.waitSignal(window.window_actions.controller.failed, timeout=10_000):
        dialog.try_accept()
    notice = window.window_actions.failure_notice
    assert notice.isVisible()
    assert "Not saved: note added" in notice.message.text()
    window.window_actions.controller._db = db
    with qtbot.waitSignal(window.window_actions.controller.applied, timeout=10_000):
        qtbot.mouseClick(notice.retry_button, Qt.MouseButton.LeftButton)
    assert outbox_rows(db)[-1][0] == "note"
