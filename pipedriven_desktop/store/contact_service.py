"""Read side of the mirror: My-500 pages, windows for the table, one contact's detail.

A page costs a fixed number of statements whatever its size (count, rows with
their organization, the 5 most recent activities of all rows at once, sync
status): no N+1. Identical reads with no write in between come from a small
cache; any commit, from this process or another, invalidates it.
"""

from __future__ import annotations

import json
import time
from collections import OrderedDict
from collections.abc import Hashable, Sequence
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_query import ContactFilter, order_by, where_clause
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import (
    AppMeta,
    Contact,
    Deal,
    Organization,
    SyncRun,
)
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

RECENT_ACTIVITIES = 5
CACHE_SIZE = 32
OWNER_KEY = "owner_id"

_CONTACT_COLUMNS = (
    Contact.id,
    Contact.pipedrive_person_id,
    Contact.name,
    Contact.email,
    Contact.phone,
    Contact.job_title,
    Contact.warmness_score,
    Contact.warmness_breakdown,
    Contact.last_contacted,
    Contact.added_to_campaign,
    Contact.lead_status,
    Contact.created_at,
    Organization.id.label("org_id"),
    Organization.name.label("org_name"),
    Organization.pipedrive_org_id.label("org_pipedrive_id"),
)

# One correlated LIMIT per contact, served by ix_activities_contact_recent: about
# twice as fast as a window function over all of the page's activities.
_RECENT_ACTIVITIES_SQL = """
    SELECT a.id, a.contact_id, a.type, a.subject, a.due_date, a.done, a.add_time
      FROM json_each(?) AS page
      JOIN activities a ON a.rowid IN (
        SELECT b.rowid FROM activities b WHERE b.contact_id = page.value
         ORDER BY b.add_time DESC, b.id LIMIT ?
      )
"""

_NEXT_ACTIVITY_SQL = """
    SELECT contact_id, min(due_date) FROM activities
     WHERE contact_id IN ({ids}) AND done = 0 AND due_date >= ?
     GROUP BY contact_id
"""


