"""The window's layout: a collapsible detail pane, columns that use the room they have."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.contact_table_model import Column
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.org_sidebar import SIDEBAR_MIN_WIDTH


def test_ctrl_d_collapses_the_detail_pane_and_gives_it_back(qtbot: Any, window: MainWindow) -> None:
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: window.detail.width() > 0)
    width = window.detail.width()
    action = window.detail_toggle.action
    assert action.isChecked()
    assert action.shortcut().toString() == "Ctrl+D"
    action.trigger()
    assert window.splitter.sizes()[2] == 0
    assert not action.isChecked()
    action.trigger()
    assert window.splitter.sizes()[2] == width
    assert action.isChecked()


def test_a_collapsed_detail_pane_stays_collapsed_next_time(
    qtbot: Any,
    populated_db: Database,
    settings: AppSettings,
    make_window: Callable[..., MainWindow],
) -> None:
    first = make_window(populated_db)
    first.detail_toggle.set_shown(False)
    first.close()
    second = make_window(populated_db, settings=settings)
    assert second.splitter.sizes()[2] == 0
    assert not second.detail_toggle.action.isChecked()


def test_wide_window_gives_names_and_emails_their_room(qtbot: Any, window: MainWindow) -> None:
    window.resize(2560, 1440)
    qtbot.waitUntil(lambda: window.table.view.viewport().width() > 1500)
    view = window.table.view
    metrics = view.fontMetrics()
    for column in (Column.NAME, Column.EMAIL):
        texts = [window.model.index(row, column).data() or "" for row in range(50)]
        longest = max(metrics.horizontalAdvance(text) for text in texts)
        assert view.columnWidth(column) > longest, column
    # The room left goes to the last column; "Next activity" is not a 1,000 px column
    # when another one is last, and never narrower than its own header.
    header = view.horizontalHeader()
    assert view.columnWidth(Column.NEXT_ACTIVITY) >= header.fontMetrics().horizontalAdvance(
        "Next activity"
    )
    assert view.columnWidth(Column.NAME) <= 320


def test_a_1024_window_is_1024_wide_and_keeps_names_readable(
    qtbot: Any, window: MainWindow
) -> None:
    window.resize(1024, 640)
    qtbot.waitUntil(lambda: window.width() == 1024)
    assert window.minimumSizeHint().width() <= 1024
    assert window.sidebar.width() >= SIDEBAR_MIN_WIDTH  # names are not cut to a letter
    # Without the detail pane every column fits, nothing scrolls sideways.
    window.detail_toggle.set_shown(False)
    view = window.table.view
    qtbot.waitUntil(lambda: view.horizontalScrollBar().maximum() == 0)
    used = sum(view.columnWidth(column) for column in Column if not view.isColumnHidden(column))
    assert used <= view.viewport().width() + 1
    assert window.model.index(0, Column.NAME).data(Qt.ItemDataRole.ToolTipRole)
