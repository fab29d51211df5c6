"""Writing one page of one entity into the mirror, inside the caller's transaction.

Records arrive already converted to store values (``EntityWriter.prepare``, run ahead
in the fetching thread). A writer loads what it must know about the page's rows with
one IN query per lookup, then writes the whole page with one executemany upsert.
What depends on the rows is kept current in the same transaction: contacts whose
facts changed are marked for rescoring (``score_computed_at = NULL``),
``last_contacted`` and the organization counters are recomputed for what the page
touched, and links by Pipedrive id are repaired when the row they point at arrives
after the row pointing at it.

Pages of a full listing are written with ``listing=True``: the derived data every
page would otherwise recompute for the same rows again and again is recomputed once
by ``finish_listing``, in the transaction of the listing's last page. Rows whose
Pipedrive update time equals the mirror's are skipped, unless ``rewrite`` asks for
every row (the mapping from records to rows changed since they were written).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pipedriven_desktop.pipedrive.client import PERSON_INCLUDE_FIELDS, Entity
from pipedriven_desktop.pipedrive.records import Activity, Deal, Organization, Person
from pipedriven_desktop.store.organizations import (
    OrganizationFields,
    OrganizationResolver,
    record_suggestions,
    refresh_organization_stats,
)
from pipedriven_desktop.sync.mapping import (
    ACTIVITY_UPSERT,
    CONTACT_UPSERT,
    DEAL_UPSERT,
    activity_values,
    chunked,
    contact_values,
    db_time,
    deal_values,
    fits_int64,
    organization_fields,
    placeholders,
    time_ordered_id,
)

log = logging.getLogger(__name__)

#: app_meta key of the organizations waiting for the near-duplicate check (a JSON list).
SUGGESTIONS_QUEUE_KEY = "orgs_pending_suggestions"

R = TypeVar("R", Person, Organization, Activity, Deal)

#: The latest done activity of a contact: when it was marked done, else its due day.
_LATEST_DONE = (
    "(SELECT max(coalesce(a.marked_as_done_time, a.due_date || ' 00:00:00.000000'))"
    " FROM activities a WHERE a.contact_id = contacts.id AND a.done = 1)"
)
_LAST_CONTACTED_SQL = (
    f"UPDATE contacts SET last_contacted = {_LATEST_DONE}, score_computed_at = NULL"
    " WHERE {column} IN ({{ids}})"
)
_DIRTY_SQL = "UPDATE contacts SET score_computed_at = NULL WHERE id IN ({ids})"
_ALIASES_SQL = (
    "SELECT pipedrive_org_id, organization_id FROM organization_aliases"
    " WHERE pipedrive_org_id IN ({ids})"
)
_CONTACT_IDS_SQL = (
    "SELECT pipedrive_person_id, id FROM contacts WHERE pipedrive_person_id IN ({ids})"
)


class PageCounts:
    """What a page did; ``refused`` holds the Pipedrive ids the database would not take."""

    __slots__ = ("created", "deleted", "refused", "updated")

    def __init__(self) -> None:
        self.created = 0
        self.updated = 0
        self.deleted = 0
        self.refused: set[int] = set()

    def add(self, other: PageCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.deleted += other.deleted
        self.refused |= other.refused


class _Pending(NamedTuple):
    """One row about to be upserted, and how it counts once written."""

    pipedrive_id: int
    row: tuple[Any, ...]
    created: bool
    changed: bool


def _select(conn: Connection, sql: str, values: Iterable[Any]) -> list[Any]:
    """Run ``sql`` with ``{ids}`` replaced by an IN list of ``values``, in chunks."""
    found: list[Any] = []
    for part in chunked(list(values)):
        result = conn.exec_driver_sql(sql.format(ids=placeholders(len(part))), tuple(part))
        found.extend(result.fetchall())
    return found


def _lookup(conn: Connection, sql: str, values: Iterable[int | None]) -> dict[Any, Any]:
    """A two-column ``_select`` as a dict, for the distinct storable ``values``."""
    wanted = sorted({v for v in values if v is not None and fits_int64(v)})
    return {row[0]: row[1] for row in _select(conn, sql, wanted)}


def _execute_in(conn: Connection, sql: str, values: Iterable[Any]) -> None:
    """Run a statement whose ``{ids}`` is an IN list of ``values``, in chunks."""
    for part in chunked(sorted({v for v in values if v is not None})):
        conn.exec_driver_sql(sql.format(ids=placeholders(len(part))), tuple(part))


def _write_rows(
    conn: Connection, entity: str, sql: str, pending: Sequence[_Pending], counts: PageCounts
) -> set[int]:
    """Upsert ``pending`` with one executemany; after a database error, row by row.

    Upserts are idempotent, so replaying rows a failed batch had already written is
    harmless, and SQLite undoes only the failing statement. Returns the ids written.
    """
    if not pending:
        return set()
    try:
        conn.exec_driver_sql(sql, [p.row for p in pending])
        written = {p.pipedrive_id for p in pending}
    except DBAPIError:
        written = set()
        for item in pending:
            try:
                conn.exec_driver_sql(sql, item.row)
            except DBAPIError as exc:
                log.warning(
                    "Skipped %s %s: the store refused it (%s)", entity, item.pipedrive_id, exc.orig
                )
                counts.refused.add(item.pipedrive_id)
            else:
                written.add(item.pipedrive_id)
    for item in pending:
        if item.pipedrive_id in written:
            if item.created:
                counts.created += 1
            elif item.changed:
                counts.updated += 1
    return written


class EntityWriter(Generic[R]):
    """What the sync needs per entity: parse and prepare items, find ids, write pages."""

    entity: ClassVar[Entity]
    record_type: ClassVar[type[Any]]
    #: ``SELECT <pipedrive id> AS pid FROM ...``: the Pipedrive ids the mirror holds.
    ids_sql: ClassVar[str]
    #: Extra query parameters for this entity's listings.
    listing_params: ClassVar[dict[str, str]] = {}

    def parse(self, item: Mapping[str, Any]) -> R:
        """One API item as a record; raises ValueError for a bad one."""
        return self.record_type.from_api(item)  # type: ignore[no-any-return]

    def prepare(self, record: R, now: str) -> Any:
        """The record's own values in store form; ValueError if the store cannot keep them."""
        raise NotImplementedError

    def is_gone(self, record: R) -> bool:
        """Whether the record says it was deleted in Pipedrive."""
        return bool(record.is_deleted)

    def local_ids_between(self, conn: Connection, after: int | None, upto: int | None) -> set[int]:
        """Pipedrive ids the mirror holds with ``after < id <= upto`` (None: unbounded)."""
        conditions = ["pid IS NOT NULL"]
        params: list[int] = []
        if after is not None:
            conditions.append("pid > ?")
            params.append(after)
        if upto is not None:
            conditions.append("pid <= ?")
            params.append(upto)
        sql = f"SELECT pid FROM ({self.ids_sql}) WHERE {' AND '.join(conditions)}"
        return {row[0] for row in conn.exec_driver_sql(sql, tuple(params)).fetchall()}

    def write(
        self,
        session: Session,
        records: Sequence[tuple[R, Any]],
        gone: Collection[int],
        *,
        listing: bool,
        rewrite: bool,
        now: datetime,
    ) -> PageCounts:
        """Delete the Pipedrive ids ``gone``, upsert the (record, prepared) pairs.

        Rows whose Pipedrive update time matches the mirror's are skipped unless
        ``rewrite``; ``listing`` leaves derived data to ``finish_listing``.
        """
        raise NotImplementedError

    def finish_listing(self, session: Session) -> None:
        """Recompute derived data once, when a full listing of this entity completes."""


