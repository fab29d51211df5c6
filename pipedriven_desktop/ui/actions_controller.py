"""Turns what the user asked for (a log, a next step, a note, a retry) into mirror writes.

Every write goes through the ``ActionRunner``'s thread, in the order asked, in one
transaction of ``store.actions`` (the mirror row, the outbox row and the contact's new
score together). When it lands, ``applied`` names the contact touched, so the window
re-reads that row and the detail pane; the outbox's counts come back with every write,
for the status bar. The outbox listing is read on the same thread.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QObject, Signal

from pipedriven_desktop.store import actions
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.action_dialog import (
    LogRequest,
    NoteRequest,
    RescheduleRequest,
    ScheduleRequest,
    kind_label,
)
from pipedriven_desktop.ui.action_runner import ActionRunner, ActionTicket

#: What an outbox read is called in its ticket (a read: nothing to save or retry).
OUTBOX_READ = "Outbox read"

Clock = Callable[[], datetime]
#: The SQLAlchemy connection ``store.actions.writing`` opens (ui names no SQL library).
Connection = Any


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Written:
    """What a write returned, with the outbox's counts after it."""

    result: object
    waiting: int
    refused: int


@dataclass(frozen=True, slots=True)
class OutboxListing:
    entries: tuple[actions.OutboxEntry, ...]
    waiting: int
    refused: int


def _rescore(conn: Connection, ids: Any, now: datetime) -> None:
    # The scoring pass lives in sync/ (store may not import it); loaded on the first write.
    from pipedriven_desktop.sync.scoring import score_contacts

    score_contacts(conn, ids, now)


