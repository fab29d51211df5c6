"""Read side of the mirror: My-500 pages, windows for the table, one contact's detail.

A page costs a fixed number of statements whatever its size (count, rows with
their organization, next activities, the 5 most recent activities of all rows at
once, sync status): no N+1. Identical reads with no write in between come from a
small cache; any commit, from this process or another, invalidates it.

Plain ``sqlite3`` on the database's per-thread read connection: these reads run
on the UI thread at start-up, before SQLAlchemy is ever imported.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from pipedriven_desktop.store import keyset
from pipedriven_desktop.store.clock import parse_text, utcnow
from pipedriven_desktop.store.contact_query import (
    ContactFilter,
    SortKey,
    fts_query,
    joins_organization,
    only_searches,
    order_sql,
    ordered_contacts,
    search_terms,
    where_sql,
)
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import OWNER_KEY, get_meta
from pipedriven_desktop.store.query_stats import note_cache_lookup, recorded
from pipedriven_desktop.store.rows import (
    ActivityRow,
    ContactPage,
    ContactRow,
    DealRow,
    OrganizationRef,
    OrganizationRow,
    Pagination,
    Performance,
    SyncStatus,
)
from pipedriven_desktop.store.score_breakdowns import BREAKDOWN_SQL
from pipedriven_desktop.store.score_history import score_moves_since
from pipedriven_desktop.store.search_walk import (
    TermShare,
    Walk,
    most_budget,
    narrows,
    narrows_at_start,
    plan_walk,
    walk_allowance,
)
from pipedriven_desktop.store.search_words import IndexedSearch, indexed_search

RECENT_ACTIVITIES = 5
#: A search's hits are read up to one more than this many, never all of them, to choose
#: how its page is found: up to this many (a narrow search) they are every hit, and the page
#: and the count come from them; beyond it the page is cut by walking the order's index
#: (see where_sql), and the exact count is left to a reader off the UI thread.
BROAD_SEARCH_HITS = 2000
#: A broad search in the My-500 order probes the search index contact by contact, walking
#: the order's index, when the page should be found within what reading its set of hits
#: would cost, or half its budget when that is more (``walk_allowance``): this many
#: contacts, or more when reading its set of hits would cost more (see search_walk); a walk
#: that passes it without filling the page gives way to the set of hits (see _walk_in_order).
WALK_BUDGET = 800
#: Contacts probed (at least; more for a sparse search, see search_walk) before the walk
#: first checks that it is on course.
FIRST_PROBES = 32
#: A walk passes a contact outside the rowids its search's hits span (the first and the
#: last hit) without a lookup; so many such contacts count as one lookup against its budget.
OUTSIDE_PER_TEST = 16
CACHE_SIZE = 32
#: Counts and search hits are small and read again by every headline: kept apart from
#: the pages, so a burst of keystrokes does not push the scope's count out.
COUNT_CACHE_SIZE = 64
_COUNT_KEYS = frozenset({"count", "hits", "first hits", "hit span", "sole owner"})
#: The table's arrow shows how far a score moved in this long.
SCORE_MOVE_PERIOD = timedelta(days=7)

_CONTACT_COLUMNS = (
    "c.id, c.pipedrive_person_id, c.name, c.email, c.phone, c.job_title, c.warmness_score,"
    f" {BREAKDOWN_SQL}, c.last_contacted, c.added_to_campaign, c.lead_status, c.created_at,"
    " o.id, o.name, o.pipedrive_org_id, u.name"
)
#: The organization and the owner's name (Pipedrive's users, mirrored) of each row.
_JOINS = (
    "LEFT JOIN organizations o ON o.id = c.organization_id LEFT JOIN users u ON u.id = c.owner_id"
)
_FROM = f"contacts c {_JOINS}"

# One correlated LIMIT per contact, served by ix_activities_contact_recent. CROSS JOIN
# pins the page as the outer loop: left to itself the planner may scan all activities.
_RECENT_ACTIVITIES_SQL = """
    SELECT a.id, a.contact_id, a.type, a.subject, a.due_date, a.done, a.add_time
      FROM json_each(?) AS page
      CROSS JOIN activities a
     WHERE a.rowid IN (
        SELECT b.rowid FROM activities b WHERE b.contact_id = page.value
         ORDER BY b.add_time DESC, b.id LIMIT ?
     )