# --- Organizations -----------------------------------------------------------------------------


class OrganizationWriter(EntityWriter[Organization]):
    entity = "organizations"
    record_type = Organization
    ids_sql = "SELECT pipedrive_org_id AS pid FROM organization_aliases"

    def prepare(self, record: Organization, now: str) -> OrganizationFields:
        return organization_fields(record)

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Organization, Any]],
        gone: Collection[int],
        *,
        listing: bool,
        rewrite: bool,
        now: datetime,
    ) -> PageCounts:
        counts = PageCounts()
        conn = session.connection()
        touched: set[str] = set()
        if gone:
            counts.deleted += self._delete(session, conn, gone, touched)
        known = {
            row[0]: row[1:]
            for row in _select(
                conn,
                "SELECT a.pipedrive_org_id, a.name, o.pipedrive_org_id, o.name, o.industry,"
                " o.size, o.website, o.address, o.country, o.city"
                " FROM organization_aliases a JOIN organizations o ON o.id = a.organization_id"
                " WHERE a.pipedrive_org_id IN ({ids})",
                [record.id for record, _ in records],
            )
        }
        to_write: list[tuple[OrganizationFields, bool, bool]] = []
        for record, fields in records:
            old = known.get(record.id)
            changed = old is None or _organization_changed(fields, old)
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
        for table, extra in (
            ("contacts", ", score_computed_at = NULL"),
            ("activities", ""),
            ("deals", ""),
        ):
            wanted = (
                "(SELECT a.organization_id FROM organization_aliases a"
                f" WHERE a.pipedrive_org_id = {table}.pipedrive_org_id)"
            )
            rows = _select(
                conn,
                f"SELECT id, organization_id, {wanted} FROM {table}"
                f" WHERE pipedrive_org_id IN ({{ids}}) AND organization_id IS NOT {wanted}",
                [i for i in pipedrive_ids if i is not None],
            )
            if rows:
                conn.exec_driver_sql(
                    f"UPDATE {table} SET organization_id = ?{extra} WHERE id = ?",
                    [(new, row_id) for row_id, _, new in rows],
                )
                touched.update(v for _, old, new in rows for v in (old, new) if v is not None)

    def _delete(
        self, session: Session, conn: Connection, pipedrive_ids: Collection[int], touched: set[str]
    ) -> int:
        """Forget Pipedrive organizations; a local one goes when none of its ids remain."""
        aliases = _select(
            conn,
            "SELECT pipedrive_org_id, organization_id FROM organization_aliases"
            " WHERE pipedrive_org_id IN ({ids})",
            sorted(i for i in pipedrive_ids if fits_int64(i)),
        )
        if not aliases:
            return 0
        gone_ids = [pid for pid, _ in aliases]
        local_ids = {local for _, local in aliases}
        _execute_in(
            conn, "DELETE FROM organization_aliases WHERE pipedrive_org_id IN ({ids})", gone_ids
        )
        remaining = {
            row[0]: row[1]
            for row in _select(
                conn,
                "SELECT organization_id, min(pipedrive_org_id) FROM organization_aliases"
                " WHERE organization_id IN ({ids}) GROUP BY organization_id",
                sorted(local_ids),
            )
        }
        orphans = sorted(local_ids - remaining.keys())
        # Rows that named a Pipedrive organization that is gone lose it, as in Pipedrive.
        for table, extra in (
            ("contacts", ", score_computed_at = NULL"),
            ("activities", ""),
            ("deals", ""),
        ):
            _execute_in(
                conn,
                f"UPDATE {table} SET organization_id = NULL{extra}"
                " WHERE pipedrive_org_id IN ({ids}) AND organization_id IS NOT NULL",
                gone_ids,
            )
        _execute_in(conn, _DIRTY_SQL.replace("id IN", "organization_id IN"), orphans)
        _execute_in(conn, "DELETE FROM organizations WHERE id IN ({ids})", orphans)
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


