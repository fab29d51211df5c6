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

import json
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final, Literal, cast

from pipedriven_desktop.store import outbox
from pipedriven_desktop.store.clock import parse_date_text, to_text
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


GONE: Final = "The contact is no longer in the mirror; a sync may have removed it."
NOT_IN_PIPEDRIVE: Final = "This contact is not in Pipedrive, so nothing can be sent for it."
ACTIVITY_GONE: Final = "The activity is no longer in the mirror; a sync may have removed it."
BEING_SENT: Final = (
    "This change is being sent (or sending it was cut off); "
    "sync first to find out whether Pipedrive has it."
)
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_KIND_NAMES: Final[Mapping[str, str]] = {
    "call": "Call",
    "meeting": "Meeting",
    "email": "Email",
    "task": "Task",
}
_EDITABLE: Final[Mapping[str, tuple[str, ...]]] = {
    "log": ("kind", "subject", "note"),
    "schedule": ("kind", "subject", "note", "due_date", "due_time"),
    "reschedule": ("due_date", "due_time"),
    "mark_done": (),
    "note": ("text",),
}
#: A contact's latest done activity: when it was marked done, else its due day (as the
#: sync's writers compute it).
_LAST_CONTACTED_SQL = (
    "UPDATE contacts SET score_computed_at = NULL, last_contacted ="
    " (SELECT max(coalesce(a.marked_as_done_time, a.due_date || ' 00:00:00.000000'))"
    " FROM activities a WHERE a.contact_id = contacts.id AND a.done = 1)"
    " WHERE id = ?"
)


@contextmanager
def writing(db: Database) -> Iterator[Connection]:
    """A connection in a write transaction (``BEGIN IMMEDIATE``), committed on leaving.

    Immediate: the write lock is taken first (waiting up to the busy timeout behind a
    sync's page), so the action never fails halfway on a snapshot that went stale.
    SQLite and OS failures leave as ``DatabaseError`` with a one-line message.
    """
    from sqlalchemy.exc import DBAPIError

    try:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
            yield conn
            conn.commit()
    except DBAPIError as exc:
        if isinstance(exc.orig, sqlite3.Error):
            raise db.user_error(exc.orig, "save the change to") from exc
        raise
    except (sqlite3.Error, OSError) as exc:
        raise db.user_error(exc, "save the change to") from exc


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
    moment = _naive_utc(done_at)
    return _create_activity(
        conn,
        contact_id,
        action="log",
        kind=kind,
        subject=subject,
        note=note,
        due_date=moment.date(),
        due_time=moment.strftime("%H:%M"),
        done_at=moment,
        owner_id=owner_id,
        now=now,
        rescore=rescore,
    )


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
    return _create_activity(
        conn,
        contact_id,
        action="schedule",
        kind=kind,
        subject=subject,
        note=note,
        due_date=due_date,
        due_time=_checked_time(due_time),
        done_at=None,
        owner_id=owner_id,
        now=now,
        rescore=rescore,
    )