"""
# The earliest open activity, an overdue one included: it is the one to act on first.
_NEXT_ACTIVITY_SQL = """
    SELECT page.value, (
        SELECT min(a.due_date) FROM activities a
         WHERE a.contact_id = page.value AND a.done = 0
    ) FROM json_each(?) AS page
"""
_SYNC_STATUS_SQL = """
    SELECT finished, kind, error,
           (SELECT max(finished) FROM sync_runs WHERE error IS NULL)
      FROM sync_runs ORDER BY started DESC LIMIT 1
"""
_ORGANIZATIONS_SQL = """
    SELECT id, name, normalized_name, pipedrive_org_id, contact_count, last_activity
      FROM organizations {where} ORDER BY contact_count DESC, normalized_name
"""


class ContactService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: OrderedDict[Hashable, tuple[tuple[int, int, int], Any]] = OrderedDict()
        self._counts: OrderedDict[Hashable, tuple[tuple[int, int, int], Any]] = OrderedDict()
        #: The words long search prefixes start, per connection (a count reads on its own
        #: thread) for the state of the index it last saw.
        self._words: dict[int, tuple[tuple[int, int, int], dict[str, tuple[str, ...] | None]]] = {}

    # -- public reads -------------------------------------------------------------------------

    @recorded("page")
    def page(
        self,
        contact_filter: ContactFilter,
        page: int = 1,
        limit: int = 50,
        *,
        with_activities: bool = True,
    ) -> ContactPage:
        """One page in the filter's order as the seed-style payload.

        Rows always carry their next activity; ``with_activities`` adds the 5 most
        recent activities of each.
        """
        if page < 1 or limit < 1:
            raise ValueError("page and limit must be positive")
        started = time.perf_counter()
        key = ("page", contact_filter, page, limit, with_activities)
        conn = self._db.reader()
        cached, token = self._cached(conn, key)
        if cached is not None:
            rows, total, status, query_ms = cached
            hit = True
        else:
            query_started = time.perf_counter()
            now = utcnow()
            total = self._cached_count(conn, contact_filter, now, token)
            rows = self._rows(
                conn, contact_filter, now, (page - 1) * limit, limit, recent=with_activities
            )
            status = self._sync_status(conn)
            query_ms = (time.perf_counter() - query_started) * 1000
            self._store(key, token, (rows, total, status, query_ms))
            hit = False
        return ContactPage(
            rows=rows,
            pagination=Pagination(page=page, limit=limit, total=total),
            sync_status=status,
            performance=Performance(
                query_ms=query_ms, cache_hit=hit, total_ms=(time.perf_counter() - started) * 1000
            ),
        )

    @recorded("window")
    def window(
        self, contact_filter: ContactFilter, offset: int, limit: int, *, with_next: bool = True
    ) -> tuple[ContactRow, ...]:
        """Rows ``offset``..``offset+limit`` for a table that fetches as it scrolls."""
        key = ("window", contact_filter, offset, limit, with_next)
        conn = self._db.reader()
        cached, token = self._cached(conn, key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        rows = self._rows(conn, contact_filter, utcnow(), offset, limit, next_activity=with_next)
        self._store(key, token, rows)
        return rows

    def after(
        self,
        contact_filter: ContactFilter,
        contact_id: str,
        limit: int,
        *,
        backwards: bool = False,
        with_next: bool = True,
    ) -> tuple[ContactRow, ...] | None:
        """Up to ``limit`` rows right after ``contact_id`` in the filter's order (right before
        it, nearest first, with ``backwards``), sought from its sort key: a page deep in the
        list costs what the first one does, unlike OFFSET. None when the contact is gone."""
        key = ("after", contact_filter, contact_id, limit, backwards, with_next)
        conn = self._db.reader()
        cached, token = self._cached(conn, key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        now = utcnow()
        rowids = keyset.seek_rowids(
            conn,
            contact_filter,
            now,
            contact_id,
            limit,
            backwards=backwards,
            broad=self._broad(conn, contact_filter),
        )
        rows = None if rowids is None else self._rows_in(conn, rowids, now, with_next)
        self._store(key, token, rows)
        return rows

    def from_end(
        self, contact_filter: ContactFilter, offset: int, limit: int, *, with_next: bool = True
    ) -> tuple[ContactRow, ...]:
        """Rows ``offset`` rows from the end onwards, last first (the reversed order's page):
        the end of the list costs what its start does."""
        key = ("from end", contact_filter, offset, limit, with_next)
        conn = self._db.reader()
        cached, token = self._cached(conn, key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        now = utcnow()
        rowids = keyset.tail_rowids(
            conn, contact_filter, now, offset, limit, broad=self._broad(conn, contact_filter)
        )
        rows = self._rows_in(conn, rowids, now, with_next)
        self._store(key, token, rows)
        return rows

    @recorded("count")
    def count(self, contact_filter: ContactFilter) -> int:
        return self._cached_count(self._db.reader(), contact_filter, utcnow())

    def count_if_cheap(self, contact_filter: ContactFilter) -> int | None:
        """The filter's count when it costs no more than a page: already known, or a search
        whose every hit was read for its page (a narrow one). None: count it off the UI
        thread (a broad search's exact count reads every hit, at a million contacts up to
        most of a second)."""
        conn = self._db.reader()
        key = ("count", replace(contact_filter, sort=SortKey.MY500, descending=False))
        cached, token = self._cached(conn, key)
        if cached is not None:
            return int(cached)
        if not contact_filter.search:
            return None
        hits = self._first_hits(conn, contact_filter.search)
        if hits is None or not hits.complete:
            return None
        return self._cached_count(conn, contact_filter, utcnow(), token)

    @recorded("position")
    def position_of(self, contact_filter: ContactFilter, contact_id: str) -> int | None:
        """The contact's row (from 0) in the filter's order; None when it does not match.

        Walks the ids in the order's index and stops at the contact, so a contact near
        the top (where a flagged one goes) costs a few rows, never a sort of them all.
        """
        conn = self._db.reader()
        where, params = where_sql(contact_filter, utcnow())
        source = (
            _FROM
            if joins_organization(contact_filter)
            else ordered_contacts(
                contact_filter, narrow_search=fts_query(contact_filter.search) is not None
            )
        )
        found = conn.execute(
            f"SELECT c.id FROM {source} WHERE {where} ORDER BY {order_sql(contact_filter)}",
            params,
        )
        for position, (row_id,) in enumerate(found):
            if row_id == contact_id:
                return position
        return None

    def remember_count(self, contact_filter: ContactFilter, total: int) -> None:
        """A count made off the UI thread, kept for the state this connection sees now."""
        key = ("count", replace(contact_filter, sort=SortKey.MY500, descending=False))
        self._store(key, _write_token(self._db.reader()), total)

    def forget_searches(self) -> None:
        """Drop the cached pages and everything read for a search, keeping the counts of
        the scopes: what a search costs the first time it is typed (benchmarks measure
        reads, not the cache)."""
        self._cache.clear()
        self._words.clear()
        for key in list(self._counts):
            kind, *rest = key if isinstance(key, tuple) else (key,)
            if kind in ("first hits", "hits") or (
                kind == "count" and isinstance(rest[0], ContactFilter) and rest[0].search
            ):
                del self._counts[key]

    def has_contacts(self) -> bool:
        """Whether the mirror holds any contact: one index step, never a count of them all."""
        found = self._db.reader().execute("SELECT EXISTS (SELECT 1 FROM contacts)").fetchone()
        return bool(found[0])

    def count_in_all_contacts(self, contact_filter: ContactFilter) -> int:
        """How many contacts the same filter finds among every owner's contacts, counted
        exactly up to ``BROAD_SEARCH_HITS``; above it, ``BROAD_SEARCH_HITS + 1`` stands for
        "more than that".

        For the hint under an empty My-500 search ("All contacts has 3 matches"): it is read
        on the keystroke, so it never reads every hit of a broad search.
        """
        everyone = replace(contact_filter, owner_id=None)
        known = self.count_if_cheap(everyone)
        if known is not None or not contact_filter.search:
            return known if known is not None else self.count(everyone)
        return BROAD_SEARCH_HITS + 1

    @recorded("contact")
    def contact(self, contact_id: str) -> ContactRow | None:
        """One contact with its recent activities and next activity."""
        conn = self._db.reader()
        found = conn.execute(
            f"SELECT {_CONTACT_COLUMNS} FROM {_FROM} WHERE c.id = ?", (contact_id,)
        )
        row = found.fetchone()
        if row is None:
            return None
        return self._build(conn, [row], utcnow(), next_activity=True, recent=True)[0]

    @recorded("deals")
    def deals(self, contact_id: str) -> tuple[DealRow, ...]:
        conn = self._db.reader()
        found = conn.execute(
            "SELECT id, title, value, currency, status FROM deals"
            " WHERE contact_id = ? AND status != 'deleted' ORDER BY update_time DESC",
            (contact_id,),
        )
        return tuple(DealRow(*row) for row in found)

    @recorded("organizations")
    def organizations(self, search: str = "") -> tuple[OrganizationRow, ...]:
        """Organizations, largest first, optionally filtered by name."""
        conn = self._db.reader()
        if search.strip():
            from pipedriven_desktop.domain.orgnames import normalize_org_name

            needle = normalize_org_name(search).replace("\\", "\\\\")
            needle = needle.replace("%", "\\%").replace("_", "\\_")
            found = conn.execute(
                _ORGANIZATIONS_SQL.format(where="WHERE normalized_name LIKE ? ESCAPE '\\'"),
                (f"%{needle}%",),
            )
        else:
            found = conn.execute(_ORGANIZATIONS_SQL.format(where=""))
        return tuple(
            OrganizationRow(
                id=org_id,
                name=name,
                normalized_name=normalized,
                pipedrive_org_id=pipedrive_id,
                contact_count=count,
                last_activity=parse_text(last),
            )
            for org_id, name, normalized, pipedrive_id, count, last in found
        )

    def owner_id(self) -> int | None:
        value = get_meta(self._db.reader(), OWNER_KEY)
        return None if value is None else int(value)

    def sync_status(self) -> SyncStatus:
        return self._sync_status(self._db.reader())

    # -- queries ------------------------------------------------------------------------------

    def _cached_count(
        self,
        conn: sqlite3.Connection,
        contact_filter: ContactFilter,
        now: datetime,
        token: tuple[int, int, int] | None = None,
    ) -> int:
        """The filter's count, shared by pages, headlines and status bar (one read per state).

        The order never changes a count, so it is not part of the key. ``token``: the
        database state the caller has just read, to spare another pragma.
        """
        key = ("count", replace(contact_filter, sort=SortKey.MY500, descending=False))
        cached, token = self._cached(conn, key, token)
        if cached is not None:
            return int(cached)
        total = self._count(conn, contact_filter, now)
        self._store(key, token, total)
        return total

    def _count(self, conn: sqlite3.Connection, contact_filter: ContactFilter, now: datetime) -> int:
        hits = self._first_hits(conn, contact_filter.search) if contact_filter.search else None
        if hits is not None and hits.complete:
            owner_id = contact_filter.owner_id
            if only_searches(contact_filter) and (
                owner_id is None or self._sole_owner(conn, owner_id)
            ):
                return hits.count  # every hit is in scope
            where, params = where_sql(contact_filter, now, hit_rowids=hits.rowids)
            return int(
                conn.execute(f"SELECT count(*) FROM contacts c WHERE {where}", params).fetchone()[0]
            )
        if contact_filter.search and only_searches(contact_filter):
            owner_id = contact_filter.owner_id
            if owner_id is not None and self._sole_owner(conn, owner_id):
                owner_id = None  # the same hits: counted once, without the owner's token
            return self._search_hits(conn, contact_filter.search, owner_id)
        where, params = where_sql(contact_filter, now)
        return int(
            conn.execute(f"SELECT count(*) FROM contacts c WHERE {where}", params).fetchone()[0]
        )

    def _search_hits(
        self, conn: sqlite3.Connection, search: str, owner_id: int | None = None
    ) -> int:
        """How many contacts a search matches, from the FTS index alone (a millisecond or two)."""
        match = fts_query(search, owner_id)
        if match is None:
            return self._count(conn, ContactFilter(owner_id=owner_id), utcnow())
        key = ("hits", match)
        cached, token = self._cached(conn, key)
        if cached is not None:
            return int(cached)
        hits = int(
            conn.execute(
                "SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH ?", (match,)
            ).fetchone()[0]
        )
        self._store(key, token, hits)
        return hits

    def _first_hits(self, conn: sqlite3.Connection, search: str) -> _FirstHits | None:
        """The search's hits in rowid order, up to one more than ``BROAD_SEARCH_HITS``: a
        read that stops there, whatever the number of hits (None: the search has no terms)."""
        match, _indexed = self._indexed_search(conn, search)
        if match is None:
            return None
        cap = BROAD_SEARCH_HITS + 1
        key = ("first hits", match, cap)
        cached, token = self._cached(conn, key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        # Counted and gathered in SQLite: no Python object per hit.
        count, last, rowids = conn.execute(
            "SELECT count(*), max(rowid), json_group_array(rowid) FROM"
            " (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? LIMIT ?)",
            (match, cap),
        ).fetchone()
        hits = _FirstHits(int(count), int(last or 0), str(rowids), complete=count < cap)
        self._store(key, token, hits)
        return hits

    def _indexed_search(
        self, conn: sqlite3.Connection, search: str, *, inside_only: bool = False
    ) -> IndexedSearch:
        """The search's FTS5 query with its long prefixes spelled as the few words they
        start (see ``store.search_words``), and whether a contact's test is then a seek."""
        key = ("indexed search", search, inside_only)
        cached, token = self._cached(conn, key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        seen, words = self._words.get(id(conn), (None, {}))
        if seen != token:
            words = {}
            self._words[id(conn)] = (token, words)
        found = indexed_search(conn, search, words, inside_only=inside_only)
        self._store(key, token, found)
        return found

    def _hit_span(self, conn: sqlite3.Connection, search: str) -> tuple[int, int]:
        """The rowids of the search's first and last hit (two seeks of the search index;
        (0, -1) when it has none): a walk tests only the contacts between them. Hits may
        crowd into a span of the rowids (contacts imported together, numbers given out in
        turn), and a walk then passes most contacts without a lookup."""
        match, _indexed = self._indexed_search(conn, search)
        key = ("hit span", match)
        cached, token = self._cached(conn, key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]
        first, last = conn.execute(
            "SELECT (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?1"
            " ORDER BY rowid LIMIT 1), (SELECT rowid FROM contacts_fts"
            " WHERE contacts_fts MATCH ?1 ORDER BY rowid DESC LIMIT 1)",
            (match,),
        ).fetchone()
        span = (0, -1) if first is None else (int(first), int(last))
        self._store(key, token, span)
        return span

    def _sole_owner(self, conn: sqlite3.Connection, owner_id: int) -> bool:
        """True when ``owner_id`` owns every contact (a one-person account): index seeks only."""
        key = ("sole owner", owner_id)
        cached, token = self._cached(conn, key)
        if cached is not None:
            return bool(cached)
        others = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM contacts WHERE owner_id < ?)"
            " OR EXISTS (SELECT 1 FROM contacts WHERE owner_id > ?)"
            " OR EXISTS (SELECT 1 FROM contacts WHERE owner_id IS NULL)",
            (owner_id, owner_id),
        ).fetchone()[0]
        self._store(key, token, not others)
        return not others

    def _rows(
        self,
        conn: sqlite3.Connection,
        contact_filter: ContactFilter,
        now: datetime,
        offset: int,
        limit: int,
        *,
        next_activity: bool = True,
        recent: bool = False,
    ) -> tuple[ContactRow, ...]:
        if keyset.starts_with_tie(contact_filter):
            # e.g. the contacts without an organization, first when sorted by it: read in
            # the My-500 index, not whole and sorted.
            rowids = keyset.head_rowids(conn, contact_filter, now, offset, limit)
            return self._rows_in(conn, rowids, now, next_activity, recent=recent)
        hits = self._first_hits(conn, contact_filter.search) if contact_filter.search else None
        broad = hits is not None and not hits.complete
        if hits is not None and broad and self._walk_pays(contact_filter, hits, offset + limit):
            walked = self._walk_in_order(conn, contact_filter, now, offset, limit)
            if walked is not None:
                found = conn.execute(
                    f"SELECT {_CONTACT_COLUMNS} FROM {_FROM}"
                    " WHERE c.rowid IN (SELECT value FROM json_each(?))"
                    f" ORDER BY {order_sql(contact_filter)}",
                    (json.dumps(walked),),
                ).fetchall()
                return self._build(conn, found, now, next_activity=next_activity, recent=recent)
        where, params = where_sql(
            contact_filter,
            now,
            scan_in_order=broad,
            hit_rowids=None if hits is None or broad else hits.rowids,
            match=self._indexed_search(conn, contact_filter.search)[0] if hits else None,
        )
        # The organization and owner are joined after the page is cut, unless the order
        # needs the organization.
        if joins_organization(contact_filter):
            sql = (
                f"SELECT {_CONTACT_COLUMNS} FROM {_FROM} WHERE {where}"
                f" ORDER BY {order_sql(contact_filter)} LIMIT ? OFFSET ?"
            )
        else:
            sql = (
                f"SELECT {_CONTACT_COLUMNS} FROM (SELECT * FROM"
                f" {ordered_contacts(contact_filter, narrow_search=hits is not None and not broad)}"
                f" WHERE {where}"
                f" ORDER BY {order_sql(contact_filter)} LIMIT ? OFFSET ?) AS c {_JOINS}"
                f" ORDER BY {order_sql(contact_filter)}"
            )
        found = conn.execute(sql, (*params, limit, offset)).fetchall()
        return self._build(conn, found, now, next_activity=next_activity, recent=recent)

    def _broad(self, conn: sqlite3.Connection, contact_filter: ContactFilter) -> bool:
        """A search matching so many contacts that walking the order beats sorting the hits."""
        hits = self._first_hits(conn, contact_filter.search) if contact_filter.search else None
        return hits is not None and not hits.complete

    def _rows_in(
        self,
        conn: sqlite3.Connection,
        rowids: list[int],
        now: datetime,
        next_activity: bool,
        *,
        recent: bool = False,
    ) -> tuple[ContactRow, ...]:
        """The contacts of ``rowids``, in that order, with their organization and owner."""
        found = conn.execute(
            f"SELECT c.rowid, {_CONTACT_COLUMNS} FROM {_FROM}"
            " WHERE c.rowid IN (SELECT value FROM json_each(?))",
            (json.dumps(rowids),),
        ).fetchall()
        place = {rowid: index for index, rowid in enumerate(rowids)}
        found.sort(key=lambda row: place[row[0]])
        return self._build(
            conn, [row[1:] for row in found], now, next_activity=next_activity, recent=recent
        )

    def _walk_pays(self, contact_filter: ContactFilter, hits: _FirstHits, wanted: int) -> bool:
        """Whether walking the order's index should find ``wanted`` hits for less than its
        set of hits would cost, and well within budget (``walk_allowance``).

        Only a search alone in the My-500 order walks: its order is an index, so the walk
        stops as soon as the page is full. The share of contacts that match is estimated
        from the first hits: as many hits among the rowids up to the last of them (rowids
        left by deleted contacts only lower the estimate, towards not walking). Hits
        crowded into the low rowids make the walk run out of budget and give way to the
        set of hits: the page is the same either way.
        """
        if contact_filter.sort is not SortKey.MY500 or not only_searches(contact_filter):
            return False
        if not self._indexed_search(self._db.reader(), contact_filter.search)[1]:
            return False  # each contact's test would expand a long term over the index
        if not hits.count:
            return False
        conn = self._db.reader()
        (contacts,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM contacts").fetchone()
        terms = len(search_terms(contact_filter.search))
        share = _share(hits, int(contacts))
        most = walk_allowance(
            most_budget(share, int(contacts), terms, WALK_BUDGET),
            most_budget(share, int(contacts), terms, 0),
        )
        if wanted * hits.last > hits.count * most:
            return False  # (without reading each term's share)
        allowed = walk_allowance(
            self._walk_plan(conn, contact_filter.search, hits).budget,
            self._walk_plan(conn, contact_filter.search, hits, floor=0).budget,
        )
        return wanted * hits.last <= hits.count * allowed

    def _walk_plan(
        self,
        conn: sqlite3.Connection,
        search: str,
        hits: _FirstHits,
        *,
        floor: int | None = None,
    ) -> Walk:
        """The walk's budget and the term it tests first, from the first hits of the search
        and of each of its terms (see ``store.search_walk``); ``floor``: the least budget
        (``WALK_BUDGET`` unless given; 0: what its set of hits would cost alone)."""
        (contacts,) = conn.execute("SELECT coalesce(max(rowid), 0) FROM contacts").fetchone()
        terms = search_terms(search)
        shares = []
        if len(terms) > 1:
            for term in terms:
                term_hits = self._first_hits(conn, term)
                if term_hits is not None:
                    shares.append(TermShare(term, _share(term_hits, int(contacts))))
        least = WALK_BUDGET if floor is None else floor
        return plan_walk(_share(hits, int(contacts)), int(contacts), shares, least)

    def _walk_in_order(
        self,
        conn: sqlite3.Connection,
        contact_filter: ContactFilter,
        now: datetime,
        offset: int,
        limit: int,
    ) -> list[int] | None:
        """Rowids of the page, found by walking the order's index and asking the search index
        about each contact in turn (a rowid lookup); None when the budget runs out first.

        When most contacts match, the page is found after a few hundred lookups, instead of
        reading every hit (tens of thousands) into a set before the walk. The contacts an
        earlier walk in the same scope found not to match a search this one narrows (the
        same search typed further) are passed over without a lookup.
        """
        scope = replace(contact_filter, search="")
        where, params = where_sql(scope, now)
        hits = self._first_hits(conn, contact_filter.search)
        if hits is None:
            return None
        plan = self._walk_plan(conn, contact_filter.search, hits)
        probe = (
            "EXISTS (SELECT 1 FROM contacts_fts f WHERE f.rowid = c.rowid AND contacts_fts MATCH ?)"
        )
        if plan.first is None:
            test, matches = probe, [self._indexed_search(conn, contact_filter.search)[0]]
        else:  # the rarest term first, the others only for the contacts it matches
            others = search_terms(contact_filter.search)
            others.remove(plan.first)
            test = f"CASE WHEN {probe} THEN {probe} ELSE 0 END"
            matches = [
                self._indexed_search(conn, plan.first)[0],
                self._indexed_search(conn, " ".join(others))[0],
            ]
        misses_key = ("walk misses", scope)
        earlier, token = self._cached(conn, misses_key)
        known = "CASE WHEN c.rowid IN (SELECT value FROM json_each(?))"
        if earlier is not None and narrows(contact_filter.search, earlier[0]):
            test = f"{known} THEN -1 ELSE {test} END"
            matches.insert(0, json.dumps(earlier[1]))
        elif earlier is not None and narrows_at_start(contact_filter.search, earlier[0]):
            test = f"{known} THEN {probe} ELSE {test} END"
            inside = self._indexed_search(conn, contact_filter.search, inside_only=True)[0]
            matches[:0] = [json.dumps(earlier[1]), inside]
        # A contact outside the rowids the hits span cannot match: no lookup (-2).
        first_hit, last_hit = self._hit_span(conn, contact_filter.search)
        test = f"CASE WHEN c.rowid BETWEEN ? AND ? THEN {test} ELSE -2 END"
        cursor = conn.execute(
            f"SELECT c.rowid, {test}"
            f" FROM {ordered_contacts(contact_filter)} WHERE {where}"
            f" ORDER BY {order_sql(contact_filter)}",
            (first_hit, last_hit, *matches, *params),
        )
        budget = plan.budget
        wanted = offset + limit
        found: list[int] = []
        misses: list[int] = []  # (-1: known not to match, -2: outside the span; no lookup)
        walked = 0
        outside = 0
        try:
            while len(found) < wanted:
                # Give up as soon as the hits met so far say the page lies beyond the budget:
                # the estimate that chose the walk may have been misled by hits crowded into
                # the low rowids.
                tested = walked + outside // OUTSIDE_PER_TEST
                if tested >= budget or tested * wanted > budget * max(len(found), 1):
                    return None
                # (the first step long enough for a sparse search to meet a few hits)
                first = max(FIRST_PROBES, plan.first_step)
                step = first if walked + outside == 0 else max(16, wanted - len(found))
                chunk = cursor.fetchmany(step)
                if not chunk:
                    break  # every contact in scope was seen: the page is complete
                walked += sum(1 for _rowid, hit in chunk if hit >= 0)
                outside += sum(1 for _rowid, hit in chunk if hit == -2)
                found.extend(rowid for rowid, hit in chunk if hit > 0)
                misses.extend(rowid for rowid, hit in chunk if hit <= 0)
        finally:
            cursor.close()
            self._store(misses_key, token, (contact_filter.search, misses))
        return found[offset:wanted]

    def _build(
        self,
        conn: sqlite3.Connection,
        found: Sequence[Sequence[Any]],
        now: datetime,
        *,
        next_activity: bool,
        recent: bool,
    ) -> tuple[ContactRow, ...]:
        """ContactRows from raw rows, each built once with its activities attached."""
        if not found:
            return ()
        ids = json.dumps([row[0] for row in found])
        next_by_contact: dict[str, date | None] = {}
        if next_activity:
            for contact_id, due in conn.execute(_NEXT_ACTIVITY_SQL, (ids,)):
                next_by_contact[contact_id] = _as_date(due)
        recent_by_contact: dict[str, tuple[ActivityRow, ...]] = {}
        if recent:
            recent_by_contact = _recent_activities(conn, ids)
        # The table's rows carry their weekly score move (one statement for the page).
        moves = (
            score_moves_since(conn, [row[0] for row in found], now.date() - SCORE_MOVE_PERIOD)
            if next_activity
            else {}
        )
        return tuple(
            build_contact_row(
                row,
                next_by_contact.get(row[0]),
                recent_by_contact.get(row[0], ()),
                score_move=moves.get(row[0], 0),
            )
            for row in found
        )

    def _sync_status(self, conn: sqlite3.Connection) -> SyncStatus:
        last = conn.execute(_SYNC_STATUS_SQL).fetchone()
        if last is None:
            return SyncStatus(last_finished=None, last_kind=None, last_error=None, running=False)
        finished, kind, error, last_ok = last
        return SyncStatus(
            last_finished=parse_text(last_ok),
            last_kind=kind,
            last_error=error,
            running=finished is None,
        )

    # -- cache --------------------------------------------------------------------------------

    def _cache_for(
        self, key: Hashable
    ) -> tuple[OrderedDict[Hashable, tuple[tuple[int, int, int], Any]], int]:
        if isinstance(key, tuple) and key and key[0] in _COUNT_KEYS:
            return self._counts, COUNT_CACHE_SIZE
        return self._cache, CACHE_SIZE

    def _cached(
        self, conn: sqlite3.Connection, key: Hashable, token: tuple[int, int, int] | None = None
    ) -> tuple[Any, tuple[int, int, int]]:
        if token is None:
            token = _write_token(conn)
        cache, _size = self._cache_for(key)
        entry = cache.get(key)
        hit = entry is not None and entry[0] == token
        note_cache_lookup(hit)
        if entry is not None and hit:
            cache.move_to_end(key)
            return entry[1], token
        return None, token

    def _store(self, key: Hashable, token: tuple[int, int, int], value: Any) -> None:
        cache, size = self._cache_for(key)
        cache[key] = (token, value)
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)


