"""Persons: contacts, linked to their organization, keeping the user's own data."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import Connection, Row
from sqlalchemy.orm import Session

from pipedriven_desktop.pipedrive.client import PERSON_INCLUDE_FIELDS
from pipedriven_desktop.pipedrive.records import Person
from pipedriven_desktop.store.clock import to_text
from pipedriven_desktop.store.entities import CONTACTS, ContactLinks, ContactValues
from pipedriven_desktop.store.meta import lead_status_options
from pipedriven_desktop.store.organizations import refresh_organization_stats
from pipedriven_desktop.sync.mapping import contact_values, lead_status_text, time_ordered_id
from pipedriven_desktop.sync.writers.common import (
    LAST_CONTACTED_SQL,
    ORG_IDS,
    EntityWriter,
    IdCache,
    PageCounts,
    Pending,
    delete_gone,
    execute_in,
    known_rows,
    select_in,
    write_rows,
)
from pipedriven_desktop.sync.writers.filling_triggers import filling_triggers
from pipedriven_desktop.sync.writers.search_index import search_triggers


class PersonWriter(EntityWriter[Person, ContactValues]):
    entity = "persons"
    record_type = Person
    id_table = CONTACTS
    listing_params: ClassVar[dict[str, str]] = {"include_fields": PERSON_INCLUDE_FIELDS}
    #: Each contact row is in a dozen indexes (the table's sort orders): a first listing
    #: builds them once at its end. Until then the window sorts the rows written so far.
    defer_every_index = True

    def __init__(self, lead_status_field: str | None = None) -> None:
        self.lead_status_field = lead_status_field
        #: The option field's labels by id, read from app_meta at the first page that
        #: needs them (parsing may run on another thread, without a connection).
        self._options: dict[int, str] | None = None

    def deferrable_indexes(self, conn: Connection) -> dict[str, str]:
        """The indexes, the search index's triggers and those filling a column of each new
        contact: a first listing builds (and fills) them once, at its end."""
        return {
            **super().deferrable_indexes(conn),
            **search_triggers(conn),
            **filling_triggers(conn, CONTACTS.table),
        }

    def parse(self, item: Mapping[str, Any]) -> Person:
        return Person.from_api(item, lead_status_field=self.lead_status_field)

    def prepare(self, record: Person, now: str) -> ContactValues:
        return contact_values(record, now)

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Person, ContactValues]],
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
        stamp = to_text(now)
        if any(record.lead_status_option_ids for record, _ in records):
            if self._options is None:
                self._options = lead_status_options(conn)
            options = self._options
            records = [
                (r, v._replace(lead_status=lead_status_text(r, options)))
                if r.lead_status_option_ids
                else (r, v)
                for r, v in records
            ]
        touched_orgs: set[str | None] = set()
        if gone:
            doomed = delete_gone(conn, CONTACTS, gone, "organization_id", "added_to_campaign")
            touched_orgs.update(row.organization_id for row in doomed)
            keep_user_data(conn, doomed, stamp)
            counts.deleted += len(doomed)
        known = known_rows(
            conn,
            fresh,
            CONTACTS,
            [record.id for record, _ in records],
            "id",
            "organization_id",
            "last_pipedrive_update",
        )
        id_map = ids or IdCache()  # without one, this page's own
        orgs = id_map.lookup(conn, ORG_IDS, (record.org_id for record, _ in records))
        pending: list[Pending] = []
        for record, values in records:
            old = known.get(record.id)
            changed = old is None or old.last_pipedrive_update != values.last_pipedrive_update
            if not changed and not rewrite:
                continue
            organization_id = orgs.get(record.org_id)
            links = ContactLinks(
                id=time_ordered_id() if old is None else old.id,
                organization_id=organization_id,
                updated_at=stamp,
            )
            pending.append(Pending(record.id, links + values, old is None, changed))
            touched_orgs.add(organization_id)
            if old is not None:
                touched_orgs.add(old.organization_id)
        written = write_rows(conn, self.entity, CONTACTS.upsert, pending, counts)
        arrived = [p.pipedrive_id for p in pending if p.created and p.pipedrive_id in written]
        if arrived:
            restore_user_data(conn, arrived)
            _link_waiting_rows(conn, arrived)
        if not listing:
            refresh_organization_stats(session, {o for o in touched_orgs if o is not None})
        return counts

    def finish_listing(self, session: Session) -> None:
        refresh_organization_stats(session)


def _link_waiting_rows(conn: Connection, arrived: Sequence[int]) -> None:
    """Activities and deals that came before their person now find it.

    Only contacts that gained activities need their last contact recomputed (a new
    contact has no score yet).
    """
    waiting = {
        row[0]
        for row in select_in(
            conn,
            "SELECT DISTINCT pipedrive_person_id FROM activities"
            " WHERE pipedrive_person_id IN ({ids}) AND contact_id IS NULL",
            sorted(arrived),
        )
    }
    for table, found in (("activities", waiting), ("deals", arrived)):
        execute_in(
            conn,
            f"UPDATE {table} SET contact_id = (SELECT c.id FROM contacts c"
            f" WHERE c.pipedrive_person_id = {table}.pipedrive_person_id)"
            " WHERE pipedrive_person_id IN ({ids}) AND contact_id IS NULL",
            found,
        )
    execute_in(conn, LAST_CONTACTED_SQL.format(column="pipedrive_person_id"), waiting)


def keep_user_data(conn: Connection, doomed: Sequence[Row[Any]], stamp: str) -> None:
    """Keep the user's own data of contacts about to be deleted, by Pipedrive person id.

    Pipedrive knows nothing of the campaign flag: a person deleted and restored there,
    or one a listing left out by mistake, must come back with it. Rows need
    ``pipedrive_person_id`` and ``added_to_campaign``; only flagged contacts are kept.
    """
    kept = [(row.pipedrive_person_id, 1, stamp) for row in doomed if row.added_to_campaign]
    if kept:
        conn.exec_driver_sql(
            "INSERT INTO kept_contact_data (pipedrive_person_id, added_to_campaign, kept_at)"
            " VALUES (?, ?, ?) ON CONFLICT (pipedrive_person_id) DO UPDATE SET"
            " added_to_campaign = excluded.added_to_campaign, kept_at = excluded.kept_at",
            kept,
        )


def restore_user_data(conn: Connection, pipedrive_ids: Sequence[int]) -> None:
    """Give contacts just inserted again the user data kept when they left, and forget it."""
    kept = select_in(
        conn,
        "SELECT pipedrive_person_id, added_to_campaign FROM kept_contact_data"
        " WHERE pipedrive_person_id IN ({ids})",
        sorted(pipedrive_ids),
    )
    if not kept:
        return
    conn.exec_driver_sql(
        "UPDATE contacts SET added_to_campaign = ? WHERE pipedrive_person_id = ?",
        [(row.added_to_campaign, row.pipedrive_person_id) for row in kept],
    )
    execute_in(
        conn,
        "DELETE FROM kept_contact_data WHERE pipedrive_person_id IN ({ids})",
        [row.pipedrive_person_id for row in kept],
    )
