"""Writing one page of one entity into the mirror, inside the caller's transaction.

Records arrive already converted to store values (``EntityWriter.prepare``, run ahead
in the fetching thread). A writer loads what it must know about the page's rows with
one query per lookup, then writes the whole page with one multi-row upsert: each runs
inside SQLite from start to end, so the fetching thread parses the next page meanwhile
instead of trading the interpreter lock with the writer row by row.
What depends on the rows is kept current in the same transaction: contacts whose
facts changed are marked for rescoring (``score_computed_at = NULL``),
``last_contacted`` and the organization counters are recomputed for what the page
touched, and links by Pipedrive id are repaired when the row they point at arrives
after the row pointing at it.

Pages of a full listing are written with ``listing=True``: the derived data every
page would otherwise recompute for the same rows again and again is recomputed once
by ``finish_listing``, in the transaction of the listing's last page. Rows whose
Pipedrive update time equals the mirror's are skipped, unless ``rewrite`` asks for
every row (the mapping from records to rows changed since they were written);
``fresh`` pages hold no row the mirror has, so nothing is looked up for them.
"""

from __future__ import annotations

import json
import logging
import sqlite3
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
    multi_row,
    organization_fields,
    placeholders,
    row_columns,
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
#: The latest done activity of every contact that has one.
_ALL_LATEST_DONE_SQL = (
    "SELECT a.contact_id, max(coalesce(a.marked_as_done_time, a.due_date || ' 00:00:00.000000'))"
    " FROM activities a WHERE a.done = 1 AND a.contact_id IS NOT NULL GROUP BY a.contact_id"
)
_LAST_CONTACTED_SQL = (
    f"UPDATE contacts SET last_contacted = {_LATEST_DONE}, score_computed_at = NULL"
    " WHERE {column} IN ({{ids}})"
)
_DIRTY_SQL = "UPDATE contacts SET score_computed_at = NULL WHERE id IN ({ids})"
#: Bound values per statement: SQLite's limit since 3.32 (32766) with room to spare.
_MAX_VARIABLES = 32_000
#: (table, Pipedrive id column, local id column) of the lookups from Pipedrive to local ids.
_ORG_IDS = ("organization_aliases", "pipedrive_org_id", "organization_id")
_CONTACT_IDS = ("contacts", "pipedrive_person_id", "id")
_DEAL_IDS = ("deals", "pipedrive_deal_id", "id")


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


def _known_rows(
    conn: Connection, fresh: bool, sql: str, pipedrive_ids: Sequence[int]
) -> dict[int, Sequence[Any]]:
    """The mirror's rows for a page's records, by Pipedrive id (first column).

    ``fresh``: the page lies past the highest id the listing began with, so the mirror
    cannot hold any of it yet and the lookup is skipped.
    """
    if fresh:
        return {}
    return {row[0]: row[1:] for row in _select(conn, sql, pipedrive_ids)}


def _select(conn: Connection, sql: str, values: Iterable[Any]) -> list[Any]:
    """Run ``sql`` with ``{ids}`` replaced by an IN list of ``values``, in chunks."""
    found: list[Any] = []
    for part in chunked(list(values)):
        result = conn.exec_driver_sql(sql.format(ids=placeholders(len(part))), tuple(part))
        found.extend(result.fetchall())
    return found


def _lookup(
    conn: Connection, columns: tuple[str, str, str], values: Iterable[int | None]
) -> dict[int | None, str]:
    """Pipedrive id → local id, for the distinct storable ``values``.

    One statement and one JSON value, not a row at a time: the statement runs without
    the interpreter lock while the next page is parsed in the fetching thread.
    """
    wanted = sorted({v for v in values if v is not None and fits_int64(v)})
    if not wanted:
        return {}
    table, key, value = columns
    found = conn.exec_driver_sql(
        f"SELECT json_group_array(json_array({key}, {value})) FROM {table}"
        f" WHERE {key} IN (SELECT value FROM json_each(?))",
        (json.dumps(wanted),),
    ).scalar()
    return {int(k): v for k, v in json.loads(found)} if found else {}


def _execute_in(conn: Connection, sql: str, values: Iterable[Any]) -> None:
    """Run a statement whose ``{ids}`` is an IN list of ``values``, in chunks."""
    for part in chunked(sorted({v for v in values if v is not None})):
        conn.exec_driver_sql(sql.format(ids=placeholders(len(part))), tuple(part))


def is_record_error(exc: DBAPIError) -> bool:
    """Whether the database refused a statement for the values it was given.

    A broken constraint (or a value SQLite cannot take) is the record's own fault, so
    that record alone is skipped. Anything else (a full disk, an I/O error, a lock, a
    damaged file) says nothing about the record: the page must fail as a whole, or it
    would commit past rows that were never written.
    """
    return isinstance(exc.orig, sqlite3.IntegrityError | sqlite3.DataError)