def _organization_changed(fields: OrganizationFields, old: Sequence[Any]) -> bool:
    """Whether writing ``fields`` would change what the mirror holds."""
    alias_name, primary_id, name, *details = old
    if alias_name != fields.name:
        return True
    if primary_id != fields.pipedrive_org_id:
        return False  # merged into another organization: only the alias is its own
    if fields.name and name != fields.name:
        return True
    new_details = (
        fields.industry,
        fields.size,
        fields.website,
        fields.address,
        fields.country,
        fields.city,
    )
    return any(n is not None and n != o for n, o in zip(new_details, details, strict=True))


# --- Persons -----------------------------------------------------------------------------------


class PersonWriter(EntityWriter[Person]):
    entity = "persons"
    record_type = Person
    ids_sql = "SELECT pipedrive_person_id AS pid FROM contacts"
    listing_params: ClassVar[dict[str, str]] = {"include_fields": PERSON_INCLUDE_FIELDS}

    def __init__(self, lead_status_field: str | None = None) -> None:
        self.lead_status_field = lead_status_field

    def parse(self, item: Mapping[str, Any]) -> Person:
        return Person.from_api(item, lead_status_field=self.lead_status_field)

    def prepare(self, record: Person, now: str) -> tuple[Any, ...]:
        return contact_values(record, now)

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Person, Any]],
        gone: Collection[int],
        *,
        listing: bool,
        rewrite: bool,
        now: datetime,
    ) -> PageCounts:
        counts = PageCounts()
        conn = session.connection()
        stamp = db_time(now)
        touched_orgs: set[str | None] = set()
        if gone:
            doomed = _select(
                conn,
                "SELECT id, organization_id FROM contacts WHERE pipedrive_person_id IN ({ids})",
                sorted(i for i in gone if fits_int64(i)),
            )
            touched_orgs.update(org for _, org in doomed)
            _execute_in(conn, "DELETE FROM contacts WHERE id IN ({ids})", [i for i, _ in doomed])
            counts.deleted += len(doomed)
        known = {
            row[0]: row[1:]
            for row in _select(
                conn,
                "SELECT pipedrive_person_id, id, organization_id, last_pipedrive_update"
                " FROM contacts WHERE pipedrive_person_id IN ({ids})",
                [record.id for record, _ in records],
            )
        }
        orgs = _lookup(conn, _ALIASES_SQL, (record.org_id for record, _ in records))
        pending: list[_Pending] = []
        for record, values in records:
            old = known.get(record.id)
            changed = old is None or old[2] != values[-1]
            if not changed and not rewrite:
                continue
            organization_id = orgs.get(record.org_id)
            local_id = time_ordered_id() if old is None else old[0]
            pending.append(
                _Pending(
                    record.id, (local_id, organization_id, stamp, *values), old is None, changed
                )
            )
            touched_orgs.add(organization_id)
            if old is not None:
                touched_orgs.add(old[1])
        written = _write_rows(conn, self.entity, CONTACT_UPSERT, pending, counts)
        arrived = [p.pipedrive_id for p in pending if p.created and p.pipedrive_id in written]
        if arrived:
            # Activities and deals that came before their person now find it.
            for table in ("activities", "deals"):
                _execute_in(
                    conn,
                    f"UPDATE {table} SET contact_id = (SELECT c.id FROM contacts c"
                    f" WHERE c.pipedrive_person_id = {table}.pipedrive_person_id)"
                    " WHERE pipedrive_person_id IN ({ids}) AND contact_id IS NULL",
                    arrived,
                )
            _execute_in(conn, _LAST_CONTACTED_SQL.format(column="pipedrive_person_id"), arrived)
        if not listing:
            refresh_organization_stats(session, {o for o in touched_orgs if o is not None})
        return counts

    def finish_listing(self, session: Session) -> None:
        refresh_organization_stats(session)


