"""The action dialog: sensible defaults, reasons in words, and requests in Pipedrive's form."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtWidgets import QLabel

from pipedriven_desktop.domain.next_step import DAY_PASSED, TIME_PASSED
from pipedriven_desktop.ui.action_dialog import (
    LOGGED_IN_FUTURE,
    NOTE_EMPTY,
    SUBJECT_REQUIRED,
    ActionDialog,
    ActionMode,
    LogRequest,
    NoteRequest,
    RescheduleRequest,
    ScheduleRequest,
)
from pipedriven_desktop.ui.due import local_due, next_working_day, to_pipedrive_due

#: A Friday morning, local time.
FRIDAY = datetime(2026, 11, 27, 10, 15)


def make(qtbot: Any, mode: ActionMode, now: datetime = FRIDAY) -> ActionDialog:
    dialog = ActionDialog(mode, "Ada Lovelace", organization_name="Acme Corp", now=now)
    qtbot.addWidget(dialog)
    return dialog


def test_the_next_working_day_skips_the_weekend() -> None:
    assert next_working_day(date(2026, 11, 26)) == date(2026, 11, 27)  # Thursday → Friday
    assert next_working_day(date(2026, 11, 27)) == date(2026, 11, 30)  # Friday → Monday
    assert next_working_day(date(2026, 11, 28)) == date(2026, 11, 30)  # Saturday → Monday


def test_a_local_time_travels_as_utc_and_comes_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Berlin")
    import time as time_module

    time_module.tzset()
    try:
        # 00:30 in Berlin in winter is 23:30 UTC the day before.
        assert to_pipedrive_due(date(2026, 12, 1), time(0, 30)) == (date(2026, 11, 30), "23:30")
        assert local_due(date(2026, 11, 30), "23:30") == (date(2026, 12, 1), time(0, 30))
        assert to_pipedrive_due(date(2026, 12, 1), None) == (date(2026, 12, 1), None)
        assert local_due(date(2026, 12, 1), None) == (date(2026, 12, 1), None)
    finally:
        monkeypatch.delenv("TZ")
        time_module.tzset()


def test_logging_defaults_to_a_call_now_named_after_the_contact(qtbot: Any) -> None:
    dialog = make(qtbot, ActionMode.LOG)
    assert dialog.kind.currentData() == "call"
    assert dialog.done_at.dateTime().toPython() == FRIDAY
    dialog.note.setPlainText("Interested, wants a quote")
    # Ctrl+Enter saves from the note too, where Enter alone starts a new line.
    qtbot.keyClick(dialog.note, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    request = dialog.request
    assert isinstance(request, LogRequest)
    assert request.subject == "Call with Ada Lovelace"
    assert request.note == "Interested, wants a quote"
    assert request.done_at == FRIDAY.astimezone()
    assert request.done_at.tzinfo is not None


def test_a_log_cannot_be_in_the_future(qtbot: Any) -> None:
    dialog = make(qtbot, ActionMode.LOG)
    dialog.done_at.setDateTime(QDateTime(QDate(2026, 11, 27), QTime(15, 0)))
    dialog.try_accept()
    assert dialog.request is None
    assert dialog.error_text() == LOGGED_IN_FUTURE
    assert dialog.result() == 0


def test_scheduling_defaults_to_the_next_working_day_at_nine(qtbot: Any) -> None:
    dialog = make(qtbot, ActionMode.SCHEDULE)
    labels = [label.text() for label in dialog.findChildren(QLabel) if label.buddy() is not None]
    assert "&Date" in labels  # Alt+D reaches the date (a label without a buddy shows "&")
    assert dialog.due_date.date().toPython() == date(2026, 11, 30)
    assert dialog.due_time.time().toPython() == time(9, 0)
    assert dialog.day_hint.text() == "Monday, in 3 days"


def test_scheduling_needs_a_subject_and_says_so(qtbot: Any) -> None:
    dialog = make(qtbot, ActionMode.SCHEDULE)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert dialog.request is None
    assert dialog.error_text() == SUBJECT_REQUIRED
    assert dialog.focusWidget() is dialog.subject
    qtbot.keyClicks(dialog.subject, "Send the proposal")
    assert dialog.error_text() == ""  # typing clears the reason
    qtbot.keyClick(dialog.subject, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    request = dialog.request
    assert isinstance(request, ScheduleRequest)
    assert (request.kind, request.subject, request.note) == ("call", "Send the proposal", None)
    assert (request.due_date, request.due_time) == to_pipedrive_due(date(2026, 11, 30), time(9))


def test_a_past_day_or_time_is_refused_and_a_whole_day_has_no_time(qtbot: Any) -> None:
    dialog = make(qtbot, ActionMode.SCHEDULE)
    dialog.subject.setText("Call back")
    dialog.due_date.setDate(QDate(2026, 11, 26))
    dialog.try_accept()
    assert dialog.error_text() == DAY_PASSED
    dialog.due_date.setDate(QDate(2026, 11, 27))
    dialog.due_time.setTime(QTime(8, 0))
    dialog.try_accept()
    assert dialog.error_text() == TIME_PASSED
    dialog.timed.setChecked(False)
    dialog.try_accept()
    request = dialog.request
    assert isinstance(request, ScheduleRequest)
    assert (request.due_date, request.due_time) == (date(2026, 11, 27), None)


def test_rescheduling_starts_from_the_activitys_own_day_and_time(qtbot: Any) -> None:
    dialog = make(qtbot, ActionMode.RESCHEDULE)
    utc_day, utc_time = to_pipedrive_due(date(2026, 12, 3), time(14, 30))
    dialog.prefill(due_date=utc_day, due_time=utc_time)
    assert dialog.due_date.date().toPython() == date(2026, 12, 3)
    assert dialog.due_time.time().toPython() == time(14, 30)
    dialog.due_date.setDate(QDate(2026, 12, 4))
    dialog.try_accept()
    request = dialog.request
    assert isinstance(request, RescheduleRequest)
    assert (request.due_date, request.due_time) == to_pipedrive_due(date(2026, 12, 4), time(14, 30))


def test_an_empty_note_is_refused(qtbot: Any) -> None:
    dialog = make(qtbot, ActionMode.NOTE)
    dialog.note.setPlainText("   ")
    dialog.try_accept()
    assert dialog.error_text() == NOTE_EMPTY
    dialog.note.setPlainText("Prefers mornings")
    dialog.try_accept()
    assert dialog.request == NoteRequest(text="Prefers mornings")


def test_an_aware_now_is_read_in_local_time(qtbot: Any) -> None:
    aware = datetime(2026, 11, 27, 9, 15, tzinfo=UTC)
    dialog = make(qtbot, ActionMode.LOG, now=aware)
    assert dialog.now == aware.astimezone().replace(tzinfo=None)
