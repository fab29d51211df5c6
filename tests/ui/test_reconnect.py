"""Changes made offline are sent when the network comes back, without a click."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.action_dialog import ActionMode
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.reconnect import ResendWhenOnline
from tests.ui.conftest import demo_endpoint
from tests.ui.test_actions_sync import SYNC_TIMEOUT_MS, logged_in_fake


class Outbox:
    """The window's side: how many changes wait, and the syncs started."""

    def __init__(self, waiting: int) -> None:
        self.waiting = waiting
        self.syncs = 0
        self.can_start = True

    def start_sync(self) -> bool:
        if self.can_start:
            self.syncs += 1
        return self.can_start


def resender(outbox: Outbox, *, first_ms: int = 10, max_ms: int = 40) -> ResendWhenOnline:
    parent = QObject()
    resend = ResendWhenOnline(
        parent,
        start_sync=outbox.start_sync,
        waiting=lambda: outbox.waiting,
        first_delay_ms=first_ms,
        max_delay_ms=max_ms,
    )
    resend.setParent(None)  # the test holds it; the parent is only for the signature
    return resend


def test_offline_with_waiting_changes_syncs_again_after_the_delay(qtbot: Any) -> None:
    outbox = Outbox(waiting=2)
    resend = resender(outbox)
    resend.set_offline(True)
    assert resend.scheduled
    qtbot.waitUntil(lambda: outbox.syncs == 1, timeout=2000)


def test_each_unsuccessful_retry_doubles_the_wait_up_to_the_limit(qtbot: Any) -> None:
    outbox = Outbox(waiting=1)
    resend = resender(outbox, first_ms=10, max_ms=40)
    delays = []
    for attempt in range(1, 5):
        resend.set_offline(True)  # what each failed sync reports
        delays.append(resend.delay_ms)
        qtbot.waitUntil(lambda attempt=attempt: outbox.syncs == attempt, timeout=2000)
    assert delays == [10, 20, 40, 40]


def test_nothing_is_tried_while_nothing_waits(qtbot: Any) -> None:
    outbox = Outbox(waiting=0)
    resend = resender(outbox)
    resend.set_offline(True)
    assert not resend.scheduled
    resend.network_online()
    qtbot.wait(50)
    assert outbox.syncs == 0


def test_a_change_queued_while_offline_schedules_a_retry(qtbot: Any) -> None:
    outbox = Outbox(waiting=0)
    resend = resender(outbox)
    resend.set_offline(True)
    outbox.waiting = 1
    resend.changes_waiting(1)
    assert resend.scheduled
    qtbot.waitUntil(lambda: outbox.syncs == 1, timeout=2000)


def test_back_online_stops_retrying_and_resets_the_wait(qtbot: Any) -> None:
    outbox = Outbox(waiting=1)
    resend = resender(outbox, first_ms=10, max_ms=40)
    resend.set_offline(True)
    qtbot.waitUntil(lambda: outbox.syncs == 1, timeout=2000)
    resend.set_offline(False)
    assert not resend.scheduled
    assert resend.delay_ms == 10
    resend.changes_waiting(3)
    assert not resend.scheduled


def test_the_network_coming_back_sends_at_once_rather_than_at_the_timer(qtbot: Any) -> None:
    outbox = Outbox(waiting=1)
    resend = resender(outbox, first_ms=60_000, max_ms=60_000)
    resend.set_offline(True)
    resend.network_online()
    assert outbox.syncs == 1
    assert not resend.scheduled


def test_the_window_sends_a_change_made_offline_when_the_network_is_back(
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
    window._set_offline(True)  # what a sync that could not reach Pipedrive reports

    window.window_actions.log(contact)
    dialog = window.window_actions.dialog
    assert dialog is not None
    assert dialog.mode is ActionMode.LOG
    with qtbot.waitSignal(window.window_actions.controller.applied, timeout=10_000):
        dialog.try_accept()
    qtbot.waitUntil(lambda: window.window_actions.controller.waiting == 1)
    assert window.resend.scheduled

    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        window.resend.network_online()
    subject = f"Call with {contact.name}"
    assert len(logged_in_fake(fake_server, contact.pipedrive_person_id, subject)) == 1
    assert not window.resend.scheduled
