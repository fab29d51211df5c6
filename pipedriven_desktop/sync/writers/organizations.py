"""Organizations: each Pipedrive organization is an alias of a local one (equal names merge)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.orm import Session

from pipedriven_desktop.pipedrive.records import Organization
from pipedriven_desktop.store.entities import ORGANIZATION_ALIASES, ORGANIZATIONS
from pipedriven_desktop.store.organizations import (
    OrganizationFields,
    OrganizationResolver,
    chosen_names,
    refresh_organization_stats,
)
from pipedriven_desktop.sync.mapping import organization_fields, placeholders
from pipedriven_desktop.sync.writers.common import (
    DIRTY_SQL,
    EntityWriter,
    IdCache,
    PageCounts,
    execute_in,
    select_in,
    storable,
)
from pipedriven_desktop.sync.writers.suggestions import queue_suggestions

#: An organization's own details: what Pipedrive says beyond its id and name.
_DETAILS = tuple(c for c in ORGANIZATIONS.values if c not in ("pipedrive_org_id", "name"))
#: What the mirror holds of a Pipedrive organization: its alias, and the local
#: organization it belongs to (``primary_id``: the Pipedrive id that organization is of).
_KNOWN_SQL = (
    "SELECT a.pipedrive_org_id, a.name AS alias_name, o.pipedrive_org_id AS primary_id,"
    f" o.id AS local_id, o.name, {', '.join(f'o.{column}' for column in _DETAILS)}"
    " FROM organization_aliases a JOIN organizations o ON o.id = a.organization_id"
    " WHERE a.pipedrive_org_id IN ({ids})"
)
#: Tables that link to a local organization by the Pipedrive id they name, and what
#: else changes for a row whose link changes.
_LINKING_TABLES = (
    ("contacts", ", score_computed_at = NULL"),
    ("activities", ""),
    ("deals", ""),
)


class OrganizationWriter(EntityWriter[Organization, OrganizationFields]):
    entity = "organizations"
    record_type = Organization
    id_table = ORGANIZATION_ALIASES

    def prepare(self, record: Organization, now: str) -> OrganizationFields:
        return organization_fields(record)

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Organization, OrganizationFields]],
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
        touched: set[str] = set()
        if gone:
            counts.deleted += self._delete(session, conn, gone, touched)
        known: dict[int, Row[Any]] = (
            {}
            if fresh
            else {row[0]: row for row in select_in(conn, _KNOWN_SQL, [r.id for r, _ in records])}
        )
        to_write: list[tuple[OrganizationFields, bool, bool]] = []
        named = chosen_names(conn) if known else {}
        for record, fields in records:
            old = known.get(record.id)
            changed = old is None or _organization_changed(fields, old, named)
            if changed or rewrite:
                to_write.append((fields, old is None, changed))
        if to_write:
            resolved = OrganizationResolver(session).resolve_many([f for f, _, _ in to_write], now)
            created_local: list[str] = []
            for (_, is_new, changed), (local_id, created) in zip(to_write, resolved, strict=True):
                touched.add(local_id)
                if created:
                    created_local.append(local_id)
                if is_new:
                    counts.created += 1
                elif changed:
                    counts.updated += 1
            self._relink(conn, [f.pipedrive_org_id for f, _, _ in to_write], touched)
            queue_suggestions(conn, created_local)
        if not listing:
            refresh_organization_stats(session, touched)
        return counts

    def finish_listing(self, session: Session) -> None:
        refresh_organization_stats(session)

    def _relink(
        self, conn: Connection, pipedrive_ids: Sequence[int | None], touched: set[str]
    ) -> None:
        """Point contacts, activities and deals at the local organization of their org id."""
        for table, extra in _LINKING_TABLES:
            wanted = (
                "(SELECT a.organization_id FROM organization_aliases a"
                f" WHERE a.pipedrive_org_id = {table}.pipedrive_org_id)"
            )
            rows = select_in(
                conn,
                f"SELECT id, organization_id AS current_org, {wanted} AS wanted_org FROM {table}"
                f" WHERE pipedrive_org_id IN ({{ids}}) AND organization_id IS NOT {wanted}",
                [i for i in pipedrive_ids if i is not None],
            )
            if rows:
                conn.exec_driver_sql(
                    f"UPDATE {table} SET organization_id = ?{extra} WHERE id = ?",
                    [(row.wanted_org, row.id) for row in rows],
                )
                touched.update(
                    v for row in rows for v in (row.current_org, row.wanted_org) if v is not None
                )

    def _delete(
        self, session: Session, conn: Connection, pipedrive_ids: Collection[int], touched: set[str]
    ) -> int:
        """Forget Pipedrive organizations; a local one goes when none of its ids remain."""
        aliases = select_in(
            conn,
            "SELECT pipedrive_org_id, organization_id FROM organization_aliases"
            " WHERE pipedrive_org_id IN ({ids})",
            storable(pipedrive_ids),
        )
        if not aliases:
            return 0
        gone_ids = [row.pipedrive_org_id for row in aliases]
        local_ids = {row.organization_id for row in aliases}
        execute_in(
            conn, "DELETE FROM organization_aliases WHERE pipedrive_org_id IN ({ids})", gone_ids
        )
        remaining = {
            row.organization_id: row.first
            for row in select_in(
                conn,
                "SELECT organization_id, min(pipedrive_org_id) AS first FROM organization_aliases"
                " WHERE organization_id IN ({ids}) GROUP BY organization_id",
                sorted(local_ids),
            )
        }
        orphans = sorted(local_ids - remaining.keys())
        # Rows that named a Pipedrive organization that is gone lose it, as in Pipedrive.
        for table, extra in _LINKING_TABLES:
            execute_in(
                conn,
                f"UPDATE {table} SET organization_id = NULL{extra}"
                " WHERE pipedrive_org_id IN ({ids}) AND organization_id IS NOT NULL",
                gone_ids,
            )
        execute_in(conn, DIRTY_SQL.replace("id IN", "organization_id IN"), orphans)
        execute_in(conn, "DELETE FROM organizations WHERE id IN ({ids})", orphans)
        for local_id, first_remaining in remaining.items():
            conn.exec_driver_sql(
                "UPDATE organizations SET pipedrive_org_id = ?"
                f" WHERE id = ? AND pipedrive_org_id IN ({placeholders(len(gone_ids))})",
                (first_remaining, local_id, *gone_ids),
            )
        touched.update(remaining)
        touched.difference_update(orphans)
        session.expire_all()
        return len(gone_ids)


def _organization_changed(
    fields: OrganizationFields, old: Row[Any], chosen: Collection[str] = ()
) -> bool:
    """Whether writing ``fields`` would change what the mirror holds.

    ``chosen``: local organizations named by the user when merging, whose name
    Pipedrive's spelling no longer changes.
    """
    if old.alias_name != fields.name:
        return True
    if old.primary_id != fields.pipedrive_org_id:
        return False  # merged into another organization: only the alias is its own
    if fields.name and old.name != fields.name and old.local_id not in chosen:
        return True
    for column in _DETAILS:
        new = getattr(fields, column)
        if new is not None and new != getattr(old, column):
            return True
    return False