def _share(hits: _FirstHits, contacts: int) -> float:
    """The share of contacts that match, estimated from the first hits: as many hits among
    the rowids up to the last of them (all of them, when they are every hit)."""
    among = contacts if hits.complete else hits.last
    return hits.count / among if among else 0.0


@dataclass(frozen=True)
class _FirstHits:
    """A search's first hits in rowid order; ``complete`` when they are all of them."""

    count: int
    #: the highest rowid among them (0 when there are none)
    last: int
    #: the rowids as a JSON array
    rowids: str
    complete: bool


def _recent_activities(conn: sqlite3.Connection, ids: str) -> dict[str, tuple[ActivityRow, ...]]:
    grouped: dict[str, list[ActivityRow]] = {}
    for act_id, contact_id, kind, subject, due, done, added in conn.execute(
        _RECENT_ACTIVITIES_SQL, (ids, RECENT_ACTIVITIES)
    ):
        grouped.setdefault(contact_id, []).append(
            ActivityRow(act_id, kind, subject, _as_date(due), bool(done), parse_text(added))
        )
    return {
        contact_id: tuple(sorted(items, key=_newest_first)) for contact_id, items in grouped.items()
    }


def _newest_first(activity: ActivityRow) -> tuple[float, str]:
    moment = activity.add_time
    return (-(moment.timestamp() if moment else float("-inf")), activity.id)


