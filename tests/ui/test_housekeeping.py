"""Forget token, Help → About, the status line for a cancelled sync, and the headline words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pipedriven_desktop import __version__, secrets
from pipedriven_desktop.store.contact_query import SortKey
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.rows import SyncStatus
from pipedriven_desktop.ui.about_dialog import AboutDialog
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.contact_table_model import Column
from pipedriven_desktop.ui.headline import headline
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.settings_dialog import SettingsDialog
from pipedriven_desktop.ui.status_bar import sync_text


def test_forget_token_removes_it_and_returns_to_the_welcome_panel(
    qtbot: Any, populated_db: Database, stored_token: str, make_window: Callable[..., MainWindow]
) -> None:
    window = make_window(populated_db)
    assert not window.showing_welcome()
    window.settings_action.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, SettingsDialog)
    assert dialog.forget_button.isVisible()
    with qtbot.waitSignal(window.token_forgotten):
        dialog.forget_button.click()
    assert secrets.get_token() is None
    assert window.showing_welcome()
    assert "removed" in window.welcome.detail.text()
    assert window.welcome.demo_button.isVisible()
    window.refresh_all()  # e.g. a sync cancelled by the forget: the welcome panel stays
    assert window.showing_welcome()


def test_forget_token_is_hidden_without_a_stored_token(qtbot: Any, settings: AppSettings) -> None:
    dialog = SettingsDialog(settings)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.forget_button.isVisible()


def test_settings_shows_why_it_opened(qtbot: Any, settings: AppSettings) -> None:
    dialog = SettingsDialog(settings, problem="Pipedrive refused the API token (HTTP 401).")
    qtbot.addWidget(dialog)
    assert "HTTP 401" in dialog.test_result.text()


def test_about_names_version_data_folder_and_log(qtbot: Any, window: MainWindow) -> None:
    assert window.help_action.shortcut().toString() == "F1"
    window.about_action.trigger()
    qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), AboutDialog))
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, AboutDialog)
    assert __version__ in dialog.findChildren(type(dialog.data_label))[0].text()
    assert str(window.db.path.parent) in dialog.data_label.text()
    assert "pipedriven-desktop.log" in dialog.log_label.text()
    assert "README" in dialog.docs_label.text()
    dialog.reject()


def test_sync_text_tells_cancelled_from_failed() -> None:
    now = datetime(2026, 1, 1, 12, 0)
    earlier = now - timedelta(minutes=5)

    def status(last: datetime | None, error: str | None) -> SyncStatus:
        return SyncStatus(last_finished=last, last_kind="full", last_error=error, running=False)

    assert sync_text(status(None, "cancelled"), now, offline=False, running=False) == (
        "First sync cancelled"
    )
    assert sync_text(status(None, "boom"), now, offline=False, running=False) == (
        "First sync did not finish"
    )
    assert sync_text(status(earlier, "cancelled"), now, offline=False, running=False) == (
        "Last sync cancelled, last synced 5 min ago"
    )
    assert sync_text(status(earlier, "boom"), now, offline=False, running=False).startswith(
        "Last sync failed"
    )


def test_headline_counts_against_the_target_and_names_the_order() -> None:
    assert headline(mine=True, narrowed=False, total=320, base_total=320)[0] == (
        "My-500: 320 contacts (target 500)"
    )
    assert headline(mine=True, narrowed=False, total=500, base_total=500)[0] == (
        "My-500: 500 contacts"
    )
    big, order = headline(mine=True, narrowed=False, total=800, base_total=800)
    assert big == "My-500: 800 contacts — work the top 500"
    assert order.startswith("in My-500 order")
    _, by_name = headline(mine=True, narrowed=False, total=800, base_total=800, sort=SortKey.NAME)
    assert by_name == "sorted by Name"


def test_header_click_renames_the_order_in_the_headline(qtbot: Any, window: MainWindow) -> None:
    assert window.table.subline.text().startswith("in My-500 order")
    header = window.table.view.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=header.rect().topLeft() + _section_center(header, Column.NAME),
    )
    assert window.model.contact_filter.sort is SortKey.NAME
    assert window.table.subline.text().startswith("sorted by Name")


def _section_center(header: Any, section: int) -> Any:
    from PySide6.QtCore import QPoint

    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    return QPoint(x, header.height() // 2)
