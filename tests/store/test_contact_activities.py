"""One contact's activities for the detail pane: open ones in due order, then done, notes."""

from __future__ import annotations

from datetime import date, datetime

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_activities import contact_activities
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Activity, Note
from tests.store.agenda_fixture import NOW, add_agenda_fixture


def test_open_first_in_due_order_then_done_with_waiting_marks(db: Database) -> None:
    ids = add_agenda_fixture(db)
    listing = contact_activities(db.reader(), ids["Ada Lovelace"])
    assert [a.subject for a in listing.open] == [
        "Old overdue task",
        "All-day deadline",
        "Morning call",
        "Their call today",
        "Local follow-up",
        "Demo prepared",
        "Week ahead call",
        "Too far ahead",
        "Undated task",
    ]
    assert [a.subject for a in listing.done] == ["Done yesterday"]
    assert {a.subject for a in listing.open if a.waiting} == {"Local follow-up", "Demo prepared"}
    # Someone else's activity of the same person is still the person's: it is listed.
    bob = contact_activities(db.reader(), ids["Bob Ömer"])
    assert [a.subject for a in bob.open] == ["Missed call yesterday"]


def test_notes_newest_first_and_waiting_until_pipedrive_has_them(db: Database) -> None:
    ids = add_agenda_fixture(db)
    ada = ids["Ada Lovelace"]
    with db.session() as session:
        session.add(
            Note(contact_id=ada, content="Met at the fair", add_time=NOW, pipedrive_note_id=9)
        )
        session.add(Note(contact_id=ada, content="Prefers mornings", add_time=utcnow()))
        session.add(
            Activity(contact_id=ids["Bob Ömer"], type="call", done=True, add_time=NOW, owner_id=7)
        )
    listing = contact_activities(db.reader(), ada)
    assert [(n.content, n.waiting) for n in listing.notes] == [
        ("Prefers mornings", True),
        ("Met at the fair", False),
    ]


def test_done_ones_in_the_order_of_the_day_they_show_newest_first(db: Database) -> None:
    """The pane labels a done activity with its due day (its add day when it has none)."""
    ids = add_agenda_fixture(db)
    bob = ids["Bob Ömer"]
    done = [
        # subject, due date, added
        ("Sun 28 Jun, added last", date(2026, 6, 28), datetime(2026, 7, 5, 9, 0)),
        ("Tue 30 Jun, added first", date(2026, 6, 30), datetime(2026, 6, 1, 9, 0)),
        ("Undated, added Mon 29 Jun", None, datetime(2026, 6, 29, 9, 0)),
        ("Tue 30 Jun, added later", date(2026, 6, 30), datetime(2026, 6, 2, 9, 0)),
    ]
    with db.session() as session:
        for subject, due, added in done:
            session.add(
                Activity(
                    contact_id=bob,
                    type="call",
                    subject=subject,
                    due_date=due,
                    done=True,
                    add_time=added,
                    pipedrive_activity_id=None,
                )
            )
    listing = contact_activities(db.reader(), bob)
    assert [a.subject for a in listing.done] == [
        "Tue 30 Jun, added later",
        "Tue 30 Jun, added first",
        "Undated, added Mon 29 Jun",
        "Sun 28 Jun, added last",
    ]