def _write_token(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """Identifies the database state seen by this connection.

    ``PRAGMA data_version`` moves when any other connection commits; the
    connection's own ``total_changes`` moves when it writes itself.
    """
    data_version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    return (id(conn), data_version, conn.total_changes)


def build_contact_row(
    row: Sequence[Any],
    next_activity: date | None = None,
    recent: tuple[ActivityRow, ...] = (),
    *,
    score_move: int = 0,
) -> ContactRow:
    (
        contact_id,
        pipedrive_id,
        name,
        email,
        phone,
        job_title,
        score,
        breakdown,
        last_contacted,
        in_campaign,
        lead_status,
        created_at,
        org_id,
        org_name,
        org_pipedrive_id,
        owner_name,
    ) = row
    return ContactRow(
        id=contact_id,
        pipedrive_person_id=pipedrive_id,
        name=name,
        email=email,
        phone=phone,
        job_title=job_title,
        organization=(
            OrganizationRef(id=org_id, name=org_name, pipedrive_org_id=org_pipedrive_id)
            if org_id is not None
            else None
        ),
        warmness_score=score,
        warmness_breakdown=json.loads(breakdown) if isinstance(breakdown, str) else breakdown,
        last_contacted=parse_text(last_contacted),
        added_to_campaign=bool(in_campaign),
        lead_status=lead_status,
        created_at=parse_text(created_at) or datetime.min,
        next_activity=next_activity,
        recent_activities=recent,
        owner_name=owner_name,
        score_move=score_move,
    )


def _as_date(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