def _write_rows(
    conn: Connection, entity: str, sql: str, pending: Sequence[_Pending], counts: PageCounts
) -> set[int]:
    """Upsert ``pending`` a few hundred rows per statement; after a record's error, row by row.

    Upserts are idempotent, so replaying rows a failed batch had already written is
    harmless, and SQLite undoes only the failing statement. Returns the ids written.
    Storage errors are raised as they are (see ``is_record_error``).
    """
    if not pending:
        return set()
    per_statement = max(1, _MAX_VARIABLES // row_columns(sql))
    try:
        for part in chunked(pending, per_statement):
            values = tuple(value for item in part for value in item.row)
            conn.exec_driver_sql(multi_row(sql, len(part)), values)
        written = {p.pipedrive_id for p in pending}
    except DBAPIError as batch_error:
        if not is_record_error(batch_error):
            raise
        written = set()
        for item in pending:
            try:
                conn.exec_driver_sql(sql, item.row)
            except DBAPIError as exc:
                if not is_record_error(exc):
                    raise
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
    #: Indexes read only by the derived data ``finish_listing`` recomputes. A listing into
    #: an empty table drops them and builds them again with its last page: far cheaper
    #: than keeping them current row by row on keys that arrive in no order.
    deferred_indexes: ClassVar[tuple[str, ...]] = ()

    def parse(self, item: Mapping[str, Any]) -> R:
        """One API item as a record; raises ValueError for a bad one."""
        return self.record_type.from_api(item)  # type: ignore[no-any-return]

    def prepare(self, record: R, now: str) -> Any:
        """The record's own values in store form; ValueError if the store cannot keep them."""
        raise NotImplementedError

    def is_gone(self, record: R) -> bool:
        """Whether the record says it was deleted in Pipedrive."""
        return bool(record.is_deleted)

    def deferrable_indexes(self, conn: Connection) -> dict[str, str]:
        """Name → ``CREATE INDEX`` statement of the ``deferred_indexes`` that exist."""
        found: dict[str, str] = {}
        for name in self.deferred_indexes:
            row = conn.exec_driver_sql(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
            ).first()
            if row is not None and row[0]:
                found[name] = row[0]
        return found

    def local_max_id(self, conn: Connection) -> int | None:
        """The highest Pipedrive id the mirror holds (None: it holds none)."""
        row = conn.exec_driver_sql(f"SELECT max(pid) FROM ({self.ids_sql})").first()
        return None if row is None else row[0]

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
        fresh: bool = False,
    ) -> PageCounts:
        """Delete the Pipedrive ids ``gone``, upsert the (record, prepared) pairs.

        Rows whose Pipedrive update time matches the mirror's are skipped unless
        ``rewrite``; ``listing`` leaves derived data to ``finish_listing``; ``fresh``
        says the mirror holds none of the records, so there is nothing to look up.
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
        fresh: bool = False,
    ) -> PageCounts:
        counts = PageCounts()
        conn = session.connection()
        touched: set[str] = set()
        if gone:
            counts.deleted += self._delete(session, conn, gone, touched)
        known = _known_rows(
            conn,
            fresh,
            "SELECT a.pipedrive_org_id, a.name, o.pipedrive_org_id, o.name, o.industry,"
            " o.size, o.website, o.address, o.country, o.city"
            " FROM organization_aliases a JOIN organizations o ON o.id = a.organization_id"
            " WHERE a.pipedrive_org_id IN ({ids})",
            [record.id for record, _ in records],
        )
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
        fresh: bool = False,
    ) -> PageCounts:
        counts = PageCounts()
        conn = session.connection()
        stamp = db_time(now)
        touched_orgs: set[str | None] = set()
        if gone:
            doomed = _select(
                conn,
                "SELECT id, organization_id, pipedrive_person_id, added_to_campaign"
                " FROM contacts WHERE pipedrive_person_id IN ({ids})",
                sorted(i for i in gone if fits_int64(i)),
            )
            touched_orgs.update(row.organization_id for row in doomed)
            keep_user_data(conn, doomed, stamp)
            _execute_in(conn, "DELETE FROM contacts WHERE id IN ({ids})", [r.id for r in doomed])
            counts.deleted += len(doomed)
        known = _known_rows(
            conn,
            fresh,
            "SELECT pipedrive_person_id, id, organization_id, last_pipedrive_update"
            " FROM contacts WHERE pipedrive_person_id IN ({ids})",
            [record.id for record, _ in records],
        )
        orgs = _lookup(conn, _ORG_IDS, (record.org_id for record, _ in records))
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
            restore_user_data(conn, arrived)
            # Activities and deals that came before their person now find it; only
            # contacts that gained activities need their last contact recomputed (a new
            # contact has no score yet).
            waiting = {
                row[0]
                for row in _select(
                    conn,
                    "SELECT DISTINCT pipedrive_person_id FROM activities"
                    " WHERE pipedrive_person_id IN ({ids}) AND contact_id IS NULL",
                    sorted(arrived),
                )
            }
            for table, found in (("activities", waiting), ("deals", arrived)):
                _execute_in(
                    conn,
                    f"UPDATE {table} SET contact_id = (SELECT c.id FROM contacts c"
                    f" WHERE c.pipedrive_person_id = {table}.pipedrive_person_id)"
                    " WHERE pipedrive_person_id IN ({ids}) AND contact_id IS NULL",
                    found,
                )
            _execute_in(conn, _LAST_CONTACTED_SQL.format(column="pipedrive_person_id"), waiting)
        if not listing:
            refresh_organization_stats(session, {o for o in touched_orgs if o is not None})
        return counts

    def finish_listing(self, session: Session) -> None:
        refresh_organization_stats(session)


def keep_user_data(conn: Connection, doomed: Sequence[Any], stamp: str | None) -> None:
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
    kept = _select(
        conn,
        "SELECT pipedrive_person_id, added_to_campaign FROM kept_contact_data"
        " WHERE pipedrive_person_id IN ({ids})",
        sorted(pipedrive_ids),
    )
    if not kept:
        return
    conn.exec_driver_sql(
        "UPDATE contacts SET added_to_campaign = ? WHERE pipedrive_person_id = ?",
        [(flag, pid) for pid, flag in kept],
    )
    _execute_in(
        conn,
        "DELETE FROM kept_contact_data WHERE pipedrive_person_id IN ({ids})",
        [pid for pid, _ in kept],
    )


# --- Activities --------------------------------------------------------------------------------


class ActivityWriter(EntityWriter[Activity]):
    entity = "activities"
    record_type = Activity
    ids_sql = "SELECT pipedrive_activity_id AS pid FROM activities"
    #: Read only by the organizations' counters (and deleting an organization).
    deferred_indexes = ("ix_activities_organization_id",)

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
        fresh: bool = False,
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
        known = _known_rows(
            conn,
            fresh,
            "SELECT pipedrive_activity_id, id, contact_id, organization_id, update_time"
            " FROM activities WHERE pipedrive_activity_id IN ({ids})",
            [record.id for record, _ in records],
        )
        contacts = _lookup(conn, _CONTACT_IDS, (r.person_id for r, _ in records))
        orgs = _lookup(conn, _ORG_IDS, (r.org_id for r, _ in records))
        deals = _lookup(conn, _DEAL_IDS, (r.deal_id for r, _ in records))
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
        # One pass over the done activities instead of two lookups per contact.
        latest: dict[str, str] = dict(conn.exec_driver_sql(_ALL_LATEST_DONE_SQL).fetchall())
        changed = [
            (latest.get(contact_id), contact_id)
            for contact_id, current in conn.exec_driver_sql(
                "SELECT id, last_contacted FROM contacts"
            ).fetchall()
            if latest.get(contact_id) != current
        ]
        if changed:
            conn.exec_driver_sql("UPDATE contacts SET last_contacted = ? WHERE id = ?", changed)
        conn.exec_driver_sql(
            "UPDATE contacts SET score_computed_at = NULL WHERE score_computed_at IS NOT NULL"
        )
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
        fresh: bool = False,
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
        known = _known_rows(
            conn,
            fresh,
            "SELECT pipedrive_deal_id, id, contact_id, update_time FROM deals"
            " WHERE pipedrive_deal_id IN ({ids})",
            [record.id for record, _ in records],
        )
        contacts = _lookup(conn, _CONTACT_IDS, (r.person_id for r, _ in records))
        orgs = _lookup(conn, _ORG_IDS, (r.org_id for r, _ in records))
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


def drop_indexes(conn: Connection, indexes: Mapping[str, str]) -> None:
    """Drop ``indexes`` (name → statement), inside the caller's transaction."""
    for name in indexes:
        conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')


def restore_indexes(conn: Connection, indexes: Mapping[str, str]) -> None:
    """Build again the dropped ``indexes`` (name → ``CREATE INDEX`` statement)."""
    for name, sql in indexes.items():
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).first()
        if exists is not None:
            continue
        try:
            conn.exec_driver_sql(sql)
        except DBAPIError as exc:
            if _primary_code(exc) != _SQLITE_ERROR:
                raise  # a full disk, a lock, I/O: the page fails, the index stays owed
            # The schema moved on since the index was dropped; its own migration decides.
            log.warning("Could not build index %s again: %s", name, exc.orig)


#: SQLite's generic error code: a statement that no longer fits the schema, not storage.
_SQLITE_ERROR = 1


def _primary_code(exc: DBAPIError) -> int | None:
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


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
