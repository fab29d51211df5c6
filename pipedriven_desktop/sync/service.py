"""The sync service: Pipedrive into the local mirror, one committed page at a time.

Order: the signed-in user (owner id of My-500) and the company's users (owner names),
then the outbox (the user's actions, sent in order before anything is pulled; see
``sync.outbox_sender``), organizations, persons mapped to them,
activities and deals pointing at both, then warmness scores.

Incremental: each entity is listed with ``updated_since`` = its watermark (the largest
``update_time`` committed) sorted by ``update_time``; each page is written in one
transaction together with the new watermark, so a crash, kill or cancel between pages
loses nothing and the next run resumes from there. The boundary item comes again and
is skipped as unchanged.

Full listing (an entity's first sync, ``full=True``, or a changed record-to-row
mapping): by id, ascending, reconciling deletions page by page. A page covering ids
(after, last] finds what the mirror holds in that range and the page does not list;
the last page covers everything above, so no table of seen ids is needed. Absence
alone never deletes: how Pipedrive pages is its own affair (a cursor that counts
positions skips items when others are deleted meanwhile), so those ids are asked for
by name, up to 100 a request, and only the ones Pipedrive no longer returns (or
returns as deleted) are removed; the ones it returns are written as listed. The cursor
and position are committed with each page (pages past what the mirror held, a few at
a time: ``page_group``), and a run begins every listing it needs
before walking any, so a run that stops part-way (killed, cancelled, failed) leaves
each listing to be resumed by the next run of either kind. Changes made while a
listing runs are caught by an incremental pass from the newest ``update_time``
Pipedrive had when the listing began. Rows Pipedrive has not changed are skipped
unless the mapping changed; derived data (``last_contacted``, organization counters,
scores) is recomputed once, with the listing's last page. Past the highest id the
mirror held when a listing began there is nothing to look up or reconcile; a listing
into an empty table also drops the indexes only that derived data reads
(``EntityWriter.deferred_indexes``) and builds them once, with its last page.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from pipedriven_desktop.pipedrive.client import PAGE_LIMIT, Page, PipedriveClient
from pipedriven_desktop.pipedrive.errors import (
    BadResponseError,
    PipedriveError,
    RequestRejectedError,
)
from pipedriven_desktop.pipedrive.records import parse_api_time
from pipedriven_desktop.redaction import redact
from pipedriven_desktop.store.clock import from_store, parse_text, to_store, to_text
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.errors import user_error
from pipedriven_desktop.store.meta import (
    LEAD_STATUS_FIELD_KEY,
    MAPPING_KEY,
    OWNER_KEY,
    get_meta,
    set_meta,
)
from pipedriven_desktop.store.models import new_id
from pipedriven_desktop.store.users import UserEntry, save_users
from pipedriven_desktop.store.writer_lock import writer_lock
from pipedriven_desktop.sync.mapping import INT64_MAX, INT64_MIN, chunked, fits_int64
from pipedriven_desktop.sync.org_fields import labels_due, sync_industry_labels
from pipedriven_desktop.sync.outbox_sender import SendReport, reapply_pending, send_outbox
from pipedriven_desktop.sync.page_group import PageGroup
from pipedriven_desktop.sync.prefetch import Prefetcher
from pipedriven_desktop.sync.scoring import rescore
from pipedriven_desktop.sync.writers import EntityWriter, PageCounts, writers
from pipedriven_desktop.sync.writers.common import IdCache, Unchanged
from pipedriven_desktop.sync.writers.indexes import drop_indexes, restore_indexes
from pipedriven_desktop.sync.writers.suggestions import record_pending_suggestions

__all__ = [
    "CANCELLED",
    "LEAD_STATUS_FIELD_KEY",
    "SCORES",
    "SyncCancelledError",
    "SyncProgress",
    "SyncResult",
    "run_sync",
]

log = logging.getLogger(__name__)

#: The error text a cancelled run records in ``sync_runs``.
CANCELLED = "cancelled"
#: The pseudo-entity reported while scores are recomputed.
SCORES = "scores"
#: Raise when the mapping from Pipedrive records to rows changes: the next sync then
#: rewrites every row instead of only those Pipedrive changed.
MAPPING_VERSION = 3
#: Ids a v2 listing accepts in its ``ids`` filter.
IDS_PER_REQUEST = 100
#: Parsed pages a listing begun ahead of its turn may hold (``_list_next_entity_ahead``):
#: enough to keep parsing through the seconds the listing before it ends with.
AHEAD_PAGES = 64


@dataclass(frozen=True)
class SyncProgress:
    entity: str
    done: int
    total: int | None = None


@dataclass(frozen=True)
class SyncResult:
    kind: str
    requests: int
    fetched: int
    created: int
    updated: int
    deleted: int
    failed: int
    seconds: float
    #: Outbox actions Pipedrive now has, and those it refused (kept for the user).
    sent: int = 0
    refused: int = 0


class SyncCancelledError(Exception):
    """The run stopped between pages because it was asked to; what it wrote is kept."""

    def __init__(self) -> None:
        super().__init__(CANCELLED)


def run_sync(
    db: Database,
    client: PipedriveClient,
    *,
    full: bool = False,
    progress: Callable[[SyncProgress], None] | None = None,
    should_cancel: Callable[[], bool] | None = None,
    now: Callable[[], datetime] | None = None,
    lead_status_field: str | None = None,
    page_size: int = PAGE_LIMIT,
    pages_per_commit: int | None = None,
) -> SyncResult:
    """Bring the mirror up to date with Pipedrive and record the run in ``sync_runs``.

    Raises the client's PipedriveError (the run's row records its message), a
    DatabaseError saying what keeps the mirror from being written (full, locked,
    read-only, damaged; the failing page is rolled back), or SyncCancelledError
    after the page during which ``should_cancel`` became true.
    ``lead_status_field`` names the persons' custom field with the lead status; by
    default it is read from app_meta. ``page_size`` is the listings' ``limit``.
    ``pages_per_commit``: how many new pages of a listing share a commit (None: as
    `page_group` groups them; 1: each page, for a window that shows the contacts of
    each page as the ``progress`` after it arrives).
    Raises SyncBusyError, before any request or write, while another sync holds the mirror.
    """
    with writer_lock(db.path):
        return _Run(
            db,
            client,
            full=full,
            progress=progress,
            should_cancel=should_cancel,
            clock=now or _utcnow,
            lead_status_field=lead_status_field,
            page_size=page_size,
            pages_per_commit=pages_per_commit,
        ).run()


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class _EntityState:
    """One ``sync_state`` row, as the run reads and writes it."""

    entity: str
    watermark: datetime | None = None
    full_run_id: str | None = None
    full_cursor: str | None = None
    completed_at: datetime | None = None

    def save(self, conn: Connection) -> None:
        conn.exec_driver_sql(
            "INSERT INTO sync_state (entity, watermark, full_run_id, full_cursor, completed_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (entity) DO UPDATE SET"
            " watermark = excluded.watermark, full_run_id = excluded.full_run_id,"
            " full_cursor = excluded.full_cursor, completed_at = excluded.completed_at",
            (
                self.entity,
                to_text(self.watermark),
                self.full_run_id,
                self.full_cursor,
                to_text(self.completed_at),
            ),
        )


@dataclass
class _Listing:
    """Where a full listing stands; kept as JSON in ``sync_state.full_cursor``.

    ``after_id``: every id up to it is reconciled. ``since``: the newest ``update_time``
    Pipedrive had when the listing began, where the catch-up pass starts. ``ordered``
    turns false if Pipedrive ever returns ids out of order, which stops deletions.
    ``rewrite``: write unchanged rows too (the mapping changed when the listing began).
    ``local_max``: the highest Pipedrive id the mirror held when the listing began (None:
    none), if ``local_max_known``; past it a page finds nothing of its own in the mirror.
    ``deferred``: indexes dropped for the listing (name → statement), built again with
    its last page.
    """

    cursor: str | None = None
    after_id: int | None = None
    since: datetime | None = None
    ordered: bool = True
    rewrite: bool = False
    local_max: int | None = None
    local_max_known: bool = False
    deferred: dict[str, str] = field(default_factory=dict)

    def fresh(self) -> bool:
        """Whether the mirror cannot hold any id of the next page: it held none above
        ``local_max`` when the listing began, and the listing wrote only ids up to
        ``after_id`` since, in order."""
        if not (self.ordered and self.local_max_known):
            return False
        if self.local_max is None:
            return True
        return self.after_id is not None and self.after_id >= self.local_max

    def dumps(self) -> str:
        return json.dumps(
            {
                "cursor": self.cursor,
                "after_id": self.after_id,
                "since": to_text(self.since),
                "ordered": self.ordered,
                "rewrite": self.rewrite,
                **({"local_max": self.local_max} if self.local_max_known else {}),
                **({"deferred": self.deferred} if self.deferred else {}),
            }
        )

    @classmethod
    def loads(cls, text: str | None) -> _Listing:
        try:
            data = json.loads(text or "{}")
            return cls(
                cursor=data.get("cursor"),
                after_id=data.get("after_id"),
                since=parse_text(data.get("since")),
                ordered=bool(data.get("ordered", True)),
                rewrite=bool(data.get("rewrite", False)),
                local_max=_int_or_none(data.get("local_max")),
                local_max_known="local_max" in data,
                deferred={
                    str(name): str(sql) for name, sql in (data.get("deferred") or {}).items()
                },
            )
        except (ValueError, TypeError, AttributeError):
            return cls()


@dataclass
class _Parsed:
    #: (record, its values in store form) for every record that is not a deletion.
    live: list[tuple[Any, Any]] = field(default_factory=list)
    gone: set[int] = field(default_factory=set)
    #: Every id the page listed, bad records included (they must not be reconciled away).
    seen: set[int] = field(default_factory=set)
    newest: datetime | None = None
    #: Ids (or, without one, stand-ins) of the records that could not be parsed.
    failed: list[object] = field(default_factory=list)
    #: The storable ids the page listed, in its order, and how many items it held: the
    #: page's own items are let go once parsed (``_pages``).
    ids: list[int] = field(default_factory=list)
    listed: int = 0

    def merge(self, other: _Parsed) -> None:
        self.live.extend(other.live)
        self.gone |= other.gone
        self.seen |= other.seen
        self.failed.extend(other.failed)


class _Run:
    def __init__(
        self,
        db: Database,
        client: PipedriveClient,
        *,
        full: bool,
        progress: Callable[[SyncProgress], None] | None,
        should_cancel: Callable[[], bool] | None,
        clock: Callable[[], datetime],
        lead_status_field: str | None,
        page_size: int,
        pages_per_commit: int | None = None,
    ) -> None:
        self.db = db
        self.client = client
        self.full = full
        self.progress = progress
        self.should_cancel = should_cancel
        self.clock = clock
        self.lead_status_field = lead_status_field
        self.page_size = page_size
        self.pages_per_commit = pages_per_commit
        self.run_id = new_id()
        self.totals = PageCounts()
        self.failures: set[tuple[str, object]] = set()
        self.fetched = 0
        self.done: dict[str, int] = {}
        self.requests_before = client.requests_made
        self.now = self._now()
        #: The client serves one thread at a time: the prefetching worker, or this one.
        self.client_lock = threading.Lock()
        self.outbox = SendReport()
        #: Incremental passes already asking Pipedrive, by entity (``_ask_every_entity_at_once``).
        self.asking: dict[str, Prefetcher[tuple[Page, _Parsed]]] = {}
        #: Listings already asking Pipedrive, by entity, with the cursor each began at
        #: (``_list_next_entity_ahead``), and where their prefetchers are closed.
        self.listing_ahead: dict[str, tuple[str | None, Prefetcher[tuple[Page, _Parsed]]]] = {}
        self.ahead = contextlib.ExitStack()
        #: The run's writers, in sync order.
        self.order: tuple[EntityWriter[Any, Any], ...] = ()
        #: Links looked up by earlier pages (``IdCache``); only this run writes meanwhile.
        self.ids = IdCache()

    # --- The run ------------------------------------------------------------------------------

    def run(self) -> SyncResult:
        started = time.perf_counter()
        states = self._states()
        field_key = self.lead_status_field or self._meta(LEAD_STATUS_FIELD_KEY)
        signature = f"{MAPPING_VERSION}|{field_key or ''}"
        # Rows written under another mapping are stale without any change in Pipedrive:
        # list everything again and rewrite every row.
        rewrite = self._meta(MAPPING_KEY) != signature
        to_list = [
            w for w in writers() if self.full or rewrite or _never_listed(states.get(w.entity))
        ]
        resuming = any(s.full_run_id is not None for s in states.values())
        kind = "full" if to_list or resuming else "incremental"
        self._start(kind)
        try:
            self._sync_owner()
            if kind == "full" or labels_due(self.db, self.now):
                sync_industry_labels(self.client, self.db, self.now)
            self._check_cancel()
            self.outbox = send_outbox(
                self.db, self.client, now=self._now_aware, should_cancel=self.should_cancel
            )
            # Every listing this run needs is begun before any is walked, so a run that
            # stops part-way leaves each of them for the next run to resume.
            for writer in to_list:
                self._begin_listing(writer, rewrite)
            if rewrite:
                with self.db.session() as session:
                    set_meta(session.connection(), MAPPING_KEY, signature)
            with contextlib.ExitStack() as early:
                self.ahead = early
                early.callback(self.listing_ahead.clear)
                if kind == "incremental":
                    self._ask_every_entity_at_once(early, writers(field_key), states)
                self.order = writers(field_key)
                for writer in self.order:
                    self._check_cancel()
                    self._sync_entity(writer)
                    if writer.entity == "persons":
                        with self.db.session() as session:
                            record_pending_suggestions(session, self.now)
            self._check_cancel()
            reapply_pending(self.db)
            rescore(self.db, self._now_aware(), self._report_scores)
        except SyncCancelledError:
            self._finish(CANCELLED)
            raise
        except PipedriveError as exc:
            self._finish(exc.message)
            raise
        except DBAPIError as exc:
            # A full disk, a lock, I/O, damage: one line saying which; the page that met
            # it was rolled back, so what was committed before it is whole.
            error = user_error(self.db.path, exc, "write to")
            if error is None:
                self._finish(f"The local database failed: {exc.orig}")
                raise
            self._finish(str(error))
            raise error from exc
        except Exception as exc:
            self._finish(f"Sync failed unexpectedly ({type(exc).__name__}: {exc})")
            raise
        except BaseException:
            self._finish("interrupted")
            raise
        self._finish(None)
        result = SyncResult(
            kind=kind,
            requests=self.client.requests_made - self.requests_before,
            fetched=self.fetched,
            created=self.totals.created,
            updated=self.totals.updated,
            deleted=self.totals.deleted,
            failed=len(self.failures),
            seconds=time.perf_counter() - started,
            sent=self.outbox.sent,
            refused=self.outbox.refused,
        )
        log.info("Sync finished: %s", result)
        return result

    def _sync_owner(self) -> None:
        """Store the signed-in user's id (the owner whose contacts make My-500) and every
        user's name (one request), so contacts show their owner."""
        user = self.client.me()
        try:
            users = [UserEntry(u.id, u.name, u.email, u.active) for u in self.client.users()]
        except (RequestRejectedError, BadResponseError) as exc:
            # Names are a courtesy: a refused or garbled listing costs them, not the sync.
            log.warning("Could not list Pipedrive's users: %s", exc)
            users = []
        with self.db.session() as session:
            set_meta(session.connection(), OWNER_KEY, str(user.id))
            save_users(session.connection(), users, self.now)

    def _sync_entity(self, writer: EntityWriter[Any, Any]) -> None:
        state = self._states().get(writer.entity) or _EntityState(writer.entity)
        if state.full_run_id is not None:
            self._full_listing(writer, state)
        self._incremental(writer, state)

    # --- Full listing -------------------------------------------------------------------------

    def _begin_listing(self, writer: EntityWriter[Any, Any], rewrite: bool) -> None:
        """Ask where Pipedrive's changes stand now, then commit the start of a listing."""
        since = self._newest_update_time(writer)
        with self.db.session() as session:
            conn = session.connection()
            state = self._states().get(writer.entity) or _EntityState(writer.entity)
            # A listing begun again still owes the indexes the one before it dropped.
            owed = _Listing.loads(state.full_cursor).deferred if state.full_run_id else {}
            local_max = writer.local_max_id(conn)
            dropping = writer.deferrable_indexes(conn) if local_max is None else {}
            state.full_run_id = self.run_id
            state.full_cursor = _Listing(
                since=since,
                rewrite=rewrite,
                local_max=local_max,
                local_max_known=True,
                deferred={**owed, **dropping},
            ).dumps()
            # Saved first: it opens the transaction the indexes are dropped in.
            state.save(conn)
            drop_indexes(conn, dropping)

    def _newest_update_time(self, writer: EntityWriter[Any, Any]) -> datetime | None:
        """The newest ``update_time`` Pipedrive holds for the entity: one request."""
        pages = self.client.iter_pages(
            writer.entity,
            sort_by="update_time",
            sort_direction="desc",
            limit=1,
            extra=writer.listing_params,
        )
        page = next(pages, None)
        close = getattr(pages, "close", None)
        if close is not None:
            close()
        if page is None or not page.items:
            return None
        try:
            return to_store(parse_api_time(page.items[0].get("update_time")))
        except ValueError:
            return None

    def _full_listing(self, writer: EntityWriter[Any, Any], state: _EntityState) -> None:
        listing = _Listing.loads(state.full_cursor)
        while True:
            start = listing.cursor
            try:
                self._walk_listing(writer, state, listing)
                return
            except RequestRejectedError:
                if start is None or listing.cursor != start:
                    raise  # refused mid-walk, or at the very start: not an old page marker
                # An old page marker Pipedrive no longer accepts: list again from the start.
                log.info(
                    "Restarting the full listing of %s: its page marker expired", writer.entity
                )
                listing = _Listing(
                    since=listing.since, rewrite=listing.rewrite, deferred=listing.deferred
                )

    def _walk_listing(
        self, writer: EntityWriter[Any, Any], state: _EntityState, listing: _Listing
    ) -> None:
        with contextlib.ExitStack() as stack:
            ahead = self.listing_ahead.pop(writer.entity, None)
            if ahead is not None and ahead[0] == listing.cursor:
                pages = ahead[1]  # closed by the run in any case
                stack.callback(pages.close)
            else:
                if ahead is not None:
                    ahead[1].close()
                pages = stack.enter_context(self._listing_pages(writer, listing.cursor))
            group = PageGroup(self.db, pages=self.pages_per_commit)
            try:
                for page, parsed in pages:
                    self._write_listing_page(writer, state, listing, page, parsed, group)
            finally:
                group.commit()  # whole pages only: one that failed was rolled back

    def _listing_pages(
        self, writer: EntityWriter[Any, Any], cursor: str | None, depth: int = 1
    ) -> Prefetcher[tuple[Page, _Parsed]]:
        extra = dict(writer.listing_params)
        if cursor:
            extra["cursor"] = cursor
        return self._pages(writer, depth=depth, sort_by="id", sort_direction="asc", extra=extra)

    def _list_next_entity_ahead(self, writer: EntityWriter[Any, Any]) -> None:
        """Start the listing of the entity after ``writer`` now, if this run owes one.

        Called with a listing's last page: writing it builds the indexes and search index
        the listing set aside, seconds inside SQLite, and the catch-up pass follows. The
        next listing's pages are asked for and parsed meanwhile, up to ``AHEAD_PAGES`` of
        them, on the other core; its pages are still written in entity order.
        """
        entities = [w.entity for w in self.order]
        if writer.entity not in entities:
            return
        following = self.order[entities.index(writer.entity) + 1 :]
        if not following or following[0].entity in self.listing_ahead:
            return
        after = following[0]
        state = self._states().get(after.entity)
        if state is None or state.full_run_id is None:
            return
        cursor = _Listing.loads(state.full_cursor).cursor
        pages = self.ahead.enter_context(self._listing_pages(after, cursor, depth=AHEAD_PAGES))
        self.listing_ahead[after.entity] = (cursor, pages)

    def _write_listing_page(
        self,
        writer: EntityWriter[Any, Any],
        state: _EntityState,
        listing: _Listing,
        page: Page,
        parsed: _Parsed,
        group: PageGroup,
    ) -> None:
        ids = parsed.ids
        if listing.ordered and not _ascending(ids, listing.after_id):
            log.warning(
                "Pipedrive listed %s out of id order; deletions are not reconciled this time",
                writer.entity,
            )
            listing.ordered = False
        upto = None if page.is_last else (max(ids) if ids else listing.after_id)
        if page.is_last:
            self._list_next_entity_ahead(writer)
        # Past what the mirror held when the listing began, there is nothing to look up.
        fresh = listing.fresh()
        if listing.ordered and (page.is_last or ids) and not fresh:
            with self.db.engine.connect() as conn:
                absent = writer.local_ids_between(conn, listing.after_id, upto) - parsed.seen
            if absent:
                parsed.merge(self._ask_for(writer, absent))
                parsed.gone |= absent - parsed.seen
        # Fresh pages share a transaction a few at a time (``PageGroup``).
        session = group.session()
        try:
            conn = session.connection()
            counts = self._write_page(
                writer, session, parsed, listing=True, rewrite=listing.rewrite, fresh=fresh
            )
            if page.is_last:
                restore_indexes(conn, listing.deferred)
                writer.finish_listing(session)
                state.watermark = listing.since
                state.full_run_id = None
                state.full_cursor = None
                state.completed_at = self.now
            else:
                listing.cursor = page.next_cursor
                listing.after_id = upto
                state.full_cursor = listing.dumps()
            state.save(conn)
        except BaseException as exc:
            group.roll_back(exc)
            raise
        group.page_written(keep_open=fresh and not page.is_last)
        self._after_page(writer.entity, parsed, counts)

    def _ask_for(self, writer: EntityWriter[Any, Any], ids: set[int]) -> _Parsed:
        """What Pipedrive holds now of ``ids``, parsed: the records it returns are live
        (or say they were deleted); the ones it does not return are gone."""
        found = _Parsed()
        for batch in chunked(sorted(ids), IDS_PER_REQUEST):
            extra = {**writer.listing_params, "ids": ",".join(map(str, batch))}
            with self.client_lock:
                pages = list(
                    self.client.iter_pages(
                        writer.entity, sort_by="id", limit=IDS_PER_REQUEST, extra=extra
                    )
                )
            for page in pages:
                self.fetched += len(page.items)
                found.merge(self._parse(writer, page))
        # Only what was asked for counts: an id outside ``ids`` is no answer about them.
        found.live = [(record, values) for record, values in found.live if record.id in ids]
        found.gone &= ids
        found.seen &= ids
        return found

    # --- Incremental --------------------------------------------------------------------------

    def _ask_every_entity_at_once(
        self,
        stack: contextlib.ExitStack,
        entity_writers: tuple[EntityWriter[Any, Any], ...],
        states: Mapping[str, _EntityState],
    ) -> None:
        """Start every entity's incremental pass now, each on a client of its own.

        A run with no listing is a handful of small requests, one entity after another;
        asked together, Pipedrive's answers arrive meanwhile, and the pages are still
        written in entity order. Four requests at once stay within the burst budget, and
        each client keeps the retries and waits of one (``PipedriveClient.sibling``).
        """
        for writer in entity_writers:
            client = self.client.sibling()
            stack.callback(client.close)
            state = states.get(writer.entity) or _EntityState(writer.entity)
            pages = self._incremental_pages(writer, state, client, threading.Lock())
            self.asking[writer.entity] = stack.enter_context(pages)
        stack.callback(self.asking.clear)

    def _incremental_pages(
        self,
        writer: EntityWriter[Any, Any],
        state: _EntityState,
        client: PipedriveClient | None = None,
        lock: threading.Lock | None = None,
    ) -> Prefetcher[tuple[Page, _Parsed]]:
        return self._pages(
            writer,
            client=client,
            lock=lock,
            unchanged=writer.unchanged_at(state.watermark),
            updated_since=from_store(state.watermark),
            sort_by="update_time",
            sort_direction="asc",
            extra=writer.listing_params,
        )

    def _incremental(self, writer: EntityWriter[Any, Any], state: _EntityState) -> None:
        asking = self.asking.pop(writer.entity, None)
        with contextlib.ExitStack() as stack:
            if asking is None:
                pages = stack.enter_context(self._incremental_pages(writer, state))
            else:
                pages = asking  # already started, and closed by the run in any case
                stack.callback(asking.close)
            for page, parsed in pages:
                self._write_incremental_page(writer, state, page, parsed)

    def _write_incremental_page(
        self, writer: EntityWriter[Any, Any], state: _EntityState, page: Page, parsed: _Parsed
    ) -> None:
        with self.db.session() as session:
            conn = session.connection()
            counts = self._write_page(writer, session, parsed, listing=False, rewrite=False)
            if parsed.newest is not None and (
                state.watermark is None or parsed.newest > state.watermark
            ):
                state.watermark = parsed.newest
            state.save(conn)
        self._after_page(writer.entity, parsed, counts)

    def _write_page(
        self,
        writer: EntityWriter[Any, Any],
        session: Session,
        parsed: _Parsed,
        *,
        listing: bool,
        rewrite: bool,
        fresh: bool = False,
    ) -> PageCounts:
        """``writer.write`` with the run's ``IdCache``: what it holds of the writer's own
        table is dropped before the page (about to change) and after it (changed)."""
        table = writer.id_table.table
        self.ids.forget(table)
        try:
            return writer.write(
                session,
                parsed.live,
                parsed.gone,
                listing=listing,
                rewrite=rewrite,
                now=self.now,
                fresh=fresh,
                ids=self.ids,
            )
        finally:
            self.ids.forget(table)

    # --- Pages --------------------------------------------------------------------------------

    def _pages(
        self,
        writer: EntityWriter[Any, Any],
        client: PipedriveClient | None = None,
        lock: threading.Lock | None = None,
        unchanged: Unchanged | None = None,
        depth: int = 1,
        **listing: Any,
    ) -> Prefetcher[tuple[Page, _Parsed]]:
        """The entity's pages, each parsed, ahead of the writes (up to ``depth`` of them).

        Two stages, each a thread of its own: one asks for the next page while the other
        parses the page before it, so Pipedrive's time to answer overlaps the parsing.
        Records ``unchanged`` names are left out unparsed (``_parse``).
        """

        api = client or self.client
        api_lock = lock or self.client_lock

        def fetch() -> Iterator[Page]:
            pages = api.iter_pages(writer.entity, limit=self.page_size, **listing)
            try:
                while True:
                    with api_lock:
                        page = next(pages, None)
                    if page is None:
                        return
                    yield page
            finally:
                close = getattr(pages, "close", None)
                if close is not None:
                    close()

        def produce() -> Iterator[tuple[Page, _Parsed]]:
            with Prefetcher(fetch) as pages:
                for page in pages:
                    parsed = self._parse(writer, page, unchanged)
                    # Its raw items, about as large again as the parsed records, are not
                    # kept while the page waits its turn.
                    yield Page(page.entity, [], page.next_cursor, page.number), parsed

        return Prefetcher(produce, depth)

    def _parse(
        self, writer: EntityWriter[Any, Any], page: Page, unchanged: Unchanged | None = None
    ) -> _Parsed:
        """Parse a page and put its records in store form; bad records are logged (by id
        and reason only) and left out, and so are the records the mirror holds as they
        are (``unchanged``, see ``EntityWriter.unchanged_at``): their writer would skip
        them. Runs in the fetching thread, which reads the mirror only for those."""
        parsed = _Parsed()
        held: set[int] = set()
        if unchanged is not None:
            candidates = [
                item_id
                for item in page.items
                if writer.may_be_unchanged(item, unchanged)
                and (item_id := _item_id(item)) is not None
            ]
            if candidates:
                with self.db.engine.connect() as conn:
                    held = writer.held_as_they_are(conn, candidates, unchanged)
        stamp = to_text(self.now)
        assert stamp is not None
        # Records' times are aware UTC: compared as they are, the newest converted once.
        newest: datetime | None = None
        parsed.listed = len(page.items)
        for item in page.items:
            item_id = _item_id(item)
            if item_id is not None:
                parsed.seen.add(item_id)
                if INT64_MIN <= item_id <= INT64_MAX:
                    parsed.ids.append(item_id)
            if item_id in held:
                continue
            try:
                record = writer.parse(item)
                gone = writer.is_gone(record)
                prepared = None if gone else writer.prepare(record, stamp)
            except ValueError as exc:
                log.warning("Skipped %s %s: %s", writer.entity, item_id, exc)
                parsed.failed.append(object() if item_id is None else item_id)
                # Still committed as seen: a record that stays bad is not fetched forever.
                self._note_update_time(parsed, _raw_update_time(item))
                continue
            moment = record.update_time
            if moment is not None and (newest is None or moment > newest):
                newest = moment
            if gone:
                if fits_int64(record.id):
                    parsed.gone.add(record.id)
            else:
                parsed.live.append((record, prepared))
        self._note_update_time(parsed, to_store(newest))
        return parsed

    @staticmethod
    def _note_update_time(parsed: _Parsed, moment: datetime | None) -> None:
        if moment is not None and (parsed.newest is None or moment > parsed.newest):
            parsed.newest = moment

    def _after_page(self, entity: str, parsed: _Parsed, counts: PageCounts) -> None:
        self.totals.add(counts)
        # A record that fails in a listing and again in its catch-up pass counts once.
        for failure in (*parsed.failed, *counts.refused):
            self.failures.add((entity, failure))
        self.fetched += parsed.listed
        self.done[entity] = self.done.get(entity, 0) + parsed.listed
        if self.progress is not None:
            self.progress(SyncProgress(entity, self.done[entity], None))
        self._check_cancel()

    def _report_scores(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(SyncProgress(SCORES, done, total))

    def _check_cancel(self) -> None:
        if self.should_cancel is not None and self.should_cancel():
            raise SyncCancelledError

    # --- Bookkeeping --------------------------------------------------------------------------

    def _now(self) -> datetime:
        moment = to_store(self.clock())
        assert moment is not None
        return moment

    def _now_aware(self) -> datetime:
        return self.now.replace(tzinfo=UTC)

    def _states(self) -> dict[str, _EntityState]:
        with self.db.engine.connect() as conn:
            rows = conn.exec_driver_sql(
                "SELECT entity, watermark, full_run_id, full_cursor, completed_at FROM sync_state"
            )
            return {
                entity: _EntityState(
                    entity, parse_text(mark), run_id, cursor, parse_text(completed)
                )
                for entity, mark, run_id, cursor, completed in rows
            }

    def _meta(self, key: str) -> str | None:
        with self.db.engine.connect() as conn:
            return get_meta(conn, key)

    def _start(self, kind: str) -> None:
        with self.db.session() as session:
            session.connection().exec_driver_sql(
                "INSERT INTO sync_runs (id, kind, started, requests, fetched, created, updated,"
                " deleted, failed) VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0)",
                (self.run_id, kind, to_text(self.now)),
            )

    def _finish(self, error: str | None) -> None:
        """Close the run's row; never hides the error that ended the run.

        The error is masked here too, whatever built it: an unexpected exception's text
        may quote a secret, and ``sync_runs`` is read by the window and ``stats``.
        """
        if error is not None:
            error = redact(error)
        try:
            with self.db.session() as session:
                session.connection().exec_driver_sql(
                    "UPDATE sync_runs SET finished = ?, requests = ?, fetched = ?, created = ?,"
                    " updated = ?, deleted = ?, failed = ?, error = ? WHERE id = ?",
                    (
                        to_text(self._now()),
                        self.client.requests_made - self.requests_before,
                        self.fetched,
                        self.totals.created,
                        self.totals.updated,
                        self.totals.deleted,
                        len(self.failures),
                        error,
                        self.run_id,
                    ),
                )
        except Exception:
            log.exception("Could not record the end of sync run %s", self.run_id)


def _item_id(item: Mapping[str, Any]) -> int | None:
    value = item.get("id")
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _never_listed(state: _EntityState | None) -> bool:
    """No full listing of the entity ever completed, and none is under way."""
    return state is None or (state.completed_at is None and state.full_run_id is None)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _raw_update_time(item: Mapping[str, Any]) -> datetime | None:
    try:
        return to_store(parse_api_time(item.get("update_time")))
    except ValueError:
        return None


def _ascending(ids: list[int], after: int | None) -> bool:
    previous = after
    for value in ids:
        if previous is not None and value <= previous:
            return False
        previous = value
    return True