class ActionsController(QObject):
    """The window's one way to act on contacts and the outbox; nothing here blocks."""

    #: (ticket, Written): the change is in the mirror; re-read ticket.contact_id
    applied = Signal(object, object)
    #: (ticket, message for the user): it is not
    failed = Signal(object, str)
    #: (waiting, refused): how many actions the outbox holds
    counts_changed = Signal(int, int)
    #: OutboxListing, after ``load_outbox``
    outbox_loaded = Signal(object)

    def __init__(
        self,
        db: Database,
        owner_id: Callable[[], int | None],
        parent: QObject | None = None,
        *,
        clock: Clock = _utc_now,
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._owner_id = owner_id
        self._clock = clock
        self.runner = ActionRunner(self)
        self.runner.done.connect(self._on_done)
        self.waiting = 0
        self.refused = 0
        #: The work of writes that failed, by ticket number, so Retry can run it again.
        self._failed_work: dict[int, Callable[[Connection], object]] = {}
        self._work: dict[int, Callable[[Connection], object]] = {}
        self.runner.failed.connect(self._remember_failure)

    # -- actions on a contact -------------------------------------------------------------------

    def log(self, contact_id: str, request: LogRequest) -> ActionTicket:
        owner, now = self._owner_id(), self._clock()
        return self._write(
            f"{kind_label(request.kind)} logged",
            contact_id,
            lambda conn: actions.log_activity(
                conn,
                contact_id,
                kind=request.kind,  # type: ignore[arg-type]
                subject=request.subject,
                note=request.note,
                done_at=request.done_at,
                owner_id=owner,
                now=now,
                rescore=_rescore,
            ),
        )

    def schedule(self, contact_id: str, request: ScheduleRequest) -> ActionTicket:
        owner, now = self._owner_id(), self._clock()
        return self._write(
            f"{kind_label(request.kind)} scheduled",
            contact_id,
            lambda conn: actions.schedule_activity(
                conn,
                contact_id,
                kind=request.kind,  # type: ignore[arg-type]
                subject=request.subject,
                due_date=request.due_date,
                due_time=request.due_time,
                note=request.note,
                owner_id=owner,
                now=now,
                rescore=_rescore,
            ),
        )

    def add_note(self, contact_id: str, request: NoteRequest) -> ActionTicket:
        now = self._clock()
        return self._write(
            "Note added",
            contact_id,
            lambda conn: actions.add_note(conn, contact_id, text=request.text, now=now),
        )

    def mark_done(self, activity_id: str, contact_id: str | None) -> ActionTicket:
        now = self._clock()
        return self._write(
            "Activity marked done",
            contact_id,
            lambda conn: actions.mark_done(conn, activity_id, now=now, rescore=_rescore),
        )

    def reschedule(
        self, activity_id: str, contact_id: str | None, request: RescheduleRequest
    ) -> ActionTicket:
        now = self._clock()
        return self._write(
            "Activity rescheduled",
            contact_id,
            lambda conn: actions.reschedule(
                conn,
                activity_id,
                due_date=request.due_date,
                due_time=request.due_time,
                now=now,
                rescore=_rescore,
            ),
        )

    # -- the outbox -----------------------------------------------------------------------------

    def retry(self, entry: actions.OutboxEntry) -> ActionTicket:
        now = self._clock()
        return self._write(
            "Put back in line for the next sync",
            entry.contact_id,
            lambda conn: actions.retry(conn, entry.id, now=now),
        )

    def discard(self, entry: actions.OutboxEntry) -> ActionTicket:
        now = self._clock()
        return self._write(
            "Change discarded",
            entry.contact_id,
            lambda conn: actions.discard(conn, entry.id, now=now, rescore=_rescore),
        )

    def edit(self, entry: actions.OutboxEntry, changes: dict[str, Any]) -> ActionTicket:
        now = self._clock()
        return self._write(
            "Change edited; it waits for the next sync",
            entry.contact_id,
            lambda conn: actions.edit(conn, entry.id, changes, now=now, rescore=_rescore),
        )

    def load_outbox(self) -> ActionTicket:
        """Read the outbox on the writer's thread; ``outbox_loaded`` brings it back."""
        db = self._db

        def read() -> OutboxListing:
            with db.engine.connect() as conn:
                return OutboxListing(
                    entries=tuple(actions.outbox_entries(conn)),
                    waiting=actions.waiting_count(conn),
                    refused=actions.refused_count(conn),
                )

        return self.runner.submit(OUTBOX_READ, None, read)

    def refresh_counts(self) -> ActionTicket:
        """Re-count the outbox (after a sync sent some of it); ``counts_changed`` follows."""
        return self.load_outbox()

    def resubmit(self, ticket: ActionTicket) -> ActionTicket | None:
        """Run a failed write again (the mirror was locked, the disk full); None if unknown."""
        change = self._failed_work.pop(ticket.number, None)
        if change is None:
            return None
        return self._write(ticket.what, ticket.contact_id, change)

    def wait(self, msecs: int = -1) -> bool:
        return self.runner.wait(msecs)

    # -- plumbing -------------------------------------------------------------------------------

    def _write(
        self, what: str, contact_id: str | None, change: Callable[[Connection], object]
    ) -> ActionTicket:
        db = self._db

        def work() -> Written:
            with actions.writing(db) as conn:
                result = change(conn)
                return Written(result, actions.waiting_count(conn), actions.refused_count(conn))

        ticket = self.runner.submit(what, contact_id, work)
        self._work[ticket.number] = change
        return ticket

    def _remember_failure(self, ticket: ActionTicket, message: str) -> None:
        change = self._work.pop(ticket.number, None)
        if change is not None:
            self._failed_work = {ticket.number: change}  # only the latest is offered again
        self.failed.emit(ticket, message)

    def _on_done(self, ticket: ActionTicket, result: object) -> None:
        self._work.pop(ticket.number, None)
        if isinstance(result, OutboxListing):
            self._set_counts(result.waiting, result.refused)
            self.outbox_loaded.emit(result)
            return
        if isinstance(result, Written):
            self._set_counts(result.waiting, result.refused)
        self.applied.emit(ticket, result)

    def _set_counts(self, waiting: int, refused: int) -> None:
        self.waiting, self.refused = waiting, refused
        self.counts_changed.emit(waiting, refused)
