"""The outbox table: actions Pipedrive does not have yet, and the sender's steps on them.

``store.actions`` queues rows; ``sync.outbox_sender`` walks them in ``id`` order and
moves each through its states with the functions here, each step committed on its own
so that a crash at any point leaves the row telling what is known:

- ``claim``: ``state = 'sending'`` and ``sending_since`` set, committed BEFORE the
  request goes out. A row found in this state later has an unknown outcome.
- ``delivered``: the local activity or note takes its Pipedrive id and the row goes,
  in one transaction (so the next sync updates that row instead of adding one).
- ``refuse``: Pipedrive said no; the row stays, with the reason in words.
- ``release``: the request surely did not arrive (429, or it never left); back to waiting.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final, Literal

from pipedriven_desktop.store.clock import parse_text, to_text

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = [
    "ACTION_KINDS",
    "ActionKind",
    "OutboxRow",
    "claim",
    "delivered",
    "pending_rows",
    "queue",
    "refuse",
    "release",
]

#: log and schedule create an activity, mark_done and reschedule update one, note adds one.
ActionKind = Literal["log", "schedule", "mark_done", "reschedule", "note"]
ACTION_KINDS: Final[tuple[ActionKind, ...]] = ("log", "schedule", "mark_done", "reschedule", "note")
CREATES_ACTIVITY: Final = frozenset({"log", "schedule"})
UPDATES_ACTIVITY: Final = frozenset({"mark_done", "reschedule"})

_COLUMNS = (
    "id, action_id, kind, contact_id, pipedrive_person_id, activity_id, note_id, payload,"
    " state, attempts, error, sending_since, created_at"
)


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One outbox row as stored. ``payload['body']`` is the request body to send;
    updates also keep ``payload['before']``, the activity's values they replaced."""

    id: int
    action_id: str
    kind: str
    contact_id: str | None
    pipedrive_person_id: int | None
    activity_id: str | None
    note_id: str | None
    payload: dict[str, Any]
    state: str
    attempts: int
    error: str | None
    sending_since: datetime | None
    created_at: datetime

    @property
    def body(self) -> dict[str, Any]:
        body = self.payload.get("body")
        return dict(body) if isinstance(body, dict) else {}

    @property
    def before(self) -> dict[str, Any]:
        before = self.payload.get("before")
        return dict(before) if isinstance(before, dict) else {}


def queue(
    conn: Connection,
    *,
    action_id: str,
    kind: ActionKind,
    contact_id: str | None,
    pipedrive_person_id: int | None,
    activity_id: str | None,
    note_id: str | None,
    payload: dict[str, Any],
    now: datetime,
) -> int:
    """Add a waiting row at the end of the line; returns its ``id`` (the send order)."""
    stamp = to_text(now)
    cursor = conn.exec_driver_sql(
        "INSERT INTO outbox (action_id, kind, contact_id, pipedrive_person_id, activity_id,"
        " note_id, payload, state, attempts, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 'waiting', 0, ?, ?)",
        (
            action_id,
            kind,
            contact_id,
            pipedrive_person_id,
            activity_id,
            note_id,
            json.dumps(payload, ensure_ascii=False),
            stamp,
            stamp,
        ),
    )
    row_id = cursor.lastrowid
    assert isinstance(row_id, int)
    return row_id


def rows(conn: Connection, where: str = "", params: tuple[Any, ...] = ()) -> list[OutboxRow]:
    """Outbox rows in sending order, optionally filtered by ``where`` (SQL on the row)."""
    sql = f"SELECT {_COLUMNS} FROM outbox {('WHERE ' + where) if where else ''} ORDER BY id"
    return [_row(found) for found in conn.exec_driver_sql(sql, params).fetchall()]


def row(conn: Connection, outbox_id: int) -> OutboxRow | None:
    found = rows(conn, "id = ?", (outbox_id,))
    return found[0] if found else None


def pending_rows(conn: Connection) -> list[OutboxRow]:
    """Rows still to send (waiting) or to check (sending), in order."""
    return rows(conn, "state IN ('waiting', 'sending')")


def claim(conn: Connection, outbox_id: int, now: datetime) -> OutboxRow | None:
    """Mark the row as being sent from ``now``: commit this before the request goes out.

    Returns the row as it stands now (the user may have edited it since it was read), or
    None when it is no longer to be sent (discarded, or refused meanwhile).
    """
    changed = conn.exec_driver_sql(
        "UPDATE outbox SET state = 'sending', sending_since = ?, attempts = attempts + 1,"
        " error = NULL, updated_at = ? WHERE id = ? AND state IN ('waiting', 'sending')",
        (to_text(now), to_text(now), outbox_id),
    ).rowcount
    return row(conn, outbox_id) if changed else None


