"""A small known mirror for the agenda: whose activities, done or open, due when.

Shared by the store's agenda tests and the agenda view's, so both check the same facts.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import OWNER_KEY
from pipedriven_desktop.store.models import Activity, AppMeta, Contact, Organization, OutboxAction

ME = 7
SOMEONE_ELSE = 8
TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 8, 0, 0)

#: Subjects the agenda lists, by section, in the order it lists them.
OVERDUE = ["Missed call yesterday", "Old overdue task"]
TODAY_ITEMS = ["All-day deadline", "Morning call"]
COMING = ["Local follow-up", "Demo prepared", "Org review", "Week ahead call"]
#: Subjects it leaves out: done, someone else's, beyond 7 days, without a date.
LEFT_OUT = ["Done yesterday", "Their call today", "Too far ahead", "Undated task"]


def add_agenda_fixture(db: Database, *, with_owner: bool = True) -> dict[str, str]:
    """Write the fixture; returns contact and activity ids by name and subject."""
    ids: dict[str, str] = {}
    with db.session() as session:
        acme = Organization(
            name="Acme Corp", normalized_name="acme corp", created_at=NOW, updated_at=NOW
        )
        globex = Organization(
            name="Globex GmbH", normalized_name="globex gmbh", created_at=NOW, updated_at=NOW
        )
        session.add_all([acme, globex])
        session.flush()
        ada = Contact(
            name="Ada Lovelace",
            pipedrive_person_id=101,
            owner_id=ME,
            organization_id=acme.id,
            phone="+44 20 7946 0000",
            created_at=NOW,
            updated_at=NOW,
        )
        bob = Contact(
            name="Bob Ömer", pipedrive_person_id=102, owner_id=ME, created_at=NOW, updated_at=NOW
        )
        session.add_all([ada, bob])
        session.flush()
        ids.update({"Ada Lovelace": ada.id, "Bob Ömer": bob.id})

        def activity(
            subject: str,
            days: int | None,
            *,
            owner: int = ME,
            done: bool = False,
            time: str | None = None,
            contact: Contact | None = ada,
            org: Organization | None = None,
            pipedrive_id: int | None = -1,
            kind: str = "call",
        ) -> Activity:
            row = Activity(
                pipedrive_activity_id=(len(ids) + 500) if pipedrive_id == -1 else pipedrive_id,
                contact_id=contact.id if contact else None,
                organization_id=org.id if org else None,
                owner_id=owner,
                type=kind,
                subject=subject,
                due_date=None if days is None else TODAY + timedelta(days=days),
                due_time=time,
                done=done,
                add_time=NOW,
                update_time=NOW,
            )
            session.add(row)
            session.flush()
            ids[subject] = row.id
            return row

        activity("Old overdue task", -40, kind="task")
        activity("Missed call yesterday", -1, contact=bob)
        activity("Done yesterday", -1, done=True)
        activity("Morning call", 0, time="09:30")
        activity("All-day deadline", 0, kind="deadline")
        activity("Their call today", 0, owner=SOMEONE_ELSE, time="10:00")
        activity("Local follow-up", 1, pipedrive_id=None, kind="meeting")
        demo = activity("Demo prepared", 2, kind="meeting")
        activity("Org review", 3, contact=None, org=globex, kind="task")
        activity("Week ahead call", 7, time="14:00")
        activity("Too far ahead", 8)
        activity("Undated task", None, kind="task")
        session.add(
            OutboxAction(
                kind="reschedule",
                contact_id=ada.id,
                pipedrive_person_id=101,
                activity_id=demo.id,
                payload={"due_date": (TODAY + timedelta(days=2)).isoformat()},
                state="waiting",
                created_at=NOW,
                updated_at=NOW,
            )
        )
        if with_owner:
            session.merge(AppMeta(key=OWNER_KEY, value=str(ME)))
    return ids
