"""Activities: linked to their contact, organization and deal by Pipedrive id."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipedriven_desktop.pipedrive.records import Activity
from pipedriven_desktop.store.entities import ACTIVITIES, ActivityLinks, ActivityValues
from pipedriven_desktop.store.organizations import refresh_organization_stats
from pipedriven_desktop.sync.mapping import activity_values, time_ordered_id
from pipedriven_desktop.sync.writers.common import (
    ALL_LATEST_DONE_SQL,
    CONTACT_IDS,
    DEAL_IDS,
    LAST_CONTACTED_SQL,
    ORG_IDS,
    EntityWriter,
    IdCache,
    PageCounts,
    Pending,
    delete_gone,
    execute_in,
    insert_new_rows,
    known_rows,
    select_in,
    write_rows,
)
from pipedriven_desktop.sync.writers.indexes import indexes_set_aside

#: Changed contacts from which ``finish_listing`` builds the indexes on the last contact
#: time again rather than keeping them current row by row (if they are most contacts).
_SET_ASIDE_FROM = 1_000


class ActivityWriter(EntityWriter[Activity, ActivityValues]):
    entity = "activities"
    record_type = Activity
    id_table = ACTIVITIES
    #: A first listing of activities is most of a first sync's rows: keeping five indexes
    #: current row by row cost more than writing the rows. Until it ends, the window's
    #: reads of activities (agenda, a contact's history) scan the rows written so far.
    defer_every_index = True

    def prepare(self, record: Activity, now: str) -> ActivityValues:
        return activity_values(record)

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Activity, ActivityValues]],
        gone: Collection[int],
        *,
        listing: bool,
        rewrite: bool,
        now: datetime,
        fresh: bool = False,
        ids: IdCache | None = None,
    ) -> PageCounts:
        counts = PageCounts()
        conn = session.connection()
        touched_contacts: set[str | None] = set()
        touched_orgs: set[str | None] = set()
        if gone:
            doomed = delete_gone(conn, ACTIVITIES, gone, "contact_id", "organization_id")
            for row in doomed:
                touched_contacts.add(row.contact_id)
                touched_orgs.add(row.organization_id)
            counts.deleted += len(doomed)
        known = known_rows(
            conn,
            fresh,
            ACTIVITIES,
            [record.id for record, _ in records],
            "id",
            "contact_id",
            "organization_id",
            "update_time",
        )
        if known and not rewrite:
            # Unchanged rows (an incremental pass's boundary second comes again) need
            # no links looked up.
            records = [
                (record, values)
                for record, values in records
                if (old := known.get(record.id)) is None or old.update_time != values.update_time
            ]
        id_map = ids or IdCache()  # without one, this page's own
        contacts = id_map.lookup(conn, CONTACT_IDS, (r.person_id for r, _ in records))
        orgs = id_map.lookup(conn, ORG_IDS, (r.org_id for r, _ in records))
        deals = id_map.lookup(conn, DEAL_IDS, (r.deal_id for r, _ in records))
        pending: list[Pending] = []
        if listing and not known:
            # A page of rows all new to the mirror, the bulk of a first sync: no old row
            # to compare or to touch, so each row is its links and values.
            # Their values go straight into one flat list, as the statements bind them.
            flat: list[Any] = []
            add = flat.extend
            for record, values in records:
                add(
                    (
                        time_ordered_id(),
                        contacts.get(record.person_id),
                        orgs.get(record.org_id),
                        deals.get(record.deal_id),
                    )
                )
                add(values)
            new_ids = [record.id for record, _ in records]
            insert_new_rows(conn, self.entity, ACTIVITIES.upsert, new_ids, flat, counts)
            return counts
        for record, values in records:
            old = known.get(record.id)
            changed = old is None or old.update_time != values.update_time
            if not changed and not rewrite:
                continue
            links = ActivityLinks(
                id=time_ordered_id() if old is None else old.id,
                contact_id=contacts.get(record.person_id),
                organization_id=orgs.get(record.org_id),
                deal_id=deals.get(record.deal_id),
            )
            pending.append(Pending(record.id, links + values, old is None, changed))
            if changed and not listing:
                touched_contacts.add(links.contact_id)
                touched_orgs.add(links.organization_id)
                if old is not None:
                    touched_contacts.add(old.contact_id)
                    touched_orgs.add(old.organization_id)
        write_rows(conn, self.entity, ACTIVITIES.upsert, pending, counts)
        if listing:
            return counts
        contact_ids = [c for c in touched_contacts if c is not None]
        org_ids = {o for o in touched_orgs if o is not None}
        if contact_ids:
            execute_in(conn, LAST_CONTACTED_SQL.format(column="id"), contact_ids)
            org_ids.update(
                row[0]
                for row in select_in(
                    conn,
                    "SELECT DISTINCT organization_id FROM contacts"
                    " WHERE id IN ({ids}) AND organization_id IS NOT NULL",
                    sorted(contact_ids),
                )
            )
        refresh_organization_stats(session, org_ids)
        return counts

    def finish_listing(self, session: Session) -> None:
        """Every contact's ``last_contacted`` and score, every organization's counters:
        which contacts a listing's pages changed is not tracked page by page."""
        conn = session.connection()
        # One pass over the done activities instead of two lookups per contact.
        latest: dict[str, str] = dict(conn.exec_driver_sql(ALL_LATEST_DONE_SQL).fetchall())
        contacts = conn.exec_driver_sql("SELECT id, last_contacted FROM contacts").fetchall()
        changed = [
            (latest.get(contact_id), contact_id)
            for contact_id, current in contacts
            if latest.get(contact_id) != current
        ]
        if len(changed) >= _SET_ASIDE_FROM and len(changed) * 2 > len(contacts):
            # Most contacts (a first sync): each index on the column is built once instead.
            with indexes_set_aside(conn, "contacts", "last_contacted"):
                conn.exec_driver_sql("UPDATE contacts SET last_contacted = ? WHERE id = ?", changed)
        elif changed:
            conn.exec_driver_sql("UPDATE contacts SET last_contacted = ? WHERE id = ?", changed)
        conn.exec_driver_sql(
            "UPDATE contacts SET score_computed_at = NULL WHERE score_computed_at IS NOT NULL"
        )
        refresh_organization_stats(session)
