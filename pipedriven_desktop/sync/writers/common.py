"""What every entity's writer shares: the page's counts, set-at-a-time lookups, the upsert.

A writer writes one page of one entity inside the caller's transaction. Records
arrive already converted to store values (``EntityWriter.prepare``, run ahead in the
fetching thread). A writer loads what it must know about the page's rows with one
query per lookup, then writes the whole page with one multi-row upsert: each runs
inside SQLite from start to end, so the fetching thread parses the next page meanwhile
instead of trading the interpreter lock with the writer row by row.

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
from itertools import chain
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

from sqlalchemy import Connection, Row
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pipedriven_desktop.pipedrive.client import Entity
from pipedriven_desktop.pipedrive.records import (
    Activity,
    Deal,
    Organization,
    Person,
    format_api_time,
)
from pipedriven_desktop.store.clock import to_text
from pipedriven_desktop.store.contact_query import ORDER_INDEX_NAMES
from pipedriven_desktop.store.entities import EntityColumns
from pipedriven_desktop.sync.mapping import (
    INT64_MAX,
    INT64_MIN,
    chunked,
    fits_int64,
    multi_row,
    placeholders,
    row_columns,
)

log = logging.getLogger(__name__)

R = TypeVar("R", Person, Organization, Activity, Deal)
V = TypeVar("V")

#: The latest done activity of a contact: when it was marked done, else its due day.
_LATEST_DONE = (
    "(SELECT max(coalesce(a.marked_as_done_time, a.due_date || ' 00:00:00.000000'))"
    " FROM activities a WHERE a.contact_id = contacts.id AND a.done = 1)"
)
#: The latest done activity of every contact that has one.
ALL_LATEST_DONE_SQL = (
    "SELECT a.contact_id, max(coalesce(a.marked_as_done_time, a.due_date || ' 00:00:00.000000'))"
    " FROM activities a WHERE a.done = 1 AND a.contact_id IS NOT NULL GROUP BY a.contact_id"
)
#: Recompute ``last_contacted`` (and ask for a new score) of contacts whose ``{column}``
#: is in ``{ids}``.
LAST_CONTACTED_SQL = (
    f"UPDATE contacts SET last_contacted = {_LATEST_DONE}, score_computed_at = NULL"
    " WHERE {column} IN ({{ids}})"
)
DIRTY_SQL = "UPDATE contacts SET score_computed_at = NULL WHERE id IN ({ids})"
#: Bound values per statement: SQLite's limit since 3.32 (32766) with room to spare.
_MAX_VARIABLES = 32_000


class IdLookup(NamedTuple):
    """Where to turn a Pipedrive id into a local one."""

    table: str
    pipedrive_id: str
    local_id: str


ORG_IDS = IdLookup("organization_aliases", "pipedrive_org_id", "organization_id")
CONTACT_IDS = IdLookup("contacts", "pipedrive_person_id", "id")
DEAL_IDS = IdLookup("deals", "pipedrive_deal_id", "id")


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


class Pending(NamedTuple):
    """One row about to be upserted, and how it counts once written."""

    pipedrive_id: int
    row: tuple[Any, ...]
    created: bool
    changed: bool


def known_rows(
    conn: Connection,
    fresh: bool,
    table: EntityColumns,
    pipedrive_ids: Sequence[int],
    *columns: str,
) -> dict[int, Row[Any]]:
    """The mirror's rows for a page's records, by Pipedrive id, with ``columns`` by name.

    ``fresh``: the page lies past the highest id the listing began with, so the mirror
    cannot hold any of it yet and the lookup is skipped.
    """
    if fresh:
        return {}
    sql = table.select_by_pipedrive_id(*columns)
    return {row[0]: row for row in select_in(conn, sql, pipedrive_ids)}


def select_in(conn: Connection, sql: str, values: Iterable[Any]) -> list[Row[Any]]:
    """Run ``sql`` with ``{ids}`` replaced by an IN list of ``values``, in chunks."""
    found: list[Row[Any]] = []
    for part in chunked(list(values)):
        result = conn.exec_driver_sql(sql.format(ids=placeholders(len(part))), tuple(part))
        found.extend(result.fetchall())
    return found


def lookup(conn: Connection, ids: IdLookup, values: Iterable[int | None]) -> dict[int | None, str]:
    """Pipedrive id → local id, for the distinct storable ``values``.

    One statement and one JSON value, not a row at a time: the statement runs without
    the interpreter lock while the next page is parsed in the fetching thread.
    """
    # The bounds inline, not fits_int64: this runs for every id of every page.
    wanted = sorted({v for v in values if v is not None and INT64_MIN <= v <= INT64_MAX})
    if not wanted:
        return {}
    found = conn.exec_driver_sql(
        f"SELECT json_group_array(json_array({ids.pipedrive_id}, {ids.local_id}))"
        f" FROM {ids.table} WHERE {ids.pipedrive_id} IN (SELECT value FROM json_each(?))",
        (json.dumps(wanted),),
    ).scalar()
    return {int(k): v for k, v in json.loads(found)} if found else {}


class IdCache:
    """``lookup``'s answers, kept from page to page while their table is not written.

    A listing's pages ask for the same few thousand contacts, organizations and deals
    again and again (each page of activities names hundreds of them): each id is looked
    up once, found or not, and later pages ask the mirror only for ids not seen yet.
    Whoever writes a table must ``forget`` it (the sync does for each page's writer);
    only the sync writes these ids while it runs (it holds the writer lock).
    """

    def __init__(self) -> None:
        self._known: dict[IdLookup, dict[int, str | None]] = {}

    def lookup(
        self, conn: Connection, ids: IdLookup, values: Iterable[int | None]
    ) -> Mapping[int | None, str | None]:
        """What ``lookup`` gives for ``values``: ``get`` of any of them answers the same."""
        known = self._known.setdefault(ids, {})
        missing = {v for v in values if v is not None and v not in known}
        if missing:
            found = lookup(conn, ids, missing)
            for value in missing:
                known[value] = found.get(value)
        return known  # type: ignore[return-value]

    def forget(self, table: str) -> None:
        """Drop what was read of ``table``: it is about to be written, or was."""
        for ids in [ids for ids in self._known if ids.table == table]:
            del self._known[ids]

    def clear(self) -> None:
        self._known.clear()


def execute_in(conn: Connection, sql: str, values: Iterable[Any]) -> None:
    """Run a statement whose ``{ids}`` is an IN list of ``values``, in chunks."""
    for part in chunked(sorted({v for v in values if v is not None})):
        conn.exec_driver_sql(sql.format(ids=placeholders(len(part))), tuple(part))


def storable(pipedrive_ids: Iterable[int]) -> list[int]:
    return sorted(i for i in pipedrive_ids if fits_int64(i))


def delete_gone(
    conn: Connection, table: EntityColumns, gone: Collection[int], *columns: str
) -> list[Row[Any]]:
    """Delete the rows of Pipedrive ids confirmed gone; returns them with ``id`` and ``columns``.

    The returned rows tell each writer what the deletion touched (contacts,
    organizations, the user's own data to keep).
    """
    doomed = select_in(conn, table.select_by_pipedrive_id("id", *columns), storable(gone))
    execute_in(conn, f"DELETE FROM {table.table} WHERE id IN ({{ids}})", [r.id for r in doomed])
    return doomed


def is_record_error(exc: DBAPIError) -> bool:
    """Whether the database refused a statement for the values it was given.

    A broken constraint (or a value SQLite cannot take) is the record's own fault, so
    that record alone is skipped. Anything else (a full disk, an I/O error, a lock, a
    damaged file) says nothing about the record: the page must fail as a whole, or it
    would commit past rows that were never written.
    """
    return isinstance(exc.orig, sqlite3.IntegrityError | sqlite3.DataError)


def write_rows(
    conn: Connection, entity: str, sql: str, pending: Sequence[Pending], counts: PageCounts
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
            values = tuple(chain.from_iterable([item.row for item in part]))
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


def insert_new_rows(
    conn: Connection,
    entity: str,
    sql: str,
    pipedrive_ids: Sequence[int],
    flat: list[Any],
    counts: PageCounts,
) -> None:
    """``write_rows`` for rows all new to the mirror, given as one flat list of values.

    The bulk of a first sync: no ``Pending`` per row, and no tuple per row joined into
    each statement's values again; the values are bound from slices of ``flat``. After
    a record's error, the rows go to ``write_rows`` (upserts are idempotent).
    """
    if not pipedrive_ids:
        return
    width = row_columns(sql)
    if len(flat) != width * len(pipedrive_ids):
        raise ValueError(f"{len(flat)} values are not {len(pipedrive_ids)} rows of {width}")
    per_statement = max(1, _MAX_VARIABLES // width)
    try:
        for start in range(0, len(pipedrive_ids), per_statement):
            rows = min(per_statement, len(pipedrive_ids) - start)
            part = flat[start * width : (start + rows) * width]
            conn.exec_driver_sql(multi_row(sql, rows), tuple(part))
    except DBAPIError as batch_error:
        if not is_record_error(batch_error):
            raise
        pending = [
            Pending(pipedrive_id, tuple(flat[at * width : (at + 1) * width]), True, True)
            for at, pipedrive_id in enumerate(pipedrive_ids)
        ]
        write_rows(conn, entity, sql, pending, counts)
        return
    counts.created += len(pipedrive_ids)


class Unchanged(NamedTuple):
    """The second an incremental pass begins at, as Pipedrive's items and the mirror's
    rows write it: records of that second the mirror holds as they are can be left
    unparsed (``updated_since`` is inclusive, so they come again on every run)."""

    #: As Pipedrive writes times: ``2025-01-01T10:20:00Z``.
    update_time: str
    #: As the mirror keeps them: ``2025-01-01 10:20:00.000000``.
    stored: str


class EntityWriter(Generic[R, V]):
    """What the sync needs per entity: parse and prepare items, find ids, write pages.

    ``V`` is the record's values in store form, as ``prepare`` gives them.
    """

    entity: ClassVar[Entity]
    record_type: ClassVar[type[Any]]
    #: The table holding the Pipedrive ids the mirror has of this entity.
    id_table: ClassVar[EntityColumns]
    #: Extra query parameters for this entity's listings.
    listing_params: ClassVar[dict[str, str]] = {}
    #: Indexes a listing into an empty table drops and builds again with its last page:
    #: far cheaper than keeping them current row by row on keys that arrive in no order.
    #: Those read only by the derived data ``finish_listing`` recomputes, or, with
    #: ``defer_every_index``, every index of the table but the unique ones (an upsert
    #: needs those) and those the contact list's reads pin (`ORDER_INDEX_NAMES`: the
    #: window shows the first pages while the listing runs, and without them each of its
    #: reads would sort every contact listed so far on the window's thread).
    deferred_indexes: ClassVar[tuple[str, ...]] = ()
    defer_every_index: ClassVar[bool] = False

    @property
    def ids_sql(self) -> str:
        """``SELECT <pipedrive id> AS pid FROM ...``: the Pipedrive ids the mirror holds."""
        return f"SELECT {self.id_table.pipedrive_id} AS pid FROM {self.id_table.table}"

    def parse(self, item: Mapping[str, Any]) -> R:
        """One API item as a record; raises ValueError for a bad one."""
        return self.record_type.from_api(item)  # type: ignore[no-any-return]

    def prepare(self, record: R, now: str) -> V:
        """The record's own values in store form; ValueError if the store cannot keep them."""
        raise NotImplementedError

    def is_gone(self, record: R) -> bool:
        """Whether the record says it was deleted in Pipedrive."""
        return bool(record.is_deleted)

    def unchanged_at(self, watermark: datetime | None) -> Unchanged | None:
        """What an incremental pass from ``watermark`` (naive UTC) may leave unparsed.

        ``updated_since`` is whole seconds and inclusive, so the records of the
        watermark's second come again on every run (after a bulk change in Pipedrive,
        thousands): they would be parsed only for ``write`` to find them unchanged and
        skip them. None when the entity's rows keep no update time, or the watermark is
        not a whole second (then no item's time could be told equal by its text alone).
        """
        if self.id_table.changed_by is None or watermark is None or watermark.microsecond:
            return None
        return Unchanged(format_api_time(watermark), to_text(watermark))

    def may_be_unchanged(self, item: Mapping[str, Any], unchanged: Unchanged) -> bool:
        """Whether the raw ``item`` is of ``unchanged``'s second and not deleted (deleted
        within that same second, it must still be taken away)."""
        return item.get("update_time") == unchanged.update_time and item.get("is_deleted") is False

    def held_as_they_are(
        self, conn: Connection, pipedrive_ids: Collection[int], unchanged: Unchanged
    ) -> set[int]:
        """Those of ``pipedrive_ids`` whose row Pipedrive last changed in ``unchanged``'s
        second: one lookup by the unique Pipedrive id, not a scan by update time."""
        table = self.id_table
        wanted = sorted({i for i in pipedrive_ids if INT64_MIN <= i <= INT64_MAX})
        if not wanted or table.changed_by is None:
            return set()
        # One JSON value, not a row at a time: each row fetched would wait for the
        # interpreter lock again, held by the threads parsing and writing meanwhile.
        found = conn.exec_driver_sql(
            f"SELECT json_group_array({table.pipedrive_id}) FROM {table.table}"
            f" WHERE {table.pipedrive_id} IN (SELECT value FROM json_each(?))"
            f" AND {table.changed_by} = ?",
            (json.dumps(wanted), unchanged.stored),
        ).scalar()
        return set(json.loads(found)) if found else set()

    def deferrable_indexes(self, conn: Connection) -> dict[str, str]:
        """Name → ``CREATE INDEX`` statement of the ``deferred_indexes`` that exist."""
        if self.defer_every_index:
            return {
                str(name): str(sql)
                for name, sql in conn.exec_driver_sql(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                    " AND tbl_name = ? AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %'",
                    (self.id_table.table,),
                )
                if name not in ORDER_INDEX_NAMES
            }
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
        records: Sequence[tuple[R, V]],
        gone: Collection[int],
        *,
        listing: bool,
        rewrite: bool,
        now: datetime,
        fresh: bool = False,
        ids: IdCache | None = None,
    ) -> PageCounts:
        """Delete the Pipedrive ids ``gone``, upsert the (record, prepared) pairs.

        Rows whose Pipedrive update time matches the mirror's are skipped unless
        ``rewrite``; ``listing`` leaves derived data to ``finish_listing``; ``fresh``
        says the mirror holds none of the records, so there is nothing to look up;
        ``ids`` keeps the links looked up by earlier pages (see ``IdCache``).
        """
        raise NotImplementedError

    def finish_listing(self, session: Session) -> None:
        """Recompute derived data once, when a full listing of this entity completes."""