class ContactService:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: OrderedDict[Hashable, tuple[tuple[int, int, int], Any]] = OrderedDict()

    # -- public reads -------------------------------------------------------------------------

    def page(
        self,
        contact_filter: ContactFilter,
        page: int = 1,
        limit: int = 50,
        *,
        with_activities: bool = True,
    ) -> ContactPage:
        """One page of contacts in the filter's order, as the seed-style payload."""
        if page < 1 or limit < 1:
            raise ValueError("page and limit must be positive")
        started = time.perf_counter()
        key = ("page", contact_filter, page, limit, with_activities)
        with self._db.engine.connect() as conn:
            cached, token = self._cached(conn, key)
            if cached is not None:
                rows, total, status, query_ms = cached
                hit = True
            else:
                query_started = time.perf_counter()
                now = utcnow()
                total = self._count(conn, contact_filter, now)
                rows = self._window(conn, contact_filter, now, (page - 1) * limit, limit)
                if with_activities:
                    rows = self._with_activities(conn, rows, now)
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

    def window(
        self, contact_filter: ContactFilter, offset: int, limit: int, *, with_next: bool = True
    ) -> tuple[ContactRow, ...]:
        """Rows ``offset``..``offset+limit`` for a table that fetches as it scrolls."""
        key = ("window", contact_filter, offset, limit, with_next)
        with self._db.engine.connect() as conn:
            cached, token = self._cached(conn, key)
            if cached is not None:
                return cached  # type: ignore[no-any-return]
            now = utcnow()
            rows = self._window(conn, contact_filter, now, offset, limit)
            if with_next:
                rows = self._with_next_activity(conn, rows, now)
            self._store(key, token, rows)
            return rows

    def count(self, contact_filter: ContactFilter) -> int:
        key = ("count", contact_filter)
        with self._db.engine.connect() as conn:
            cached, token = self._cached(conn, key)
            if cached is not None:
                return int(cached)
            total = self._count(conn, contact_filter, utcnow())
            self._store(key, token, total)
            return total

    def contact(self, contact_id: str) -> ContactRow | None:
        """One contact with its recent activities and next activity."""
        with self._db.engine.connect() as conn:
            stmt = (
                select(*_CONTACT_COLUMNS)
                .outerjoin(Organization, Organization.id == Contact.organization_id)
                .where(Contact.id == contact_id)
            )
            found = conn.execute(stmt).first()
            if found is None:
                return None
            rows = self._with_activities(conn, (_contact_row(found),), utcnow())
            return rows[0]

    def deals(self, contact_id: str) -> tuple[DealRow, ...]:
        with self._db.engine.connect() as conn:
            stmt = (
                select(Deal.id, Deal.title, Deal.value, Deal.currency, Deal.status)
                .where(Deal.contact_id == contact_id, Deal.status != "deleted")
                .order_by(Deal.update_time.desc())
            )
            return tuple(DealRow(*row) for row in conn.execute(stmt))

    def organizations(self, search: str = "") -> tuple[OrganizationRow, ...]:
        """Organizations with contacts, largest first, optionally filtered by name."""
        stmt = select(
            Organization.id,
            Organization.name,
            Organization.normalized_name,
            Organization.pipedrive_org_id,
            Organization.contact_count,
            Organization.last_activity,
        ).order_by(Organization.contact_count.desc(), Organization.normalized_name)
        if search.strip():
            from pipedriven_desktop.domain.orgnames import normalize_org_name

            stmt = stmt.where(
                Organization.normalized_name.contains(normalize_org_name(search), autoescape=True)
            )
        with self._db.engine.connect() as conn:
            return tuple(OrganizationRow(*row) for row in conn.execute(stmt))

    def owner_id(self) -> int | None:
        with self._db.engine.connect() as conn:
            value = conn.execute(select(AppMeta.value).where(AppMeta.key == OWNER_KEY)).scalar()
        return None if value is None else int(value)

    def sync_status(self) -> SyncStatus:
        with self._db.engine.connect() as conn:
            return self._sync_status(conn)

    # -- queries ------------------------------------------------------------------------------

    def _count(self, conn: Connection, contact_filter: ContactFilter, now: datetime) -> int:
        stmt = select(func.count()).select_from(Contact).where(where_clause(contact_filter, now))
        return int(conn.execute(stmt).scalar_one())

    def _window(
        self,
        conn: Connection,
        contact_filter: ContactFilter,
        now: datetime,
        offset: int,
        limit: int,
    ) -> tuple[ContactRow, ...]:
        stmt = (
            select(*_CONTACT_COLUMNS)
            .outerjoin(Organization, Organization.id == Contact.organization_id)
            .where(where_clause(contact_filter, now))
            .order_by(*order_by(contact_filter))
            .offset(offset)
            .limit(limit)
        )
        return tuple(_contact_row(row) for row in conn.execute(stmt).all())

    def _with_activities(
        self, conn: Connection, rows: Sequence[ContactRow], now: datetime
    ) -> tuple[ContactRow, ...]:
        if not rows:
            return ()
        ids = [row.id for row in rows]
        recent: dict[str, list[ActivityRow]] = {}
        found = conn.exec_driver_sql(
            _RECENT_ACTIVITIES_SQL, (json.dumps(ids), RECENT_ACTIVITIES)
        ).all()
        for act_id, contact_id, kind, subject, due, done, added in found:
            recent.setdefault(contact_id, []).append(
                ActivityRow(
                    id=act_id,
                    type=kind,
                    subject=subject,
                    due_date=_as_date(due),
                    done=bool(done),
                    add_time=_as_datetime(added),
                )
            )
        next_by_contact = self._next_activities(conn, ids, now)
        return tuple(
            replace(
                row,
                recent_activities=tuple(recent.get(row.id, ())),
                next_activity=next_by_contact.get(row.id),
            )
            for row in rows
        )

    def _with_next_activity(
        self, conn: Connection, rows: Sequence[ContactRow], now: datetime
    ) -> tuple[ContactRow, ...]:
        if not rows:
            return ()
        next_by_contact = self._next_activities(conn, [row.id for row in rows], now)
        return tuple(replace(row, next_activity=next_by_contact.get(row.id)) for row in rows)

    def _next_activities(self, conn: Connection, ids: list[str], now: datetime) -> dict[str, Any]:
        found = _raw_rows(conn, _NEXT_ACTIVITY_SQL, ids, now.date().isoformat())
        return {contact_id: _as_date(due) for contact_id, due in found}

    def _sync_status(self, conn: Connection) -> SyncStatus:
        last = conn.execute(
            select(SyncRun.finished, SyncRun.kind, SyncRun.error, SyncRun.started)
            .order_by(SyncRun.started.desc())
            .limit(1)
        ).first()
        if last is None:
            return SyncStatus(last_finished=None, last_kind=None, last_error=None, running=False)
        last_ok = conn.execute(
            select(func.max(SyncRun.finished)).where(SyncRun.error.is_(None))
        ).scalar()
        return SyncStatus(
            last_finished=last_ok,
            last_kind=last.kind,
            last_error=last.error,
            running=last.finished is None,
        )

    # -- cache --------------------------------------------------------------------------------

    def _cached(self, conn: Connection, key: Hashable) -> tuple[Any, tuple[int, int, int]]:
        token = _write_token(conn)
        entry = self._cache.get(key)
        if entry is not None and entry[0] == token:
            self._cache.move_to_end(key)
            return entry[1], token
        return None, token

    def _store(self, key: Hashable, token: tuple[int, int, int], value: Any) -> None:
        self._cache[key] = (token, value)
        self._cache.move_to_end(key)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def invalidate(self) -> None:
        self._cache.clear()


def _write_token(conn: Connection) -> tuple[int, int, int]:
    """Identifies the database state seen by this connection.

    ``PRAGMA data_version`` moves when any other connection commits; the
    connection's own ``total_changes`` moves when it writes itself.
    """
    raw = conn.connection.dbapi_connection
    data_version = int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())
    return (id(raw), data_version, int(getattr(raw, "total_changes", 0)))


def _raw_rows(conn: Connection, sql: str, ids: list[str], *params: object) -> Sequence[Any]:
    """Run a per-page lookup on the driver directly: plain tuples, no per-row overhead."""
    statement = sql.format(ids=",".join("?" * len(ids)))
    return conn.exec_driver_sql(statement, (*ids, *params)).all()


def _contact_row(row: Row[Any]) -> ContactRow:
    org = (
        OrganizationRef(id=row.org_id, name=row.org_name, pipedrive_org_id=row.org_pipedrive_id)
        if row.org_id is not None
        else None
    )
    return ContactRow(
        id=row.id,
        pipedrive_person_id=row.pipedrive_person_id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        job_title=row.job_title,
        organization=org,
        warmness_score=row.warmness_score,
        warmness_breakdown=row.warmness_breakdown,
        last_contacted=row.last_contacted,
        added_to_campaign=bool(row.added_to_campaign),
        lead_status=row.lead_status,
        created_at=row.created_at,
    )


def _as_date(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    return date.fromisoformat(value[:10])


def _as_datetime(value: Any) -> Any:
    if value is None or not isinstance(value, str):
        return value
    return datetime.fromisoformat(value)
