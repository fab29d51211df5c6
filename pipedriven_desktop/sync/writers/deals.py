"""Deals: linked to their contact and organization; a deleted deal leaves the mirror."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pipedriven_desktop.pipedrive.records import Deal
from pipedriven_desktop.store.entities import DEALS, DealLinks, DealValues
from pipedriven_desktop.sync.mapping import deal_values, time_ordered_id
from pipedriven_desktop.sync.writers.common import (
    CONTACT_IDS,
    DIRTY_SQL,
    ORG_IDS,
    EntityWriter,
    IdCache,
    PageCounts,
    Pending,
    Unchanged,
    delete_gone,
    execute_in,
    known_rows,
    write_rows,
)


class DealWriter(EntityWriter[Deal, DealValues]):
    entity = "deals"
    record_type = Deal
    id_table = DEALS
    #: As for activities: built once when a first listing ends.
    defer_every_index = True

    def prepare(self, record: Deal, now: str) -> DealValues:
        return deal_values(record)

    def is_gone(self, record: Deal) -> bool:
        return record.is_deleted or record.status == "deleted"

    def may_be_unchanged(self, item: Mapping[str, Any], unchanged: Unchanged) -> bool:
        return super().may_be_unchanged(item, unchanged) and item.get("status") != "deleted"

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Deal, DealValues]],
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
        dirty: set[str | None] = set()
        if gone:
            doomed = delete_gone(conn, DEALS, gone, "contact_id")
            dirty.update(row.contact_id for row in doomed)
            counts.deleted += len(doomed)
        known = known_rows(
            conn,
            fresh,
            DEALS,
            [record.id for record, _ in records],
            "id",
            "contact_id",
            "update_time",
        )
        if known and not rewrite:
            # Unchanged rows need no links looked up.
            records = [
                (record, values)
                for record, values in records
                if (old := known.get(record.id)) is None or old.update_time != values.update_time
            ]
        id_map = ids or IdCache()  # without one, this page's own
        contacts = id_map.lookup(conn, CONTACT_IDS, (r.person_id for r, _ in records))
        orgs = id_map.lookup(conn, ORG_IDS, (r.org_id for r, _ in records))
        pending: list[Pending] = []
        for record, values in records:
            old = known.get(record.id)
            changed = old is None or old.update_time != values.update_time
            if not changed and not rewrite:
                continue
            links = DealLinks(
                id=time_ordered_id() if old is None else old.id,
                contact_id=contacts.get(record.person_id),
                organization_id=orgs.get(record.org_id),
            )
            pending.append(Pending(record.id, links + values, old is None, changed))
            if changed:
                dirty.add(links.contact_id)
                if old is not None:
                    dirty.add(old.contact_id)
        written = write_rows(conn, self.entity, DEALS.upsert, pending, counts)
        arrived = [p.pipedrive_id for p in pending if p.created and p.pipedrive_id in written]
        if arrived:
            # One pass over activities per page: their deal id has no index.
            execute_in(
                conn,
                "UPDATE activities SET deal_id = (SELECT d.id FROM deals d"
                " WHERE d.pipedrive_deal_id = activities.pipedrive_deal_id)"
                " WHERE deal_id IS NULL AND pipedrive_deal_id IN ({ids})",
                arrived,
            )
        execute_in(conn, DIRTY_SQL, dirty)
        return counts
