"""The dialog behind each action on a contact: log, schedule the next step, reschedule, note.

One form, four modes, each with the defaults a salesperson would pick (a call, now; the
next working day at 9:00) and a reason in words beside Save when something is missing or
wrong; the field at fault takes the focus. The dialog writes nothing: it hands a plain
request to whoever opened it, which sends it to the mirror off the UI thread. Days and
times are asked in local time and handed on in Pipedrive's form (``ui/due.py``).
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum

from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.domain.next_step import DAY_PASSED, due_problem
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.due import default_due, local_due, to_pipedrive_due
from pipedriven_desktop.ui.style import heading, muted

#: Pipedrive's activity types the actions offer, with their labels.
KIND_LABELS: dict[str, str] = {
    "call": "Call",
    "meeting": "Meeting",
    "email": "Email",
    "task": "Task",
}
DATE_FORMAT = "yyyy-MM-dd"
#: A log may be stamped a little ahead of the clock (the dialog stayed open a minute).
FUTURE_SLACK = timedelta(minutes=2)

SUBJECT_REQUIRED = "The subject is required: say what the next step is."
DATE_FORMAT_ERROR = "Enter the date as YYYY-MM-DD, for example 2026-12-01."
TIME_FORMAT_ERROR = "Enter the time as HH:MM, for example 09:30."
LOGGED_IN_FUTURE = "A logged activity has already happened: its time cannot be in the future."
NOTE_EMPTY = "The note is empty: write what you want to keep."


class ActionMode(Enum):
    LOG = "Log activity"
    SCHEDULE = "Schedule next activity"
    RESCHEDULE = "Reschedule activity"
    NOTE = "Add note"


@dataclass(frozen=True, slots=True)
class LogRequest:
    """An activity that happened: done at ``done_at`` (aware, local)."""

    kind: str
    subject: str
    note: str | None
    done_at: datetime


@dataclass(frozen=True, slots=True)
class ScheduleRequest:
    """A next step: Pipedrive's due date and "HH:MM" UTC time (None: the whole day)."""

    kind: str
    subject: str
    due_date: date
    due_time: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class RescheduleRequest:
    due_date: date
    due_time: str | None


@dataclass(frozen=True, slots=True)
class NoteRequest:
    text: str


ActionRequest = LogRequest | ScheduleRequest | RescheduleRequest | NoteRequest


def default_subject(kind: str, contact_name: str) -> str:
    """What a log without a subject is called: "Call with Ada Lovelace"."""
    label = KIND_LABELS.get(kind, kind.capitalize())
    return f"{label} with {contact_name}" if contact_name else label


