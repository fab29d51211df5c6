"""Today: the right activities in the right sections, worked from the window."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt

from pipedriven_desktop.store.agenda import Section, read_agenda
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui import window_actions
from pipedriven_desktop.ui.action_dialog import ActionDialog, ActionMode
from pipedriven_desktop.ui.agenda_view import (
    ACTIVITY,
    CONTACT,
    ORGANIZATION,
    AgendaDialog,
    AgendaModel,
)
from pipedriven_desktop.ui.main_window import MainWindow
from tests.store.agenda_fixture import (
    COMING,
    ME,
    OVERDUE,
    TODAY,
    TODAY_ITEMS,
    add_agenda_fixture,
)


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
    return make_window(mirror[0])


def section_subjects(model: AgendaModel) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for number in range(model.rowCount()):
        parent = model.index(number, 0)
        title = str(model.data(parent)).split(" · ")[0]
        found[title] = [
            str(model.data(model.index(row, ACTIVITY, parent))).split("  ")[1]
            for row in range(model.rowCount(parent))
        ]
    return found


def test_the_model_passes_the_model_tester(qtmodeltester: Any, db: Database) -> None:
    add_agenda_fixture(db)
    model = AgendaModel()
    model.set_agenda(read_agenda(db.reader(), ME, TODAY))
    qtmodeltester.check(model)


def open_today(qtbot: Any, window: MainWindow) -> AgendaDialog:
    """Open Today and wait for its agenda, read off the UI thread."""
    dialog = window.window_actions.open_agenda()
    with qtbot.waitSignal(dialog.loaded, timeout=10_000):
        pass  # the read's outcome is queued: it lands only once the event loop runs
    return dialog


def test_today_lists_my_open_activities_by_section(qtbot: Any, window: MainWindow) -> None:
    dialog = open_today(qtbot, window)
    qtbot.waitExposed(dialog)
    assert section_subjects(dialog.model) == {
        Section.OVERDUE.value: OVERDUE,
        Section.TODAY.value: TODAY_ITEMS,
        Section.COMING.value: COMING,
    }
    overdue = dialog.model.index(0, 0)
    missed = dialog.model.index(0, CONTACT, overdue)
    assert dialog.model.data(missed) == "Bob Ömer"
    morning = dialog.model.index(1, 0, dialog.model.index(1, 0))
    assert dialog.model.data(morning.siblingAtColumn(ORGANIZATION)) == "Acme Corp"
    # The activity made here and the one with a change in the outbox say they wait.
    coming = dialog.model.index(2, 0)
    waiting = [
        str(dialog.model.data(dialog.model.index(row, ACTIVITY, coming)))
        for row in range(dialog.model.rowCount(coming))
    ]
    assert [("waiting to be sent" in text) for text in waiting] == [True, True, False, False]
    assert "2 overdue" in dialog.summary.text()


def test_the_window_shows_the_overdue_count_and_ctrl_t_opens_today(
    qtbot: Any, window: MainWindow
) -> None:
    qtbot.waitUntil(lambda: window.window_actions.today_button.text() == "2 overdue")
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    dialog = window.window_actions.agenda_dialog
    assert dialog is not None
    assert dialog.isVisible()


def test_a_new_overdue_count_is_never_shown_cut(qtbot: Any, window: MainWindow) -> None:
    button = window.window_actions.today_button
    qtbot.waitUntil(lambda: button.text() == "2 overdue")
    # Wider text is laid out at once, not at the next turn of the event loop.
    window.window_actions.set_overdue(1234)
    assert button.text() == "1,234 overdue"
    assert button.width() >= button.sizeHint().width()


def test_mark_done_from_today(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    db, ids = mirror
    dialog = open_today(qtbot, window)
    assert dialog.select_activity(ids["Missed call yesterday"])
    qtbot.mouseClick(dialog.done_button, Qt.MouseButton.LeftButton)
    # Re-read once it is marked (a read begun before the click may land first).
    qtbot.waitUntil(
        lambda: section_subjects(dialog.model)[Section.OVERDUE.value] == ["Old overdue task"],
        timeout=10_000,
    )
    # The next overdue one is current now, ready for the next Mark done.
    current = dialog.current_item()
    assert current is not None
    assert current.subject == "Old overdue task"
    conn = sqlite3.connect(db.path)
    try:
        done = conn.execute(
            "SELECT done FROM activities WHERE id = ?", (ids["Missed call yesterday"],)
        ).fetchone()
        queued = conn.execute("SELECT kind, activity_id FROM outbox ORDER BY id DESC").fetchone()
    finally:
        conn.close()
    assert done == (1,)
    assert queued == ("mark_done", ids["Missed call yesterday"])
    qtbot.waitUntil(lambda: window.window_actions.today_button.text() == "1 overdue")


def test_reschedule_from_today_moves_it_to_its_new_day(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    _db, ids = mirror
    dialog = open_today(qtbot, window)
    assert dialog.select_activity(ids["Old overdue task"])
    qtbot.mouseClick(dialog.move_button, Qt.MouseButton.LeftButton)
    asked = window.window_actions.dialog
    assert isinstance(asked, ActionDialog)
    assert asked.mode is ActionMode.RESCHEDULE
    asked.now = asked.now.replace(year=2026, month=11, day=30, hour=8)
    asked.due_date.setDate(QDate(2026, 12, 4))
    asked.timed.setChecked(False)
    asked.try_accept()
    # Re-read once it is moved (a read begun before the change may land first).
    qtbot.waitUntil(
        lambda: "Old overdue task" in section_subjects(dialog.model)[Section.COMING.value],
        timeout=10_000,
    )
    subjects = section_subjects(dialog.model)
    assert "Old overdue task" not in subjects[Section.OVERDUE.value]
    assert subjects[Section.COMING.value] == [*COMING[:3], "Old overdue task", COMING[3]]
    moved = dialog.model.index_of(ids["Old overdue task"])
    item = dialog.model.item(moved)
    assert item is not None
    assert (item.due_date, item.waiting) == (date(2026, 12, 4), True)


def test_show_contact_from_today_selects_it_in_the_window(
    qtbot: Any, window: MainWindow, mirror: tuple[Database, dict[str, str]]
) -> None:
    _db, ids = mirror
    dialog = open_today(qtbot, window)
    assert dialog.select_activity(ids["Missed call yesterday"])
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: getattr(window.detail.contact, "name", None) == "Bob Ömer")
    current = window.table.current_contact()
    assert current is not None
    assert current.name == "Bob Ömer"


def test_without_a_signed_in_user_today_says_why_it_is_empty(
    qtbot: Any, db: Database, make_window: Callable[..., MainWindow]
) -> None:
    add_agenda_fixture(db, with_owner=False)
    window = make_window(db)
    dialog = open_today(qtbot, window)
    assert dialog.model.rowCount(QModelIndex()) == 0
    assert "after the first sync" in dialog.empty.text()


def test_today_and_the_overdue_count_are_read_off_the_ui_thread(
    qtbot: Any, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    threads: list[str] = []
    real = window_actions.read_today

    def recording(*args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args)

    monkeypatch.setattr(window_actions, "read_today", recording)
    open_today(qtbot, window)
    window.window_actions.refresh_counts()
    qtbot.waitUntil(lambda: len(threads) >= 2)  # (and the count after the first paint)
    assert threading.main_thread().name not in threads
