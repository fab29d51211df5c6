"""The table's "Next activity": the earliest open activity, an overdue one included."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import insert

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Activity
from tests.store.test_contact_edits import add_contact


def add_activities(db: Database, contact_id: str, *dues: tuple[date, bool]) -> None:
    with db.session() as session:
        session.execute(
            insert(Activity),
            [
                {"contact_id": contact_id, "type": "meeting", "due_date": due, "done": done}
                for due, done in dues
            ],
        )


def next_activity_of(db: Database, name: str) -> date | None:
    rows = ContactService(db).page(ContactFilter(owner_id=1), 1, 50).rows
    return next(row.next_activity for row in rows if row.name == name)


def test_an_overdue_open_activity_is_the_next_one(db: Database) -> None:
    today = utcnow().date()
    contact_id = add_contact(db, "Dário")
    add_activities(
        db,
        contact_id,
        (today - timedelta(days=1), False),
        (today + timedelta(days=3), False),
        (today - timedelta(days=5), True),
    )
    assert next_activity_of(db, "Dário") == today - timedelta(days=1)


def test_done_activities_are_never_next(db: Database) -> None:
    today = utcnow().date()
    contact_id = add_contact(db, "Ada")
    add_activities(db, contact_id, (today - timedelta(days=2), True), (today, True))
    assert next_activity_of(db, "Ada") is None


def test_the_earliest_open_activity_wins_when_none_is_overdue(db: Database) -> None:
    today = utcnow().date()
    contact_id = add_contact(db, "Bo")
    add_activities(
        db, contact_id, (today + timedelta(days=9), False), (today + timedelta(days=2), False)
    )
    assert next_activity_of(db, "Bo") == today + timedelta(days=2)
