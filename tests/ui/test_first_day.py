"""A salesperson's first day: welcome → token → rows, errors in words, an honest partial list."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex
from PySide6.QtWidgets import QApplication

from pipedriven_desktop import secrets
from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.worker import SyncController
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import TOKEN, contacts, demo_endpoint

SYNC_TIMEOUT_MS = 60_000


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def settings_dialog(qtbot: Any, window: MainWindow) -> SettingsDialog:
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, SettingsDialog)
    return dialog


def connect_from_welcome(qtbot: Any, window: MainWindow, token: str, base_url: str) -> None:
    """Welcome → Connect → type the token and the address → Save."""
    assert window.showing_welcome()
    window.welcome.connect_button.click()
    dialog = settings_dialog(qtbot, window)
    dialog.token_edit.setText(token)
    dialog.base_url_edit.setText(base_url)
    dialog.buttons.accepted.emit()


def test_saving_a_token_on_the_welcome_panel_syncs_and_shows_rows_early(
    qtbot: Any,
    db: Database,
    fake_server: Any,
    make_window: Callable[..., MainWindow],
) -> None:
    window = make_window(db)
    rows_while_syncing: list[int] = []

    def on_progress(entity: str, _done: int, _total: object) -> None:
        if entity == "persons" and window.controller.is_running() and window.has_rows():
            rows_while_syncing.append(window.model.total)

    window.controller.progress.connect(on_progress)  # after the window's own slot
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        connect_from_welcome(qtbot, window, TOKEN, fake_server.base_url)
        qtbot.waitUntil(window.controller.is_running)
        assert window.welcome.sync_title.isVisible() or not window.showing_welcome()
    assert secrets.get_token() == TOKEN
    assert rows_while_syncing, "rows appear while the first sync is still running"
    assert not window.showing_welcome()
    assert window.model.total == sum(
        1
        for p in fake_server.account.persons.values()
        if p["owner_id"] == fake_server.account.me_id
    )
    assert not window.incomplete_notice.isVisible()


def test_welcome_shows_progress_text_while_the_first_sync_runs(
    qtbot: Any, db: Database, fake_server: Any, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window(db)
    seen: list[str] = []
    window.controller.progress.connect(
        lambda *_: (
            seen.append(window.welcome.progress_label.text()) if window.showing_welcome() else None
        )
    )
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        connect_from_welcome(qtbot, window, TOKEN, fake_server.base_url)
    assert any(text.startswith("Organizations: ") for text in seen)


def test_a_wrong_token_is_said_in_words_on_the_welcome_panel(
    qtbot: Any, db: Database, fake_server: Any, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window(db)
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        connect_from_welcome(qtbot, window, "not-the-token", fake_server.base_url)
    assert window.showing_welcome()
    assert window.welcome.sync_title.text() == "Pipedrive did not accept the API token"
    assert window.welcome.progress_label.text()  # the client's own words
    assert window.welcome.connect_button.isVisible()
    assert window.welcome.connect_button.text() == "Change token…"
    assert not isinstance(QApplication.activeModalWidget(), SettingsDialog)


def test_an_unreachable_address_is_said_in_words(
    qtbot: Any, db: Database, make_window: Callable[..., MainWindow]
) -> None:
    def quick(base_url: str, token: str) -> PipedriveClient:
        return PipedriveClient(base_url, token, backoff_base=0.01, max_retries=1)

    window = make_window(db, controller=SyncController(client_factory=quick))
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        connect_from_welcome(qtbot, window, TOKEN, f"http://127.0.0.1:{closed_port()}")
    assert window.showing_welcome()
    assert window.welcome.sync_title.text() == "The first sync could not finish"
    assert "Could not reach Pipedrive" in window.welcome.progress_label.text()
    assert window.welcome.retry_button.isVisible()


def test_a_retry_shows_its_reason_and_countdown(
    qtbot: Any, db: Database, fake_server: Any, make_window: Callable[..., MainWindow]
) -> None:
    def quick(base_url: str, token: str) -> PipedriveClient:
        return PipedriveClient(base_url, token, backoff_base=0.01)

    fake_server.faults.add("503", 1)
    window = make_window(db, controller=SyncController(client_factory=quick))
    shown: list[str] = []
    window.controller.retrying.connect(lambda *_: shown.append(window.welcome.detail.text()))
    bar: list[str] = []
    window.controller.retrying.connect(lambda *_: bar.append(window.sync_bar.progress_label.text()))
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        connect_from_welcome(qtbot, window, TOKEN, fake_server.base_url)
    assert len(shown) == 1
    assert shown[0] == "Pipedrive is having trouble (HTTP 503). Trying again in 1 s…"
    assert bar == ["Retrying in 1 s…"]


def test_a_cancelled_first_sync_says_the_list_is_incomplete_and_continues(
    qtbot: Any, db: Database, fake_server: Any, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window(db, demo=demo_endpoint(fake_server))

    def cancel_after_persons(entity: str, _done: int, _total: object) -> None:
        if entity == "persons":
            window.controller.cancel()

    window.controller.progress.connect(cancel_after_persons)
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        assert window.start_first_sync_if_empty()
    window.controller.progress.disconnect(cancel_after_persons)

    assert window.has_rows()
    assert not window.showing_welcome()
    notice = window.incomplete_notice
    assert notice.isVisible()
    assert notice.message.text().startswith("<b>Showing the ")
    assert "synced so far" in notice.message.text()
    assert "first sync did not finish" in notice.message.text()
    assert window.status.sync.text() == "First sync cancelled"
    assert "failed" not in window.status.sync.text()

    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        notice.retry_button.click()  # Continue sync
    assert not notice.isVisible()
    assert window.status.sync.text() == "Synced just now"


def test_cancel_before_any_contact_keeps_the_welcome_panel_with_a_way_on(
    qtbot: Any, db: Database, fake_server: Any, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window(db)
    window.controller.started.connect(window.welcome.cancel_button.click)
    with qtbot.waitSignal(window.sync_ended, timeout=SYNC_TIMEOUT_MS):
        connect_from_welcome(qtbot, window, TOKEN, fake_server.base_url)
    assert window.showing_welcome()
    assert window.welcome.sync_title.text() == "The first sync was cancelled"
    assert window.welcome.retry_button.text() == "Continue sync"


def test_the_list_follows_the_flag_and_keeps_the_selection(qtbot: Any, window: MainWindow) -> None:
    """Space flags a contact far down: it moves up to its place, stays current and visible."""
    from PySide6.QtCore import Qt

    rows = contacts(window.model)
    far = next(n for n in range(60, len(rows)) if not rows[n].added_to_campaign)
    target = rows[far]
    window.table._select_row(far)
    window.table.view.setFocus()
    with qtbot.waitSignal(window.model.campaign_changed):
        qtbot.keyClick(window.table.view, Qt.Key.Key_Space)
    moved = window.model.row_of(target.id)
    assert moved is not None
    assert moved < far
    assert moved == window.service.position_of(window.model.contact_filter, target.id)
    current = window.table.current_contact()
    assert current is not None
    assert current.id == target.id
    rect = window.table.view.visualRect(window.model.index(moved, 1))
    assert window.table.view.viewport().rect().intersects(rect)


def test_unflagging_follows_the_contact_beyond_the_rows_fetched(
    qtbot: Any, window: MainWindow
) -> None:
    """Unflagged, a contact may drop below the fetched rows: they are fetched up to it."""
    first = window.model.row(0)
    assert first is not None
    assert first.added_to_campaign
    window.table._select_row(0)
    with qtbot.waitSignal(window.model.campaign_changed):
        window.table.toggle_current_campaign()
    position = window.service.position_of(window.model.contact_filter, first.id)
    assert position is not None
    assert position > 0
    assert window.model.row_of(first.id) == position
    current = window.table.current_contact()
    assert current is not None
    assert current.id == first.id
    assert not window.model.canFetchMore(QModelIndex()) or window.model.rowCount() > position


def test_a_failed_first_sync_also_says_the_list_is_incomplete(
    populated_db: Database, make_window: Callable[..., MainWindow]
) -> None:
    """Contacts, and a first run that stopped on an error: the list says it is partial."""
    from datetime import datetime

    from pipedriven_desktop.store.models import SyncRun

    with populated_db.session() as session:
        session.add(
            SyncRun(
                kind="full",
                started=datetime(2026, 1, 1, 9, 0),
                finished=datetime(2026, 1, 1, 9, 1),
                error="Pipedrive is having trouble (HTTP 500). Try again later.",
            )
        )
    window = make_window(populated_db)
    assert window.incomplete_notice.isVisible()
    assert "first sync did not finish" in window.incomplete_notice.message.text()
    assert window.status.sync.text() == "First sync did not finish"
