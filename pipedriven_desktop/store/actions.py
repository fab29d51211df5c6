"""Actions on a contact, local first: the mirror shows them at once, the outbox sends them.

Each action (log a done activity, schedule one, mark one done, reschedule one, add a
note) changes the mirror and queues an ``outbox`` row in ONE transaction: the activity
(or note) row appears with no Pipedrive id, the contact's ``last_contacted`` follows its
done activities, and its warmness score is recomputed for it alone. ``sync.outbox_sender``
later sends the rows in order (see its docstring for the unknown-outcome strategy); on
success the local row takes its Pipedrive id, so the next sync updates it instead of
adding a second one.

How to call (off the UI thread, like ``ui/campaign_writer.py``)::

    from pipedriven_desktop.sync.scoring import score_contacts
    with actions.writing(db) as conn:      # BEGIN IMMEDIATE ... COMMIT
        actions.log_activity(conn, contact_id, kind="call", subject="Call", note="...",
                             done_at=now, owner_id=me, now=now, rescore=score_contacts)

Every function takes a SQLAlchemy ``Connection`` and works inside the caller's
transaction (``writing`` opens one and commits it). Functions that change what the
warmness score reads take ``rescore``: ``sync.scoring.score_contacts``, passed in
because ``store`` may not import ``sync`` (the layering contract in pyproject.toml).
Errors meant for the user are ``ActionError`` (one line); storage failures leave
``writing`` as ``store.errors.DatabaseError``.

In the mirror, an activity or note the outbox has not delivered yet is the one whose
``pipedrive_activity_id`` (``pipedrive_note_id``) is NULL: "waiting to be sent".
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from pipedriven_desktop.store.errors import DatabaseError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from pipedriven_desktop.store.database import Database

__all__ = [
    "ACTIVITY_KINDS",
    "ActionError",
    "ActivityKind",
    "OutboxEntry",
    "OutboxState",
    "Rescore",
    "add_note",
    "discard",
    "edit",
    "log_activity",
    "mark_done",
    "outbox_entries",
    "refused_count",
    "reschedule",
    "retry",
    "schedule_activity",
    "waiting_count",
    "writing",
]

ActivityKind = Literal["call", "meeting", "email", "task"]
ACTIVITY_KINDS: Final[tuple[ActivityKind, ...]] = ("call", "meeting", "email", "task")

#: waiting: not sent yet; sending: a request went out and its outcome is not known yet
#: (after a crash or a dropped connection it is checked in Pipedrive before any resend);
#: refused: Pipedrive said no, ``error`` says why, the user edits, retries or discards it.
OutboxState = Literal["waiting", "sending", "refused"]

#: ``sync.scoring.score_contacts``: scores these contacts in the caller's transaction.
Rescore = Callable[["Connection", Sequence[str], datetime], None]


class ActionError(DatabaseError):
    """The action cannot be taken (contact gone, not in Pipedrive, bad input, being sent).

    The message is one line for the user.
    """


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One outbox row as the window shows it (plain values, safe to hand across threads)."""

    id: int
    #: log, schedule, mark_done, reschedule, note
    kind: str
    contact_id: str | None
    #: The contact's name now ("" when the contact left the mirror).
    contact_name: str
    #: What the action does, in words: 'Call logged: "Intro call" (2025-06-02)'.
    summary: str
    state: OutboxState
    #: Pipedrive's reason in words for a refused action, else None.
    error: str | None
    #: When the action was taken (naive UTC, as the store keeps time).
    created_at: datetime
    attempts: int
    #: The fields ``edit`` accepts for this kind, with their current values.
    editable: Mapping[str, Any] = field(default_factory=dict, compare=False)


@contextmanager
def writing(db: Database) -> Iterator[Connection]:
    """A connection in a write transaction (``BEGIN IMMEDIATE``), committed on leaving.

    Immediate: the write lock is taken first (waiting up to the busy timeout behind a
    sync's page), so the action never fails halfway on a snapshot that went stale.
    SQLite and OS failures leave as ``DatabaseError`` with a one-line message.
    """
    raise NotImplementedError
    yield


