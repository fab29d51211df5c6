"""From the window to Pipedrive: a call logged offline is sent by Sync now, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from pipedriven_desktop.store.contact_activities import contact_activities
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.action_dialog import ActionMode
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import demo_endpoint

SYNC_TIMEOUT_MS = 60_000


def logged_in_fake(server: Any, person_id: int, subject: str) -> list[dict[str, Any]]:
    return [
        activity
        for activity in server.account.activities.values()
        if activity.get("person_id") == person_id and activity.get("subject") == subject
    ]


def test_a_logged_call_waits_then_sync_now_sends_it_once(
    qtbot: Any, db: Database, fake_server: Any, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window(db, demo=demo_endpoint(fake_server))
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        assert window.start_first_sync_if_empty()
    window.select_first_contact()
    qtbot.waitUntil(lambda: window.detail.contact is not None)
    contact = window.detail.contact
    assert contact is not None
    assert contact.pipedrive_person_id is not None

    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    dialog = window.window_actions.dialog
    assert dialog is not None
    assert dialog.mode is ActionMode.LOG
    dialog.note.setPlainText("Asked for a quote")
    with qtbot.waitSignal(window.window_actions.controller.applied, timeout=10_000):
        dialog.try_accept()
    subject = f"Call with {contact.name}"
    assert logged_in_fake(fake_server, contact.pipedrive_person_id, subject) == []
    assert window.status.outbox.text() == "↑ 1 change waiting to be sent"

    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        assert window.start_sync()
    qtbot.waitUntil(lambda: not window.status.outbox.isVisible())
    window.window_actions.show_contact(contact.id)
    sent = logged_in_fake(fake_server, contact.pipedrive_person_id, subject)
    assert len(sent) == 1
    assert sent[0]["done"] in (True, 1)
    listing = window.detail.listing
    assert listing is not None
    mine = [a for a in listing.done if a.subject == subject]
    assert len(mine) == 1
    assert not mine[0].waiting

    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        assert window.start_sync()
    assert len(logged_in_fake(fake_server, contact.pipedrive_person_id, subject)) == 1
    # Nor a second one in the mirror: the local row took its Pipedrive id.
    again = contact_activities(db.reader(), contact.id)
    assert len([a for a in again.done if a.subject == subject]) == 1
