"""The agenda: the signed-in user's open activities that are overdue, due today or this week.

Two reads, one statement each, both on ``ix_activities_owner_id_done_due_date``: the list
(each activity with its contact's and organization's names) and the count of overdue
activities the window shows. Plain ``sqlite3`` on the read path, like the detail pane's.

Overdue activities come most recently missed first and are capped: a mirror may hold
years of never-closed tasks, and yesterday's missed call must not sink below them. The
count says how many there are in all.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Final

from pipedriven_desktop.store.clock import date_to_text, parse_date_text
from pipedriven_desktop.store.meta import OWNER_KEY, get_meta

__all__ = [
    "COMING_SHOWN",
    "DAYS_AHEAD",
    "OVERDUE_SHOWN",
    "Agenda",
    "AgendaItem",
    "Section",
    "agenda_owner",
    "overdue_count",
    "read_agenda",
]

#: Days after today the agenda looks ahead.
DAYS_AHEAD: Final = 7
#: Overdue activities listed (the most recently missed); the count covers all of them.
OVERDUE_SHOWN: Final = 200
#: Coming activities listed at most (a week of a person's work is far fewer).
COMING_SHOWN: Final = 500

_COLUMNS = """
    a.id, a.pipedrive_activity_id, a.type, a.subject, a.due_date, a.due_time, a.note,
    c.id, c.name, o.name,
    -- not in Pipedrive yet: made here, or an action on it is still in the outbox
    a.pipedrive_activity_id IS NULL OR EXISTS (
        SELECT 1 FROM outbox ob
         WHERE ob.state IN ('waiting', 'sending', 'refused') AND ob.activity_id = a.id
    )
"""
_FROM = """
      FROM activities a
      LEFT JOIN contacts c ON c.id = a.contact_id
      LEFT JOIN organizations o ON o.id = coalesce(a.organization_id, c.organization_id)
"""
# Both halves walk the (owner_id, done, due_date) index: the overdue half backwards from
# yesterday, the coming half forwards from today.
_AGENDA_SQL = f"""
    SELECT * FROM (
        SELECT {_COLUMNS} {_FROM}
         WHERE a.owner_id = :owner AND a.done = 0 AND a.due_date < :today
         ORDER BY a.due_date DESC, a.due_time IS NULL, a.due_time DESC, a.id
         LIMIT :overdue_limit
    )
    UNION ALL
    SELECT * FROM (
        SELECT {_COLUMNS} {_FROM}
         WHERE a.owner_id = :owner AND a.done = 0
           AND a.due_date >= :today AND a.due_date <= :last_day
         ORDER BY a.due_date, a.due_time IS NOT NULL, a.due_time, a.id
         LIMIT :coming_limit
    )
"""
_OVERDUE_COUNT_SQL = """
    SELECT count(*) FROM activities
     WHERE owner_id = ? AND done = 0 AND due_date < ?
"""


class Section(Enum):
    OVERDUE = "Overdue"
    TODAY = "Today"
    COMING = "Next 7 days"


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """One open activity, with the names the agenda shows beside it."""

    activity_id: str
    pipedrive_activity_id: int | None
    type: str
    subject: str | None
    due_date: date
    #: "HH:MM" as Pipedrive keeps it, or None for an activity of the whole day.
    due_time: str | None
    note: str | None
    contact_id: str | None
    contact_name: str | None
    organization_name: str | None
    #: Made or changed here and not yet in Pipedrive (an outbox action waits for it).
    waiting: bool

    def section(self, today: date) -> Section:
        if self.due_date < today:
            return Section.OVERDUE
        return Section.TODAY if self.due_date == today else Section.COMING


@dataclass(frozen=True, slots=True)
class Agenda:
    today: date
    items: tuple[AgendaItem, ...]
    #: Every overdue open activity of the owner, also those beyond the ones listed.
    overdue_total: int

    def in_section(self, section: Section) -> tuple[AgendaItem, ...]:
        return tuple(item for item in self.items if item.section(self.today) is section)


def agenda_owner(conn: sqlite3.Connection) -> int | None:
    """The signed-in user's Pipedrive id, whose activities the agenda lists (None: unknown)."""
    value = get_meta(conn, OWNER_KEY)
    return None if value is None else int(value)


def read_agenda(
    conn: sqlite3.Connection,
    owner_id: int,
    today: date,
    *,
    days_ahead: int = DAYS_AHEAD,
    overdue_limit: int = OVERDUE_SHOWN,
    coming_limit: int = COMING_SHOWN,
) -> Agenda:
    """The owner's open activities: overdue (latest first), today's, the next days'."""
    found = conn.execute(
        _AGENDA_SQL,
        {
            "owner": owner_id,
            "today": date_to_text(today),
            "last_day": date_to_text(today + timedelta(days=days_ahead)),
            "overdue_limit": overdue_limit,
            "coming_limit": coming_limit,
        },
    )
    items = tuple(
        AgendaItem(
            activity_id=activity_id,
            pipedrive_activity_id=pipedrive_id,
            type=kind,
            subject=subject,
            due_date=parse_date_text(due) or today,
            due_time=due_time,
            note=note,
            contact_id=contact_id,
            contact_name=contact_name,
            organization_name=org_name,
            waiting=bool(waiting),
        )
        for (
            activity_id,
            pipedrive_id,
            kind,
            subject,
            due,
            due_time,
            note,
            contact_id,
            contact_name,
            org_name,
            waiting,
        ) in found
    )
    overdue = sum(1 for item in items if item.due_date < today)
    total = overdue if overdue < overdue_limit else overdue_count(conn, owner_id, today)
    return Agenda(today=today, items=items, overdue_total=total)


def overdue_count(conn: sqlite3.Connection, owner_id: int, today: date) -> int:
    """How many of the owner's open activities were due before ``today``."""
    row = conn.execute(_OVERDUE_COUNT_SQL, (owner_id, date_to_text(today))).fetchone()
    return int(row[0])
