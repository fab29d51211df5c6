"""The status bar's outbox count, and messages that never draw over the contact counts."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMainWindow

from pipedriven_desktop.ui.status_bar import AppStatusBar, outbox_text


def test_outbox_text_says_what_waits_and_what_was_refused() -> None:
    assert outbox_text(0, 0) == ""
    assert outbox_text(1, 0) == "1 change waiting to be sent"
    assert outbox_text(3, 2) == "3 changes waiting to be sent · 2 refused"
    assert outbox_text(0, 1) == "1 refused"


def test_the_outbox_button_shows_only_when_something_waits(qtbot: Any) -> None:
    window = QMainWindow()
    status = AppStatusBar()
    window.setStatusBar(status)
    qtbot.addWidget(window)
    window.show()
    status.set_outbox(2, 1)
    assert status.outbox.isVisible()
    assert status.outbox.text() == "⚠ 2 changes waiting to be sent · 1 refused"
    with qtbot.waitSignal(status.outbox_requested):
        status.outbox.click()
    status.set_outbox(0, 0)
    assert not status.outbox.isVisible()


def test_a_second_message_still_hides_the_counts(qtbot: Any) -> None:
    window = QMainWindow()
    status = AppStatusBar()
    window.setStatusBar(status)
    qtbot.addWidget(window)
    window.show()
    status.set_counts("347 contacts · 20 in campaign")
    status.showMessage("Call logged for Ada", 5000)
    status.showMessage("Email scheduled for Ada", 5000)
    assert not status.counts.isVisible()
    status.clearMessage()
    assert status.counts.isVisible()


def test_the_sync_result_says_what_the_outbox_sent_and_what_was_refused() -> None:
    from types import SimpleNamespace

    from pipedriven_desktop.ui.main_window import _result_text

    result = SimpleNamespace(created=1, updated=2, deleted=0, failed=0, sent=3, refused=1)
    text = _result_text(result)
    assert text.endswith("3 changes sent, 1 refused (see the outbox)")
    quiet = _result_text(SimpleNamespace(created=0, updated=0, deleted=0, sent=0, refused=0))
    assert "sent" not in quiet
    assert "refused" not in quiet