# --- Activities --------------------------------------------------------------------------------


class ActivityWriter(EntityWriter[Activity]):
    entity = "activities"
    record_type = Activity
    ids_sql = "SELECT pipedrive_activity_id AS pid FROM activities"

    def prepare(self, record: Activity, now: str) -> tuple[Any, ...]:
        return activity_values(record)

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Activity, Any]],
        gone: Collection[int],
        *,
        listing: bool,
        rewrite: bool,
        now: datetime,
    ) -> PageCounts:
        counts = PageCounts()
        conn = session.connection()
        touched_contacts: set[str | None] = set()
        touched_orgs: set[str | None] = set()
        if gone:
            doomed = _select(
                conn,
                "SELECT id, contact_id, organization_id FROM activities"
                " WHERE pipedrive_activity_id IN ({ids})",
                sorted(i for i in gone if fits_int64(i)),
            )
            for _, contact_id, org_id in doomed:
                touched_contacts.add(contact_id)
                touched_orgs.add(org_id)
            _execute_in(conn, "DELETE FROM activities WHERE id IN ({ids})", [d[0] for d in doomed])
            counts.deleted += len(doomed)
        known = {
            row[0]: row[1:]
            for row in _select(
                conn,
                "SELECT pipedrive_activity_id, id, contact_id, organization_id, update_time"
                " FROM activities WHERE pipedrive_activity_id IN ({ids})",
                [record.id for record, _ in records],
            )
        }
        contacts = _lookup(conn, _CONTACT_IDS_SQL, (r.person_id for r, _ in records))
        orgs = _lookup(conn, _ALIASES_SQL, (r.org_id for r, _ in records))
        deals = _lookup(
            conn,
            "SELECT pipedrive_deal_id, id FROM deals WHERE pipedrive_deal_id IN ({ids})",
            (r.deal_id for r, _ in records),
        )
        pending: list[_Pending] = []
        for record, values in records:
            old = known.get(record.id)
            changed = old is None or old[3] != values[-1]
            if not changed and not rewrite:
                continue
            contact_id = contacts.get(record.person_id)
            org_id = orgs.get(record.org_id)
            local_id = time_ordered_id() if old is None else old[0]
            row = (local_id, contact_id, org_id, deals.get(record.deal_id), *values)
            pending.append(_Pending(record.id, row, old is None, changed))
            if changed and not listing:
                touched_contacts.add(contact_id)
                touched_orgs.add(org_id)
                if old is not None:
                    touched_contacts.add(old[1])
                    touched_orgs.add(old[2])
        _write_rows(conn, self.entity, ACTIVITY_UPSERT, pending, counts)
        if listing:
            return counts
        contact_ids = [c for c in touched_contacts if c is not None]
        org_ids = {o for o in touched_orgs if o is not None}
        if contact_ids:
            _execute_in(conn, _LAST_CONTACTED_SQL.format(column="id"), contact_ids)
            org_ids.update(
                row[0]
                for row in _select(
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
        conn.exec_driver_sql(
            f"UPDATE contacts SET last_contacted = {_LATEST_DONE}"
            f" WHERE last_contacted IS NOT {_LATEST_DONE}"
        )
        conn.exec_driver_sql("UPDATE contacts SET score_computed_at = NULL")
        refresh_organization_stats(session)


# --- Deals -------------------------------------------------------------------------------------


class DealWriter(EntityWriter[Deal]):
    entity = "deals"
    record_type = Deal
    ids_sql = "SELECT pipedrive_deal_id AS pid FROM deals"
    listing_params: ClassVar[dict[str, str]] = {}

    def prepare(self, record: Deal, now: str) -> tuple[Any, ...]:
        return deal_values(record)

    def is_gone(self, record: Deal) -> bool:
        return record.is_deleted or record.status == "deleted"

    def write(
        self,
        session: Session,
        records: Sequence[tuple[Deal, Any]],
        gone: Collection[int],
        *,
        listing: bool,
        rewrite: bool,
        now: datetime,
    ) -> PageCounts:
        counts = PageCounts()
        conn = session.connection()
        dirty: set[str | None] = set()
        if gone:
            doomed = _select(
                conn,
                "SELECT id, contact_id FROM deals WHERE pipedrive_deal_id IN ({ids})",
                sorted(i for i in gone if fits_int64(i)),
            )
            dirty.update(contact_id for _, contact_id in doomed)
            _execute_in(conn, "DELETE FROM deals WHERE id IN ({ids})", [d[0] for d in doomed])
            counts.deleted += len(doomed)
        known = {
            row[0]: row[1:]
            for row in _select(
                conn,
                "SELECT pipedrive_deal_id, id, contact_id, update_time FROM deals"
                " WHERE pipedrive_deal_id IN ({ids})",
                [record.id for record, _ in records],
            )
        }
        contacts = _lookup(conn, _CONTACT_IDS_SQL, (r.person_id for r, _ in records))
        orgs = _lookup(conn, _ALIASES_SQL, (r.org_id for r, _ in records))
        pending: list[_Pending] = []
        for record, values in records:
            old = known.get(record.id)
            changed = old is None or old[2] != values[-1]
            if not changed and not rewrite:
                continue
            contact_id = contacts.get(record.person_id)
            local_id = time_ordered_id() if old is None else old[0]
            row = (local_id, contact_id, orgs.get(record.org_id), *values)
            pending.append(_Pending(record.id, row, old is None, changed))
            if changed:
                dirty.add(contact_id)
                if old is not None:
                    dirty.add(old[1])
        written = _write_rows(conn, self.entity, DEAL_UPSERT, pending, counts)
        arrived = [p.pipedrive_id for p in pending if p.created and p.pipedrive_id in written]
        if arrived:
            # One pass over activities per page: their deal id has no index.
            _execute_in(
                conn,
                "UPDATE activities SET deal_id = (SELECT d.id FROM deals d"
                " WHERE d.pipedrive_deal_id = activities.pipedrive_deal_id)"
                " WHERE deal_id IS NULL AND pipedrive_deal_id IN ({ids})",
                arrived,
            )
        _execute_in(conn, _DIRTY_SQL, dirty)
        return counts


# --- Near-duplicate organizations --------------------------------------------------------------


def queue_suggestions(conn: Connection, organization_ids: Sequence[str]) -> None:
    """Remember new organizations for the near-duplicate check, in the page's transaction.

    The check runs once the persons are in, so shared email domains can back a
    suggestion; the queue lets it survive a sync that stops before then.
    """
    if not organization_ids:
        return
    queued = pending_suggestions(conn)
    seen = set(queued)
    queued.extend(i for i in organization_ids if i not in seen)
    set_meta(conn, SUGGESTIONS_QUEUE_KEY, json.dumps(queued))


def pending_suggestions(conn: Connection) -> list[str]:
    row = conn.exec_driver_sql(
        "SELECT value FROM app_meta WHERE key = ?", (SUGGESTIONS_QUEUE_KEY,)
    ).first()
    try:
        value = json.loads(row[0]) if row is not None and row[0] else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def record_pending_suggestions(session: Session, now: datetime) -> int:
    """Record near-match suggestions for the queued organizations, then empty the queue."""
    conn = session.connection()
    queued = pending_suggestions(conn)
    if not queued:
        return 0
    added = record_suggestions(session, queued, now)
    set_meta(conn, SUGGESTIONS_QUEUE_KEY, None)
    return added


def set_meta(conn: Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.exec_driver_sql("DELETE FROM app_meta WHERE key = ?", (key,))
        return
    conn.exec_driver_sql(
        "INSERT INTO app_meta (key, value) VALUES (?, ?)"
        " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (key, value),
    )


def writers(lead_status_field: str | None = None) -> tuple[EntityWriter[Any], ...]:
    """The entities in sync order: organizations, the persons mapped to them, then the
    activities and deals that point at both."""
    return (OrganizationWriter(), PersonWriter(lead_status_field), ActivityWriter(), DealWriter())
