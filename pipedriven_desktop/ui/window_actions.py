"""Working the list from the main window: actions on contacts, Today, the outbox.

Owns the menu entries and shortcuts (Ctrl+L log, Ctrl+Shift+N next step, Ctrl+Shift+T
note, Ctrl+T Today, Ctrl+Shift+O outbox), the "3 overdue" button, the offer to log a call
just dialled, and the Today and Outbox windows. Every write goes through
``ActionsController`` (off the UI thread); when one lands, the contact's row, the detail
pane, Today and the counts are re-read, so the change shows at once, marked as waiting.
Today and the overdue count are read on a thread of their own too: a long agenda (years
of open tasks) must not hold the window, and a read never waits behind a write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QMenu, QToolButton, QWidget

from pipedriven_desktop.store.actions import OutboxEntry
from pipedriven_desktop.store.agenda import Agenda, agenda_owner, overdue_count, read_agenda
from pipedriven_desktop.store.contact_activities import ListedActivity, contact_activities
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.rows import ContactRow
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.action_dialog import (
    ActionDialog,
    ActionMode,
    ActionRequest,
    LogRequest,
    NoteRequest,
    RescheduleRequest,
    ScheduleRequest,
)
from pipedriven_desktop.ui.action_runner import ActionRunner, ActionTicket
from pipedriven_desktop.ui.actions_controller import (
    OUTBOX_READ,
    ActionsController,
    OutboxListing,
)
from pipedriven_desktop.ui.notice_banner import NoticeBanner

if TYPE_CHECKING:
    from pipedriven_desktop.store.agenda import AgendaItem
    from pipedriven_desktop.ui.agenda_view import AgendaDialog
    from pipedriven_desktop.ui.main_window import MainWindow
    from pipedriven_desktop.ui.outbox_view import OutboxDialog

MESSAGE_MS = 6000
#: The outbox kinds the action dialog edits, and the mode it opens in.
EDIT_MODES = {
    "log": ActionMode.LOG,
    "schedule": ActionMode.SCHEDULE,
    "reschedule": ActionMode.RESCHEDULE,
    "note": ActionMode.NOTE,
}


#: What a read of Today is called in its ticket.
TODAY_READ = "Today read"


@dataclass(frozen=True, slots=True)
class TodayRead:
    """The overdue count, and the agenda when Today is open (None: no signed-in user)."""

    overdue: int
    agenda: Agenda | None
    with_agenda: bool


def read_today(path: Path, day: date, with_agenda: bool) -> TodayRead:
    """Read on the calling thread, on a connection of its own (a reader's thread)."""
    db = Database(path)
    try:
        conn = db.reader()
        owner = agenda_owner(conn)
        if owner is None:
            return TodayRead(0, None, with_agenda)
        if not with_agenda:
            return TodayRead(overdue_count(conn, owner, day), None, False)
        agenda = read_agenda(conn, owner, day)
        return TodayRead(agenda.overdue_total, agenda, True)
    finally:
        db.close()


def bring_to_front(widget: QWidget) -> None:
    """Raise and activate a window (not on the offscreen platform, which stacks none)."""
    if QGuiApplication.platformName() != "offscreen":
        widget.raise_()
        widget.activateWindow()


def today() -> date:
    """The user's own day (local), which Today and the overdue count are about."""
    return date.today()


class WindowActions(QObject):
    """Built by the main window once its widgets exist; adds itself to them."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.controller = ActionsController(window.db, self._owner, self)
        self.controller.applied.connect(self._on_applied)
        self.controller.failed.connect(self._on_failed)
        self.controller.counts_changed.connect(window.status.set_outbox)
        self.controller.counts_changed.connect(self._on_counts)
        self.controller.outbox_loaded.connect(self._on_outbox_loaded)
        self.reader = ActionRunner(self)
        self.reader.done.connect(self._on_today_read)
        self.reader.failed.connect(
            lambda _ticket, message: window.status.showMessage(
                f"Could not read Today: {message}", MESSAGE_MS
            )
        )
        self.agenda_dialog: AgendaDialog | None = None
        self.outbox_dialog: OutboxDialog | None = None
        #: the last dialog opened (tests and screenshots reach it here)
        self.dialog: ActionDialog | None = None

        self.failure_notice = NoticeBanner("actionFailedNotice")
        self.failure_notice.retry_requested.connect(self._retry_failed)
        self._failed: ActionTicket | None = None
        self.call_notice = NoticeBanner("callNotice")
        self.call_notice.retry_button.setText("Log the call…")
        self.call_notice.retry_requested.connect(self._log_called)
        self._called: ContactRow | None = None
        self.refused_notice = NoticeBanner("refusedNotice")
        self.refused_notice.retry_button.setText("Open the outbox…")
        self.refused_notice.retry_requested.connect(self.open_outbox)
        self._refused_seen = 0
        #: the banners the window shows above the table
        self.notices = (self.refused_notice, self.failure_notice, self.call_notice)

        self.today_button = QToolButton()
        self.today_button.setObjectName("todayButton")
        self.today_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.today_button.setText("Today")  # the overdue count follows the first paint
        self.today_button.setToolTip(
            "Your overdue, today's and the next 7 days' activities (Ctrl+T)"
        )
        self.today_button.clicked.connect(self.open_agenda)
        window.filter_bar.add_to_top_row(self.today_button)

        self._create_actions()
        self._connect()
        # The counts are first read by the window once it has painted its first rows.

    # -- construction ---------------------------------------------------------------------------

    def _action(self, text: str, slot: Any, shortcut: str = "", name: str = "") -> QAction:
        act = QAction(text, self.window)
        if shortcut:
            act.setShortcut(shortcut)
            act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        act.setObjectName(name)
        act.triggered.connect(slot)
        self.window.addAction(act)
        return act

    def _create_actions(self) -> None:
        self.log_action = self._action("&Log activity…", self.log_current, "Ctrl+L", "logAction")
        self.schedule_action = self._action(
            "Schedule &next activity…", self.schedule_current, "Ctrl+Shift+N", "scheduleAction"
        )
        self.note_action = self._action(
            "Add &note…", self.note_current, "Ctrl+Shift+T", "noteAction"
        )
        self.agenda_action = self._action("&Today", self.open_agenda, "Ctrl+T", "agendaAction")
        self.outbox_action = self._action(
            "&Outbox", self.open_outbox, "Ctrl+Shift+O", "outboxAction"
        )
        bar = self.window.menuBar()
        contact_menu = QMenu("&Contact", bar)
        contact_menu.addAction(self.log_action)
        contact_menu.addAction(self.schedule_action)
        contact_menu.addAction(self.note_action)
        contact_menu.addSeparator()
        contact_menu.addAction(self.agenda_action)
        contact_menu.addAction(self.outbox_action)
        self.contact_menu = contact_menu
        help_menu = next((a for a in bar.actions() if a.text().replace("&", "") == "Help"), None)
        if help_menu is not None:
            bar.insertMenu(help_menu, contact_menu)
        else:
            bar.addMenu(contact_menu)

    def _connect(self) -> None:
        window = self.window
        detail = window.detail
        detail.log_requested.connect(self.log)
        detail.schedule_requested.connect(self.schedule)
        detail.note_requested.connect(self.note)
        detail.mark_done_requested.connect(self._mark_listed_done)
        detail.reschedule_requested.connect(self._reschedule_listed)
        detail.called.connect(self.offer_call_log)
        table = window.table
        table.log_requested.connect(self.log)
        table.schedule_requested.connect(self.schedule)
        table.note_requested.connect(self.note)
        table.called.connect(self.offer_call_log)
        window.status.outbox_requested.connect(self.open_outbox)
        window.sync_ended.connect(self.after_sync)

    # -- reading --------------------------------------------------------------------------------

    def _owner(self) -> int | None:
        return agenda_owner(self.window.db.reader())

    def _agenda_open(self) -> bool:
        return self.agenda_dialog is not None and self.agenda_dialog.isVisible()

    def read_today(self, with_agenda: bool | None = None) -> ActionTicket:
        """Read the overdue count (and Today, when open) off the UI thread."""
        wanted = self._agenda_open() if with_agenda is None else with_agenda
        path, day = self.window.db.path, today()
        return self.reader.submit(TODAY_READ, None, lambda: read_today(path, day, wanted))

    def refresh_counts(self) -> None:
        """The overdue count and Today (on the reader's thread), the outbox's (the writer's)."""
        self.read_today()
        self.controller.refresh_counts()

    def _on_today_read(self, _ticket: ActionTicket, result: object) -> None:
        if not isinstance(result, TodayRead):
            return
        self.set_overdue(result.overdue)
        if result.with_agenda and self.agenda_dialog is not None:
            self.agenda_dialog.set_agenda(result.agenda)

    def _on_counts(self, _waiting: int, refused: int) -> None:
        """Pipedrive refused more changes than the user has seen: say so until dealt with."""
        if refused > self._refused_seen:
            self.refused_notice.show_notice(
                f"Pipedrive refused {formatting.plural(refused, 'change')}.",
                "Each keeps its reason in the outbox: edit, retry or discard it there.",
            )
        elif refused == 0:
            self.refused_notice.hide()
        self._refused_seen = refused

    def set_overdue(self, overdue: int) -> None:
        self.overdue = overdue
        # Short: at 1024 px the button shares the search row with Sync now.
        self.today_button.setText(f"{formatting.count(overdue)} overdue" if overdue else "Today")
        # Laid out again now, not at the next turn of the event loop: until then the
        # button keeps the width of its old text and shows the new one cut ("54...ue").
        row = self.today_button.parentWidget()
        layout = row.layout() if row is not None else None
        if layout is not None:
            layout.activate()
        self.agenda_action.setText(f"&Today ({overdue:,} overdue)" if overdue else "&Today")

    def load_detail_activities(self, contact_id: str) -> None:
        """The detail pane's activities and notes, with the waiting marks (a short read)."""
        self.window.detail.set_activities(contact_activities(self.window.db.reader(), contact_id))

    # -- actions on the current contact ---------------------------------------------------------

    def _current(self) -> ContactRow | None:
        contact = self.window.detail.contact or self.window.table.current_contact()
        if contact is None:
            self.window.status.showMessage("Select a contact first", 3000)
        return contact

    def log_current(self) -> None:
        contact = self._current()
        if contact is not None:
            self.log(contact)

    def schedule_current(self) -> None:
        contact = self._current()
        if contact is not None:
            self.schedule(contact)

    def note_current(self) -> None:
        contact = self._current()
        if contact is not None:
            self.note(contact)

    def log(self, contact: ContactRow, kind: str = "call") -> None:
        self._open_dialog(ActionMode.LOG, contact, kind=kind)

    def schedule(self, contact: ContactRow) -> None:
        self._open_dialog(ActionMode.SCHEDULE, contact)

    def note(self, contact: ContactRow) -> None:
        self._open_dialog(ActionMode.NOTE, contact)

    def _open_dialog(
        self,
        mode: ActionMode,
        contact: ContactRow,
        *,
        kind: str = "call",
        on_request: Any = None,
    ) -> ActionDialog:
        org = contact.organization.name if contact.organization else None
        dialog = ActionDialog(
            mode, contact.name, organization_name=org, kind=kind, parent=self.window
        )
        handler = on_request or (lambda request: self.submit(contact, request))
        dialog.accepted.connect(lambda: dialog.request is not None and handler(dialog.request))
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog

    def submit(self, contact: ContactRow, request: ActionRequest) -> ActionTicket | None:
        """Queue the write of ``request`` for ``contact``; the views follow when it lands."""
        if isinstance(request, LogRequest):
            self.call_notice.hide()
            return self.controller.log(contact.id, request)
        if isinstance(request, ScheduleRequest):
            return self.controller.schedule(contact.id, request)
        if isinstance(request, NoteRequest):
            return self.controller.add_note(contact.id, request)
        return None

    # -- open activities: from the detail pane and from Today ------------------------------------

    def _mark_listed_done(self, activity: ListedActivity, contact: ContactRow) -> None:
        self.controller.mark_done(activity.id, contact.id)

    def _reschedule_listed(self, activity: ListedActivity, contact: ContactRow) -> None:
        self._open_reschedule(
            activity.id, contact.id, contact.name, activity.due_date, activity.due_time
        )

    def _open_reschedule(
        self,
        activity_id: str,
        contact_id: str | None,
        name: str,
        due_date: date | None,
        due_time: str | None,
    ) -> None:
        dialog = ActionDialog(ActionMode.RESCHEDULE, name, parent=self.window)
        if due_date is not None and due_date >= today():
            dialog.prefill(due_date=due_date, due_time=due_time)

        def done() -> None:
            if isinstance(dialog.request, RescheduleRequest):
                self.controller.reschedule(activity_id, contact_id, dialog.request)

        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()

    # -- tel: → offer to log the call ------------------------------------------------------------

    def offer_call_log(self, contact: ContactRow) -> None:
        """After the phone app was asked to dial: a notice that offers to log the call."""
        self._called = contact
        self.call_notice.show_notice(
            f"Calling {contact.name}.", "When you hang up, log how it went."
        )

    def _log_called(self) -> None:
        if self._called is not None:
            self.log(self._called, kind="call")

    # -- outcomes -------------------------------------------------------------------------------

    def _on_applied(self, ticket: ActionTicket, _written: object) -> None:
        window = self.window
        contact_id = ticket.contact_id
        if contact_id is not None:
            window._move_to_new_place(contact_id)  # the score may move it in the order
            shown = window.detail.contact
            if shown is not None and shown.id == contact_id:
                fresh = window.service.contact(contact_id)
                if fresh is not None:
                    window.detail.set_contact(fresh, window.service.deals(contact_id))
                    self.load_detail_activities(contact_id)
        name = self._name_of(contact_id)
        waiting = " · waiting to be sent" if self.controller.waiting else ""
        window.status.showMessage(
            f"{ticket.what}{f' for {name}' if name else ''}{waiting}", MESSAGE_MS
        )
        self.refresh_counts()  # Today too, when it is open
        if self.outbox_dialog is not None and self.outbox_dialog.isVisible():
            self.controller.load_outbox()

    def _on_failed(self, ticket: ActionTicket, message: str) -> None:
        """Say what was not saved and why; Retry writes the same change again."""
        if ticket.what == OUTBOX_READ:
            self.window.status.showMessage(f"Could not read the outbox: {message}", MESSAGE_MS)
            return
        self._failed = ticket
        what = ticket.what.split(";")[0]
        name = self._name_of(ticket.contact_id)
        self.failure_notice.show_notice(
            f"Not saved: {what.lower()}{f' for {name}' if name else ''}.", message
        )

    def _retry_failed(self) -> None:
        ticket, self._failed = self._failed, None
        if ticket is not None:
            self.controller.resubmit(ticket)

    def _name_of(self, contact_id: str | None) -> str:
        if contact_id is None:
            return ""
        contact = self.window.service.contact(contact_id)
        return contact.name if contact is not None else ""

    def after_sync(self) -> None:
        """A sync sent the outbox and fetched what changed: re-read what depends on both."""
        self.refresh_counts()  # Today too, when it is open
        shown = self.window.detail.contact
        if shown is not None:
            self.load_detail_activities(shown.id)

    # -- Today ----------------------------------------------------------------------------------

    def open_agenda(self) -> AgendaDialog:
        from pipedriven_desktop.ui.agenda_view import AgendaDialog

        if self.agenda_dialog is None:
            dialog = AgendaDialog(self.window)
            dialog.mark_done_requested.connect(self._mark_agenda_done)
            dialog.reschedule_requested.connect(self._reschedule_agenda)
            dialog.contact_requested.connect(self._show_agenda_contact)
            dialog.reload_requested.connect(lambda: self.read_today(with_agenda=True))
            self.agenda_dialog = dialog
        self.read_today(with_agenda=True)
        self.agenda_dialog.show()
        bring_to_front(self.agenda_dialog)
        return self.agenda_dialog

    def _mark_agenda_done(self, item: AgendaItem) -> None:
        self.controller.mark_done(item.activity_id, item.contact_id)

    def _reschedule_agenda(self, item: AgendaItem) -> None:
        name = item.contact_name or item.organization_name or ""
        self._open_reschedule(item.activity_id, item.contact_id, name, item.due_date, item.due_time)

    def _show_agenda_contact(self, item: AgendaItem) -> None:
        if item.contact_id is not None:
            self.show_contact(item.contact_id)

    def show_contact(self, contact_id: str) -> None:
        """Select the contact in the table when it is listed there; show it in the pane anyway."""
        window = self.window
        if window.table.select_contact(contact_id):
            window.table.view.scrollTo(window.table.view.currentIndex())
        else:
            contact = window.service.contact(contact_id)
            if contact is None:
                window.status.showMessage("That contact is no longer in the mirror", MESSAGE_MS)
                return
            window.detail.set_contact(contact, window.service.deals(contact_id))
            self.load_detail_activities(contact_id)
            window.status.showMessage(
                f"{contact.name} is not in the list as filtered now; shown on the right",
                MESSAGE_MS,
            )
        bring_to_front(window)

    # -- the outbox -----------------------------------------------------------------------------

    def open_outbox(self) -> OutboxDialog:
        from pipedriven_desktop.ui.outbox_view import OutboxDialog

        if self.outbox_dialog is None:
            dialog = OutboxDialog(self.window)
            dialog.retry_requested.connect(self.controller.retry)
            dialog.discard_requested.connect(self.controller.discard)
            dialog.edit_requested.connect(self._edit_entry)
            dialog.send_requested.connect(self.window.start_sync)
            self.outbox_dialog = dialog
        self.controller.load_outbox()
        self.outbox_dialog.show()
        bring_to_front(self.outbox_dialog)
        return self.outbox_dialog

    def _on_outbox_loaded(self, listing: OutboxListing) -> None:
        if self.outbox_dialog is not None:
            self.outbox_dialog.set_entries(listing.entries)

    def _edit_entry(self, entry: OutboxEntry) -> None:
        mode = EDIT_MODES.get(entry.kind)
        if mode is None:
            return
        values = dict(entry.editable)
        dialog = ActionDialog(mode, entry.contact_name, parent=self.outbox_dialog or self.window)
        dialog.setWindowTitle(f"Edit: {entry.summary}")
        due = values.get("due_date")
        due_day = date.fromisoformat(due) if isinstance(due, str) else due
        dialog.prefill(
            kind=values.get("kind"),
            subject=values.get("subject"),
            note=values.get("note") if mode is not ActionMode.NOTE else values.get("text"),
            due_date=due_day if isinstance(due_day, date) else None,
            due_time=values.get("due_time"),
        )
        if mode is ActionMode.LOG:
            dialog.done_at.setEnabled(False)  # when it happened is not Pipedrive's to refuse

        def done() -> None:
            request = dialog.request
            if request is not None:
                self.controller.edit(entry, edit_changes(request, values))

        dialog.accepted.connect(done)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()


def edit_changes(request: ActionRequest, editable: dict[str, Any]) -> dict[str, Any]:
    """The fields of ``request`` an outbox entry lets change, those that differ from now."""
    if isinstance(request, NoteRequest):
        proposed: dict[str, Any] = {"text": request.text}
    elif isinstance(request, RescheduleRequest):
        proposed = {"due_date": request.due_date, "due_time": request.due_time}
    elif isinstance(request, ScheduleRequest):
        proposed = {
            "kind": request.kind,
            "subject": request.subject,
            "note": request.note,
            "due_date": request.due_date,
            "due_time": request.due_time,
        }
    else:
        proposed = {"kind": request.kind, "subject": request.subject, "note": request.note}
    changes: dict[str, Any] = {}
    for key, value in proposed.items():
        if key not in editable:
            continue
        current = editable[key]
        if isinstance(value, date) and isinstance(current, str):
            current = date.fromisoformat(current)
        if value != current:
            changes[key] = value
    return changes


__all__ = ["WindowActions", "edit_changes", "today"]