def log_activity(
    conn: Connection,
    contact_id: str,
    *,
    kind: ActivityKind,
    subject: str,
    note: str | None,
    done_at: datetime,
    owner_id: int | None,
    now: datetime,
    rescore: Rescore,
) -> str:
    """Record a call, meeting, email or task that happened: a done activity of the person.

    ``done_at`` (aware, or naive UTC) gives its due date, due time and done time;
    ``owner_id`` is the Pipedrive user it belongs to (the signed-in user). The contact's
    ``last_contacted`` and score follow at once. Returns the outbox row's ``action_id``.
    An empty ``subject`` becomes the kind's name ("Call").
    """
    raise NotImplementedError


def schedule_activity(
    conn: Connection,
    contact_id: str,
    *,
    kind: ActivityKind,
    subject: str,
    due_date: date,
    due_time: str | None,
    note: str | None,
    owner_id: int | None,
    now: datetime,
    rescore: Rescore,
) -> str:
    """Plan the next activity: an open activity of the person on ``due_date``.

    ``due_time`` is "HH:MM" in UTC (Pipedrive's form) or None for the whole day.
    Returns the outbox row's ``action_id``.
    """
    raise NotImplementedError


def mark_done(conn: Connection, activity_id: str, *, now: datetime, rescore: Rescore) -> str:
    """Mark one open activity (local ``activities.id``) done, now.

    Works on an activity still waiting in the outbox too: the update is sent after it.
    Returns the outbox row's ``action_id``; ActionError if it is gone or already done.
    """
    raise NotImplementedError


def reschedule(
    conn: Connection,
    activity_id: str,
    *,
    due_date: date,
    due_time: str | None,
    now: datetime,
    rescore: Rescore,
) -> str:
    """Move an open activity (local ``activities.id``) to another day and time.

    Returns the outbox row's ``action_id``.
    """
    raise NotImplementedError


def add_note(conn: Connection, contact_id: str, *, text: str, now: datetime) -> str:
    """Add a note to the person (a ``notes`` row at once, Pipedrive's note once sent).

    Returns the outbox row's ``action_id``; ActionError for an empty text.
    """
    raise NotImplementedError


def outbox_entries(conn: Connection) -> list[OutboxEntry]:
    """Every action Pipedrive does not have yet, in sending order, refused ones included."""
    raise NotImplementedError


def waiting_count(conn: Connection) -> int:
    """How many actions wait to be sent (waiting or sending; refused ones not counted)."""
    raise NotImplementedError


def refused_count(conn: Connection) -> int:
    """How many actions Pipedrive refused and wait for the user (edit, retry or discard)."""
    raise NotImplementedError


def retry(conn: Connection, outbox_id: int, *, now: datetime) -> bool:
    """Put a refused action back in line, unchanged; the next send tries it again.

    False when there is no such row; ActionError while it is being sent.
    """
    raise NotImplementedError


def discard(conn: Connection, outbox_id: int, *, now: datetime, rescore: Rescore) -> bool:
    """Drop an action that was not sent, undoing what it did to the mirror.

    A logged or scheduled activity (and any later action on it) and a note disappear; a
    mark-done or reschedule puts the activity back as it was. The contact's
    ``last_contacted`` and score follow. False when there is no such row; ActionError
    while it is being sent (its outcome is not known: it may already be in Pipedrive).
    """
    raise NotImplementedError


def edit(
    conn: Connection,
    outbox_id: int,
    changes: Mapping[str, Any],
    *,
    now: datetime,
    rescore: Rescore,
) -> bool:
    """Change a waiting or refused action; the mirror's row changes with it.

    ``changes`` holds keys of the entry's ``editable`` (log and schedule: subject, note,
    kind, due_date, due_time; reschedule: due_date, due_time; note: text). A refused action
    goes back to waiting: the edit is its fix. False when there is no such row;
    ActionError for an unknown key, a bad value, or while it is being sent.
    """
    raise NotImplementedError