def mark_done(conn: Connection, activity_id: str, *, now: datetime, rescore: Rescore) -> str:
    """Mark one open activity (local ``activities.id``) done, now.

    Works on an activity still waiting in the outbox too: the update is sent after it.
    Returns the outbox row's ``action_id``; ActionError if it is gone or already done.
    """
    activity = _activity(conn, activity_id)
    if activity["done"]:
        raise ActionError("This activity is already done.")
    stamp = to_text(_naive_utc(now))
    before = {"done": 0, "marked_as_done_time": activity["marked_as_done_time"]}
    after = {"done": 1, "marked_as_done_time": stamp}
    return _update_activity(
        conn, activity, "mark_done", {"done": True}, before, after, now=now, rescore=rescore
    )


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

    ``due_time`` None makes it a whole-day activity here; Pipedrive's API cannot clear a
    time, so there it keeps its old one. Returns the outbox row's ``action_id``.
    """
    activity = _activity(conn, activity_id)
    if activity["done"]:
        raise ActionError("This activity is done; only open activities can be rescheduled.")
    due_time = _checked_time(due_time)
    body: dict[str, Any] = {"due_date": due_date.isoformat()}
    if due_time is not None:
        body["due_time"] = due_time
    before = {"due_date": activity["due_date"], "due_time": activity["due_time"]}
    after = {"due_date": due_date.isoformat(), "due_time": due_time}
    return _update_activity(
        conn, activity, "reschedule", body, before, after, now=now, rescore=rescore
    )


def add_note(conn: Connection, contact_id: str, *, text: str, now: datetime) -> str:
    """Add a note to the person (a ``notes`` row at once, Pipedrive's note once sent).

    Returns the outbox row's ``action_id``; ActionError for an empty text.
    """
    text = text.strip()
    if not text:
        raise ActionError("A note needs some text.")
    contact = _contact(conn, contact_id)
    note_id = str(uuid.uuid4())
    conn.exec_driver_sql(
        "INSERT INTO notes (id, pipedrive_note_id, contact_id, pipedrive_person_id, content,"
        " add_time) VALUES (?, NULL, ?, ?, ?, ?)",
        (note_id, contact_id, contact["pipedrive_person_id"], text, to_text(_naive_utc(now))),
    )
    action_id = str(uuid.uuid4())
    outbox.queue(
        conn,
        action_id=action_id,
        kind="note",
        contact_id=contact_id,
        pipedrive_person_id=contact["pipedrive_person_id"],
        activity_id=None,
        note_id=note_id,
        payload={"body": {"content": text, "person_id": contact["pipedrive_person_id"]}},
        now=_naive_utc(now),
    )
    return action_id


def outbox_entries(conn: Connection) -> list[OutboxEntry]:
    """Every action Pipedrive does not have yet, in sending order, refused ones included."""
    rows = outbox.rows(conn)
    names: dict[int, str] = dict(
        conn.exec_driver_sql(
            "SELECT o.id, c.name FROM outbox o JOIN contacts c ON c.id = o.contact_id"
        ).fetchall()
    )
    return [
        OutboxEntry(
            id=row.id,
            kind=row.kind,
            contact_id=row.contact_id,
            contact_name=names.get(row.id) or "",
            summary=summary(row),
            state=cast(OutboxState, row.state),
            error=row.error,
            created_at=row.created_at,
            attempts=row.attempts,
            editable=_editable_values(row),
        )
        for row in rows
    ]


def waiting_count(conn: Connection) -> int:
    """How many actions wait to be sent (waiting or sending; refused ones not counted)."""
    found = conn.exec_driver_sql(
        "SELECT count(*) FROM outbox WHERE state IN ('waiting', 'sending')"
    ).fetchone()
    return int(found[0]) if found else 0


def refused_count(conn: Connection) -> int:
    """How many actions Pipedrive refused and wait for the user (edit, retry or discard)."""
    found = conn.exec_driver_sql("SELECT count(*) FROM outbox WHERE state = 'refused'").fetchone()
    return int(found[0]) if found else 0


def retry(conn: Connection, outbox_id: int, *, now: datetime) -> bool:
    """Put a refused action back in line, unchanged; the next send tries it again.

    False when there is no such row; ActionError while it is being sent.
    """
    row = _editable_row(conn, outbox_id)
    if row is None:
        return False
    if row.state == "refused":
        outbox.release(conn, outbox_id, _naive_utc(now))
    return True


def discard(conn: Connection, outbox_id: int, *, now: datetime, rescore: Rescore) -> bool:
    """Drop an action that was not sent, undoing what it did to the mirror.

    A logged or scheduled activity (and any later action on it) and a note disappear; a
    mark-done or reschedule puts the activity back as it was. The contact's
    ``last_contacted`` and score follow. False when there is no such row; ActionError
    while it is being sent (its outcome is not known: it may already be in Pipedrive).
    """
    row = _editable_row(conn, outbox_id)
    if row is None:
        return False
    contact_id = row.contact_id
    if row.kind in outbox.CREATES_ACTIVITY and row.activity_id is not None:
        later = outbox.rows(conn, "activity_id = ? AND id > ?", (row.activity_id, row.id))
        if any(other.state == "sending" for other in later):
            raise ActionError(BEING_SENT)
        conn.exec_driver_sql(
            "DELETE FROM outbox WHERE activity_id = ? AND id > ?", (row.activity_id, row.id)
        )
        conn.exec_driver_sql(
            "DELETE FROM activities WHERE id = ? AND pipedrive_activity_id IS NULL",
            (row.activity_id,),
        )
    elif row.kind in outbox.UPDATES_ACTIVITY and row.activity_id is not None:
        _set_activity(conn, row.activity_id, row.before)
    elif row.kind == "note" and row.note_id is not None:
        conn.exec_driver_sql(
            "DELETE FROM notes WHERE id = ? AND pipedrive_note_id IS NULL", (row.note_id,)
        )
    conn.exec_driver_sql("DELETE FROM outbox WHERE id = ?", (outbox_id,))
    if contact_id is not None and row.kind != "note":
        _refresh_contact(conn, contact_id, now, rescore)
    return True


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
    row = _editable_row(conn, outbox_id)
    if row is None:
        return False
    allowed = _EDITABLE.get(row.kind, ())
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ActionError(f"A {_kind_words(row.kind)} cannot change {', '.join(unknown)}.")
    body = row.body
    local: dict[str, Any] = {}
    for key, value in changes.items():
        if key == "kind":
            kind = _checked_kind(value)
            body["type"] = local["type"] = kind
        elif key == "subject":
            subject = str(value or "").strip() or _KIND_NAMES[str(body.get("type", "task"))]
            body["subject"] = local["subject"] = subject
        elif key == "note":
            note = str(value or "").strip() or None
            local["note"] = note
            body.pop("note", None)
            if note is not None:
                body["note"] = note
        elif key == "due_date":
            day = _checked_date(value)
            body["due_date"] = local["due_date"] = day.isoformat()
        elif key == "due_time":
            due_time = _checked_time(value)
            local["due_time"] = due_time
            body.pop("due_time", None)
            if due_time is not None:
                body["due_time"] = due_time
        elif key == "text":
            text = str(value or "").strip()
            if not text:
                raise ActionError("A note needs some text.")
            body["content"] = text
            if row.note_id is not None:
                conn.exec_driver_sql(
                    "UPDATE notes SET content = ? WHERE id = ?", (text, row.note_id)
                )
    payload = {**row.payload, "body": body}
    if row.kind == "reschedule":
        payload["after"] = {"due_date": body.get("due_date"), "due_time": local.get("due_time")}
    conn.exec_driver_sql(
        "UPDATE outbox SET payload = ?, state = 'waiting', error = NULL, updated_at = ?"
        " WHERE id = ?",
        (_json(payload), to_text(_naive_utc(now)), outbox_id),
    )
    if local and row.activity_id is not None:
        _set_activity(conn, row.activity_id, local)
        if row.contact_id is not None:
            _refresh_contact(conn, row.contact_id, now, rescore)
    return True


def summary(row: outbox.OutboxRow) -> str:
    """What an outbox row does, in words."""
    body = row.body
    kind_name = _KIND_NAMES.get(str(body.get("type")), "Activity")
    when = " ".join(str(part) for part in (body.get("due_date"), body.get("due_time")) if part)
    label = str(row.payload.get("label") or "")
    if row.kind == "log":
        return f'{kind_name} logged: "{body.get("subject", "")}" ({when})'
    if row.kind == "schedule":
        return f'{kind_name} scheduled: "{body.get("subject", "")}" for {when}'
    if row.kind == "mark_done":
        return f'Marked done: "{label}"'
    if row.kind == "reschedule":
        return f'Rescheduled "{label}" to {when}'
    text = str(body.get("content", ""))
    short = text if len(text) <= 60 else text[:59] + "…"
    return f'Note: "{" ".join(short.split())}"'


# --- Helpers -----------------------------------------------------------------------------------


def _create_activity(
    conn: Connection,
    contact_id: str,
    *,
    action: outbox.ActionKind,
    kind: str,
    subject: str,
    note: str | None,
    due_date: date,
    due_time: str | None,
    done_at: datetime | None,
    owner_id: int | None,
    now: datetime,
    rescore: Rescore,
) -> str:
    kind = _checked_kind(kind)
    subject = subject.strip() or _KIND_NAMES[kind]
    note = (note or "").strip() or None
    contact = _contact(conn, contact_id)
    person_id = contact["pipedrive_person_id"]
    stamp = to_text(_naive_utc(now))
    activity_id = str(uuid.uuid4())
    conn.exec_driver_sql(
        "INSERT INTO activities (id, pipedrive_activity_id, contact_id, organization_id,"
        " pipedrive_person_id, pipedrive_org_id, type, subject, due_date, done,"
        " marked_as_done_time, add_time, update_time, owner_id, due_time, note)"
        " VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            activity_id,
            contact_id,
            contact["organization_id"],
            person_id,
            contact["pipedrive_org_id"],
            kind,
            subject,
            due_date.isoformat(),
            int(done_at is not None),
            to_text(done_at),
            stamp,
            stamp,
            owner_id,
            due_time,
            note,
        ),
    )
    body: dict[str, Any] = {
        "subject": subject,
        "type": kind,
        "person_id": person_id,
        "participants": [{"person_id": person_id, "primary": True}],
        "due_date": due_date.isoformat(),
        "done": done_at is not None,
    }
    if due_time is not None:
        body["due_time"] = due_time
    if owner_id is not None:
        body["owner_id"] = owner_id
    if note is not None:
        body["note"] = note
    action_id = str(uuid.uuid4())
    outbox.queue(
        conn,
        action_id=action_id,
        kind=action,
        contact_id=contact_id,
        pipedrive_person_id=person_id,
        activity_id=activity_id,
        note_id=None,
        payload={"body": body},
        now=_naive_utc(now),
    )
    _refresh_contact(conn, contact_id, now, rescore)
    return action_id


def _update_activity(
    conn: Connection,
    activity: Mapping[str, Any],
    action: outbox.ActionKind,
    body: dict[str, Any],
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    now: datetime,
    rescore: Rescore,
) -> str:
    person_id = activity["pipedrive_person_id"]
    _set_activity(conn, activity["id"], after)
    action_id = str(uuid.uuid4())
    outbox.queue(
        conn,
        action_id=action_id,
        kind=action,
        contact_id=activity["contact_id"],
        pipedrive_person_id=person_id,
        activity_id=activity["id"],
        note_id=None,
        payload={
            "body": body,
            "before": before,
            "after": after,
            "label": activity["subject"] or _KIND_NAMES.get(activity["type"], "Activity"),
        },
        now=_naive_utc(now),
    )
    if activity["contact_id"] is not None:
        _refresh_contact(conn, activity["contact_id"], now, rescore)
    return action_id


#: Activity columns an action may set on the mirror's row.
_SETTABLE: Final = frozenset(
    {"done", "marked_as_done_time", "due_date", "due_time", "type", "subject", "note"}
)


def _set_activity(conn: Connection, activity_id: str, values: Mapping[str, Any]) -> None:
    columns = [name for name in values if name in _SETTABLE]
    if not columns:
        return
    assignments = ", ".join(f"{name} = ?" for name in columns)
    conn.exec_driver_sql(
        f"UPDATE activities SET {assignments} WHERE id = ?",
        (*(values[name] for name in columns), activity_id),
    )


def _refresh_contact(conn: Connection, contact_id: str, now: datetime, rescore: Rescore) -> None:
    """The contact's ``last_contacted`` from its done activities, then its score alone."""
    conn.exec_driver_sql(_LAST_CONTACTED_SQL, (contact_id,))
    rescore(conn, [contact_id], _aware(now))


def _contact(conn: Connection, contact_id: str) -> dict[str, Any]:
    found = conn.exec_driver_sql(
        "SELECT id, pipedrive_person_id, organization_id, pipedrive_org_id FROM contacts"
        " WHERE id = ?",
        (contact_id,),
    ).fetchone()
    if found is None:
        raise ActionError(GONE)
    if found[1] is None:
        raise ActionError(NOT_IN_PIPEDRIVE)
    return dict(found._mapping)


def _activity(conn: Connection, activity_id: str) -> dict[str, Any]:
    found = conn.exec_driver_sql(
        "SELECT a.id, a.contact_id, a.type, a.subject, a.done, a.marked_as_done_time,"
        " a.due_date, a.due_time, coalesce(a.pipedrive_person_id, c.pipedrive_person_id)"
        " AS pipedrive_person_id, a.pipedrive_activity_id"
        " FROM activities a LEFT JOIN contacts c ON c.id = a.contact_id WHERE a.id = ?",
        (activity_id,),
    ).fetchone()
    if found is None:
        raise ActionError(ACTIVITY_GONE)
    activity = dict(found._mapping)
    if activity["pipedrive_activity_id"] is None and not outbox.rows(
        conn, "activity_id = ? AND kind IN ('log', 'schedule')", (activity_id,)
    ):
        raise ActionError("This activity is not in Pipedrive, so nothing can be sent for it.")
    return activity


def _editable_row(conn: Connection, outbox_id: int) -> outbox.OutboxRow | None:
    row = outbox.row(conn, outbox_id)
    if row is not None and row.state == "sending":
        raise ActionError(BEING_SENT)
    return row


def _editable_values(row: outbox.OutboxRow) -> dict[str, Any]:
    body = row.body
    values: dict[str, Any] = {}
    for key in _EDITABLE.get(row.kind, ()):
        if key == "kind":
            values[key] = body.get("type")
        elif key == "text":
            values[key] = body.get("content", "")
        elif key == "due_date":
            values[key] = parse_date_text(body.get("due_date"))
        elif key == "due_time" and row.kind == "reschedule":
            values[key] = (row.payload.get("after") or {}).get("due_time", body.get("due_time"))
        else:
            values[key] = body.get(key)
    return values


def _kind_words(kind: str) -> str:
    return {
        "log": "logged activity",
        "schedule": "scheduled activity",
        "mark_done": "mark-done",
        "reschedule": "reschedule",
        "note": "note",
    }.get(kind, kind)


def _checked_kind(value: object) -> ActivityKind:
    if value not in ACTIVITY_KINDS:
        raise ActionError(f"The type must be one of {', '.join(ACTIVITY_KINDS)}.")
    return value


def _checked_time(value: object) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise ActionError("The time must be HH:MM, e.g. 14:30.")
    return value


def _checked_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ActionError("The date must be YYYY-MM-DD, e.g. 2025-06-30.") from None


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