def delivered(conn: Connection, outbox: OutboxRow, pipedrive_id: int) -> None:
    """Pipedrive has the action: link the local record to ``pipedrive_id``, drop the row.

    A row of the mirror already holding that Pipedrive id (the same record, pulled while
    the outcome was unknown) gives way to the local one, which keeps the user's view.
    """
    if outbox.kind in CREATES_ACTIVITY and outbox.activity_id is not None:
        conn.exec_driver_sql(
            "DELETE FROM activities WHERE pipedrive_activity_id = ? AND id != ?",
            (pipedrive_id, outbox.activity_id),
        )
        conn.exec_driver_sql(
            "UPDATE activities SET pipedrive_activity_id = ? WHERE id = ?",
            (pipedrive_id, outbox.activity_id),
        )
    elif outbox.kind == "note" and outbox.note_id is not None:
        conn.exec_driver_sql(
            "DELETE FROM notes WHERE pipedrive_note_id = ? AND id != ?",
            (pipedrive_id, outbox.note_id),
        )
        conn.exec_driver_sql(
            "UPDATE notes SET pipedrive_note_id = ? WHERE id = ?", (pipedrive_id, outbox.note_id)
        )
    conn.exec_driver_sql("DELETE FROM outbox WHERE id = ?", (outbox.id,))


def refuse(conn: Connection, outbox_id: int, reason: str, now: datetime) -> None:
    """Pipedrive refused the action: keep it, with ``reason`` for the user."""
    conn.exec_driver_sql(
        "UPDATE outbox SET state = 'refused', error = ?, sending_since = NULL, updated_at = ?"
        " WHERE id = ?",
        (reason, to_text(now), outbox_id),
    )


def release(conn: Connection, outbox_id: int, now: datetime, note: str | None = None) -> None:
    """The request surely did not take effect: back to waiting (``note`` says why, if any)."""
    conn.exec_driver_sql(
        "UPDATE outbox SET state = 'waiting', sending_since = NULL, error = ?, updated_at = ?"
        " WHERE id = ?",
        (note, to_text(now), outbox_id),
    )


def activity_pipedrive_id(conn: Connection, activity_id: str) -> int | None:
    found = conn.exec_driver_sql(
        "SELECT pipedrive_activity_id FROM activities WHERE id = ?", (activity_id,)
    ).fetchone()
    return None if found is None else found[0]


def known_activity_ids(conn: Connection, pipedrive_ids: list[int]) -> set[int]:
    """Which of ``pipedrive_ids`` a local activity row already holds."""
    if not pipedrive_ids:
        return set()
    marks = ", ".join("?" * len(pipedrive_ids))
    return {
        found[0]
        for found in conn.exec_driver_sql(
            "SELECT pipedrive_activity_id FROM activities"
            f" WHERE pipedrive_activity_id IN ({marks})",
            tuple(pipedrive_ids),
        ).fetchall()
    }


def known_note_ids(conn: Connection, pipedrive_ids: list[int]) -> set[int]:
    """Which of ``pipedrive_ids`` a local note row already holds."""
    if not pipedrive_ids:
        return set()
    marks = ", ".join("?" * len(pipedrive_ids))
    return {
        found[0]
        for found in conn.exec_driver_sql(
            f"SELECT pipedrive_note_id FROM notes WHERE pipedrive_note_id IN ({marks})",
            tuple(pipedrive_ids),
        ).fetchall()
    }


def _row(found: Any) -> OutboxRow:
    payload = found[7]
    parsed = json.loads(payload) if isinstance(payload, str) else payload
    return OutboxRow(
        id=found[0],
        action_id=found[1],
        kind=found[2],
        contact_id=found[3],
        pipedrive_person_id=found[4],
        activity_id=found[5],
        note_id=found[6],
        payload=parsed if isinstance(parsed, dict) else {},
        state=found[8],
        attempts=found[9],
        error=found[10],
        sending_since=parse_text(found[11]),
        created_at=parse_text(found[12]) or datetime.min,
    )


#: A contact's latest done activity (as ``store.actions`` and the sync's writers compute it).
_LAST_CONTACTED_SQL = (
    "UPDATE contacts SET score_computed_at = NULL, last_contacted ="
    " (SELECT max(coalesce(a.marked_as_done_time, a.due_date || ' 00:00:00.000000'))"
    " FROM activities a WHERE a.contact_id = contacts.id AND a.done = 1)"
    " WHERE id = ?"
)
#: Columns an update action sets on its activity (``payload['after']``).
_AFTER_COLUMNS: Final = ("done", "marked_as_done_time", "due_date", "due_time")


def reapply_updates(conn: Connection) -> set[str]:
    """Put the changes of updates Pipedrive does not have yet back on their activities.

    A pull writes what Pipedrive has; until a mark-done or reschedule is delivered, the
    mirror keeps showing it. Returns the contacts whose activities were set again (their
    ``last_contacted`` is recomputed and their score marked for the next scoring pass).
    """
    contacts: set[str] = set()
    for pending in rows(conn, "kind IN ('mark_done', 'reschedule') AND activity_id IS NOT NULL"):
        after = pending.payload.get("after")
        if not isinstance(after, dict):
            continue
        columns = [name for name in _AFTER_COLUMNS if name in after]
        if not columns:
            continue
        conn.exec_driver_sql(
            f"UPDATE activities SET {', '.join(f'{name} = ?' for name in columns)} WHERE id = ?",
            (*(after[name] for name in columns), pending.activity_id),
        )
        found = conn.exec_driver_sql(
            "SELECT contact_id FROM activities WHERE id = ?", (pending.activity_id,)
        ).fetchone()
        if found is not None and found[0] is not None:
            contacts.add(found[0])
    for contact_id in sorted(contacts):
        conn.exec_driver_sql(_LAST_CONTACTED_SQL, (contact_id,))
    return contacts