class ActionDialog(QDialog):
    """Asks for one action on one contact; ``request`` holds it once Save was accepted."""

    def __init__(
        self,
        mode: ActionMode,
        contact_name: str,
        *,
        organization_name: str | None = None,
        now: datetime | None = None,
        kind: str = "call",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.mode = mode
        self.contact_name = contact_name
        #: Local, naive: what the date and time fields show and compare with.
        self.now = (now.astimezone().replace(tzinfo=None) if now and now.tzinfo else now) or (
            datetime.now()
        )
        self.request: ActionRequest | None = None
        self.setObjectName("actionDialog")
        self.setWindowTitle(f"{mode.value} — {contact_name}" if contact_name else mode.value)
        self.setMinimumWidth(420)

        self.who = QLabel(html.escape(contact_name or "—"))
        heading(self.who, 1.15)
        self.where = QLabel(organization_name or "")
        muted(self.where)
        self.where.setVisible(bool(organization_name))

        self.kind = QComboBox()
        self.kind.setObjectName("actionKind")
        for value, label in KIND_LABELS.items():
            self.kind.addItem(label, value)
        self.set_kind(kind)
        self.subject = QLineEdit()
        self.subject.setObjectName("actionSubject")
        self.subject.setClearButtonEnabled(True)

        self.done_at = QDateTimeEdit(
            QDateTime(_qdate(self.now.date()), QTime(self.now.hour, self.now.minute))
        )
        self.done_at.setObjectName("actionDoneAt")
        self.done_at.setDisplayFormat(f"{DATE_FORMAT} HH:mm")
        self.done_at.setCalendarPopup(True)

        due_day, due_time = default_due(self.now)
        self.due_date = QDateEdit(_qdate(due_day))
        self.due_date.setObjectName("actionDueDate")
        self.due_date.setDisplayFormat(DATE_FORMAT)
        self.due_date.setCalendarPopup(True)
        self.day_hint = QLabel()
        muted(self.day_hint)
        self.due_date.dateChanged.connect(self._update_day_hint)
        self.timed = QCheckBox("at")
        self.timed.setObjectName("actionTimed")
        self.timed.setChecked(True)
        self.timed.setToolTip("Untick for an activity of the whole day")
        self.due_time = QTimeEdit(QTime(due_time.hour, due_time.minute))
        self.due_time.setObjectName("actionDueTime")
        self.due_time.setDisplayFormat("HH:mm")
        self.timed.toggled.connect(self.due_time.setEnabled)

        self.note = QPlainTextEdit()
        self.note.setObjectName("actionNote")
        self.note.setTabChangesFocus(True)
        self.note.setMinimumHeight(90)

        self.error = QLabel()
        self.error.setObjectName("actionError")
        self.error.setWordWrap(True)
        self.error.hide()

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        assert isinstance(save, QPushButton)
        self.save_button = save
        self.save_button.setToolTip("Save (Ctrl+Enter); sent to Pipedrive at the next sync")
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)

        self._build_form()
        for signal in (
            self.subject.textEdited,
            self.note.textChanged,
            self.due_date.dateChanged,
            self.due_time.timeChanged,
            self.done_at.dateTimeChanged,
        ):
            signal.connect(self._clear_error)
        self._update_day_hint()

    def _build_form(self) -> None:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        mode = self.mode
        if mode in (ActionMode.LOG, ActionMode.SCHEDULE):
            form.addRow("&Type", self.kind)
            form.addRow("&Subject", self.subject)
            self.kind.currentIndexChanged.connect(self._update_placeholder)
            self._update_placeholder()
        if mode is ActionMode.LOG:
            form.addRow("&When", self.done_at)
            form.addRow("&Outcome", self.note)
            self.note.setPlaceholderText("What came of it (optional)")
        if mode in (ActionMode.SCHEDULE, ActionMode.RESCHEDULE):
            when = QHBoxLayout()
            when.setSpacing(6)
            when.addWidget(self.due_date)
            when.addWidget(self.timed)
            when.addWidget(self.due_time)
            when.addWidget(self.day_hint, 1)
            date_label = QLabel("&Date")  # a row of several fields: the label needs a buddy
            date_label.setBuddy(self.due_date)
            form.addRow(date_label, when)
        if mode is ActionMode.SCHEDULE:
            form.addRow("&Note", self.note)
            self.note.setPlaceholderText("Anything to prepare (optional)")
        if mode is ActionMode.NOTE:
            form.addRow("&Note", self.note)
            self.note.setPlaceholderText("What you want to keep about this person")
            self.note.setMinimumHeight(140)

        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.addWidget(self.who)
        layout.addWidget(self.where)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        first: QWidget = {
            ActionMode.LOG: self.note,
            ActionMode.SCHEDULE: self.subject,
            ActionMode.RESCHEDULE: self.due_date,
            ActionMode.NOTE: self.note,
        }[mode]
        first.setFocus()

    # -- filling in -----------------------------------------------------------------------------

    def set_kind(self, kind: str) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def prefill(
        self,
        *,
        kind: str | None = None,
        subject: str | None = None,
        note: str | None = None,
        due_date: date | None = None,
        due_time: str | None = None,
    ) -> None:
        """Show an existing action's values (to edit it, or to reschedule an activity).

        ``due_date`` and ``due_time`` are Pipedrive's (UTC time); the fields show local ones.
        """
        if kind is not None:
            self.set_kind(kind)
        if subject is not None:
            self.subject.setText(subject)
        if note is not None:
            self.note.setPlainText(note)
        if due_date is not None:
            day, at = local_due(due_date, due_time)
            self.due_date.setDate(_qdate(day))
            self.timed.setChecked(at is not None)
            if at is not None:
                self.due_time.setTime(QTime(at.hour, at.minute))

    # -- validation -----------------------------------------------------------------------------

    def problem(self) -> tuple[QWidget, str] | None:
        """The first thing wrong with the form, with the field at fault; None when it is fine."""
        mode = self.mode
        if mode is ActionMode.SCHEDULE and not self.subject.text().strip():
            return self.subject, SUBJECT_REQUIRED
        if mode is ActionMode.LOG:
            if not self.done_at.hasAcceptableInput():
                return self.done_at, DATE_FORMAT_ERROR
            if self.done_at.dateTime().toPython() > self.now + FUTURE_SLACK:  # type: ignore[operator]
                return self.done_at, LOGGED_IN_FUTURE
        if mode in (ActionMode.SCHEDULE, ActionMode.RESCHEDULE):
            if not self.due_date.hasAcceptableInput():
                return self.due_date, DATE_FORMAT_ERROR
            if self.timed.isChecked() and not self.due_time.hasAcceptableInput():
                return self.due_time, TIME_FORMAT_ERROR
            # The rule the ``log --due`` command asks too.
            found = due_problem(self._chosen_day(), self._chosen_time(), self.now)
            if found is not None:
                return (self.due_date if found == DAY_PASSED else self.due_time), found
        if mode is ActionMode.NOTE and not self.note.toPlainText().strip():
            return self.note, NOTE_EMPTY
        return None

    def try_accept(self) -> None:
        """Save: accept with the request when the form is fine, else say why and stay open."""
        found = self.problem()
        if found is not None:
            widget, message = found
            self._show_error(message)
            widget.setFocus()
            return
        self.request = self._build_request()
        self.accept()

    def _build_request(self) -> ActionRequest:
        note = self.note.toPlainText().strip() or None
        kind = str(self.kind.currentData())
        if self.mode is ActionMode.LOG:
            done_at = self.done_at.dateTime().toPython()
            assert isinstance(done_at, datetime)
            return LogRequest(
                kind=kind,
                subject=self.subject.text().strip() or default_subject(kind, self.contact_name),
                note=note,
                done_at=done_at.astimezone(),
            )
        if self.mode is ActionMode.NOTE:
            return NoteRequest(text=self.note.toPlainText().strip())
        due_date, due_time = to_pipedrive_due(self._chosen_day(), self._chosen_time())
        if self.mode is ActionMode.RESCHEDULE:
            return RescheduleRequest(due_date=due_date, due_time=due_time)
        return ScheduleRequest(
            kind=kind,
            subject=self.subject.text().strip(),
            due_date=due_date,
            due_time=due_time,
            note=note,
        )

    def _chosen_day(self) -> date:
        day = self.due_date.date().toPython()
        assert isinstance(day, date)
        return day

    def _chosen_time(self) -> time | None:
        if not self.timed.isChecked():
            return None
        at = self.due_time.time().toPython()
        assert isinstance(at, time)
        return at

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Ctrl+Enter saves from any field, the note's too (where Enter starts a new line).
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            self.try_accept()
            return
        super().keyPressEvent(event)

    # -- presentation ---------------------------------------------------------------------------

    def _show_error(self, message: str) -> None:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        colour = "#ff8a80" if dark else "#b00020"
        self.error.setText(f'<span style="color:{colour}"><b>⚠</b> {html.escape(message)}</span>')
        self.error.setAccessibleName(message)
        self.error.show()

    def _clear_error(self) -> None:
        self.error.hide()

    def error_text(self) -> str:
        """The reason shown beside Save ("" when none is)."""
        return "" if self.error.isHidden() else self.error.accessibleName()

    def _update_placeholder(self) -> None:
        kind = str(self.kind.currentData())
        if self.mode is ActionMode.LOG:
            self.subject.setPlaceholderText(default_subject(kind, self.contact_name))
        else:
            self.subject.setPlaceholderText("e.g. Send the proposal (required)")

    def _update_day_hint(self) -> None:
        day = self._chosen_day()
        relative = formatting.relative_day(day, self.now.date())
        weekday = day.strftime("%A")
        # "Tuesday, tomorrow"; past the coming week the weekday alone (the field has the date).
        spoken = relative in ("today", "tomorrow", "yesterday") or relative.startswith("in ")
        self.day_hint.setText(f"{weekday}, {relative}" if spoken else weekday)
        self.day_hint.setToolTip(formatting.full_date(day))


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.capitalize())


__all__ = [
    "ActionDialog",
    "ActionMode",
    "ActionRequest",
    "LogRequest",
    "NoteRequest",
    "RescheduleRequest",
    "ScheduleRequest",
    "default_subject",
    "kind_label",
]
