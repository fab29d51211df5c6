"""One contact's activities and notes as the detail pane lists them, to be worked from there.

Open activities come first, all of them in due order (each can be marked done or moved),
then the latest done ones (by the day shown for them), then the latest notes; each says
whether Pipedrive has it yet. Waiting: made here and not sent (no Pipedrive id), or changed
here with an action still in the outbox. Two statements, read when a contact is selected
or an action on it lands.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from pipedriven_desktop.store.clock import parse_date_text, parse_text

__all__ = ["ContactActivities", "ListedActivity", "ListedNote", "contact_activities"]

#: Open activities listed (a contact rarely has more; the agenda has them all).
OPEN_SHOWN: Final = 20
DONE_SHOWN: Final = 5
NOTES_SHOWN: Final = 3

_WAITING = """
    pipedrive_activity_id IS NULL OR EXISTS (
        SELECT 1 FROM outbox ob
         WHERE ob.state IN ('waiting', 'sending', 'refused') AND ob.activity_id = activities.id
    )
"""
_ACTIVITY_COLUMNS = f"id, type, subject, due_date, due_time, done, add_time, note, {_WAITING}"
# Open ones by due date (undated last), then done ones newest first by the day the pane
# shows for them (the due day, else the day added), then by when they were added; both
# halves read the contact's activities through ix_activities_contact_recent.
_ACTIVITIES_SQL = f"""
    SELECT * FROM (
        SELECT {_ACTIVITY_COLUMNS} FROM activities
         WHERE contact_id = :contact AND done = 0
         ORDER BY due_date IS NULL, due_date, due_time IS NOT NULL, due_time, add_time DESC, id
         LIMIT :open_limit
    )
    UNION ALL
    SELECT * FROM (
        SELECT {_ACTIVITY_COLUMNS} FROM activities
         WHERE contact_id = :contact AND done = 1
         ORDER BY coalesce(due_date, substr(add_time, 1, 10)) DESC, add_time DESC, id
         LIMIT :done_limit
    )
"""
_NOTES_SQL = """
    SELECT id, content, add_time, pipedrive_note_id IS NULL FROM notes
     WHERE contact_id = ? ORDER BY add_time DESC, id LIMIT ?
"""


@dataclass(frozen=True, slots=True)
class ListedActivity:
    id: str
    type: str
    subject: str | None
    due_date: date | None
    #: "HH:MM" UTC, Pipedrive's form (None: the whole day).
    due_time: str | None
    done: bool
    add_time: datetime | None
    note: str | None
    waiting: bool


@dataclass(frozen=True, slots=True)
class ListedNote:
    id: str
    content: str
    add_time: datetime | None
    waiting: bool


@dataclass(frozen=True, slots=True)
class ContactActivities:
    open: tuple[ListedActivity, ...]
    done: tuple[ListedActivity, ...]
    notes: tuple[ListedNote, ...]


def contact_activities(conn: sqlite3.Connection, contact_id: str) -> ContactActivities:
    """The contact's open activities, latest done ones and latest notes."""
    listed = [
        ListedActivity(
            id=activity_id,
            type=kind,
            subject=subject,
            due_date=parse_date_text(due),
            due_time=due_time,
            done=bool(done),
            add_time=parse_text(added),
            note=note,
            waiting=bool(waiting),
        )
        for activity_id, kind, subject, due, due_time, done, added, note, waiting in conn.execute(
            _ACTIVITIES_SQL,
            {"contact": contact_id, "open_limit": OPEN_SHOWN, "done_limit": DONE_SHOWN},
        )
    ]
    notes = tuple(
        ListedNote(id=note_id, content=content, add_time=parse_text(added), waiting=bool(waiting))
        for note_id, content, added, waiting in conn.execute(_NOTES_SQL, (contact_id, NOTES_SHOWN))
    )
    return ContactActivities(
        open=tuple(a for a in listed if not a.done),
        done=tuple(a for a in listed if a.done),
        notes=notes,
    )
