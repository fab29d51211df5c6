"""Warmness scores for the contacts whose facts changed, and for those time moved.

A contact needs a score when ``score_computed_at`` is NULL (the page that changed its
facts cleared it, in the same transaction). Time alone moves a score only where a
bracket of the rules is crossed: "days since the last activity" passing 7, 30 or 90,
an activity leaving the 30-day window, a scheduled one falling due. So when the UTC
day has moved on since the last pass (``app_meta`` key ``scores_day``), only contacts
with a last activity or a due date at those boundaries since that day are visited;
without a ``scores_day`` (first pass, changed settings) every contact is.

Facts are read in a few aggregated statements (every contact: one scan per table;
a few: ``IN`` lists by id), scored by the domain's own function, and only rows whose
score, breakdown or dirty mark changed are written, in chunks of their own
transactions so readers (WAL) and the user's small writes are never held up long.
Both marks live in the database, so a sync killed before scoring still scores next time.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from pipedriven_desktop.domain.warmness import (
    RECENCY_TIERS,
    RECENT_WINDOW_DAYS,
    STALE_AFTER_DAYS,
    ActivityFact,
    ContactFacts,
    change_reason,
    compute_warmness,
)
from pipedriven_desktop.store.clock import date_to_text, parse_date_text, parse_text, to_text
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import SCORES_DAY_KEY, get_meta, set_meta
from pipedriven_desktop.store.score_history import ScoreChangeRow, record_changes
from pipedriven_desktop.sync.breakdown_text import breakdown_text
from pipedriven_desktop.sync.mapping import LIVE_DEAL_STATUSES, chunked, placeholders

#: Contacts per fact read when only some are scored (an ``IN`` list each).
CHUNK = 2000
#: Changed rows per write transaction: each commit rewrites the index pages its rows
#: moved in, so fewer, larger chunks write less; yet short enough that the user's own
#: writes (the campaign flag) wait well within their busy timeout.
WRITE_CHUNK = 25_000
#: Above this share of all contacts, one scan per table beats ``IN`` lists.
SCAN_SHARE = 0.2
#: Page cache of the scoring connection while it writes, in KiB: a pass moving every
#: score rewrites two indexes holding it, and SQLite's default 2 MiB makes each index
#: page travel to and from the write-ahead log many times.
WRITE_CACHE_KIB = 65_536

#: Days since the last activity at which its reason changes (7, 30, and over 90).
RECENCY_BOUNDARIES: tuple[int, ...] = tuple(
    sorted({limit for limit, _points in RECENCY_TIERS} | {STALE_AFTER_DAYS + 1})
)

_COLUMNS = (
    "rowid, id, email, phone, organization_id, pipedrive_org_id, job_title, lead_status,"
    " last_contacted, incoming_mail_count, outgoing_mail_count,"
    " warmness_score, warmness_breakdown, score_computed_at IS NULL"
)
_ALL_CONTACTS_SQL = f"SELECT {_COLUMNS} FROM contacts"
_CONTACTS_SQL = f"SELECT {_COLUMNS} FROM contacts WHERE id IN ({{ids}})"
#: Activities due before the score's window never count; scheduled ones do.
_ALL_ACTIVITIES_SQL = (
    "SELECT contact_id, type, due_date, done FROM activities"
    " WHERE due_date >= ? AND contact_id IS NOT NULL"
)
_ACTIVITIES_SQL = (
    "SELECT contact_id, type, due_date, done FROM activities"
    " WHERE contact_id IN ({ids}) AND due_date >= ?"
)
_ALL_DEALS_SQL = (
    "SELECT contact_id, sum(value) FROM deals"
    " WHERE contact_id IS NOT NULL AND status IN ({statuses}) GROUP BY contact_id"
)
_DEALS_SQL = (
    "SELECT contact_id, sum(value) FROM deals"
    " WHERE contact_id IN ({ids}) AND status IN ({statuses}) GROUP BY contact_id"
)
_UPDATE_SQL = (
    "UPDATE contacts SET warmness_score = ?, warmness_breakdown = ?, score_computed_at = ?"
    " WHERE rowid = ?"
)

#: One contact row as read: (rowid, id, old score, old breakdown, dirty).
_Scored = tuple[int, str, int, str | None, bool]
#: A row to write: (score, breakdown, rowid, the history entry if the score moved).
Change = tuple[int, str, int, ScoreChangeRow | None]


def contacts_to_score(conn: Connection, now: datetime) -> tuple[list[str] | None, bool]:
    """Ids of contacts to score (None: every contact), and whether the day moved on."""
    today = now.astimezone(UTC).date()
    last = _parse_day(get_meta(conn, SCORES_DAY_KEY))
    if last is None or last > today:
        return None, True
    dirty = [row[0] for row in _raw(conn).execute(_DIRTY_SQL)]
    if last == today:
        return dirty, False
    moved = time_moved_ids(conn, last, now)
    return sorted(set(dirty).union(moved)), True


_DIRTY_SQL = "SELECT id FROM contacts WHERE score_computed_at IS NULL"


def time_moved_ids(conn: Connection, since: date, now: datetime) -> list[str]:
    """Contacts whose score time may have moved since the start of the day ``since``.

    A contact scored at any moment of that day or later, by a pass or as dirty, can
    differ from its score at ``now`` only if a boundary of the rules lies in between:
    its last activity reaching 7, 30 or 91 days ago, an activity's due date leaving the
    30-day window, or a scheduled one falling due.
    """
    now = now.astimezone(UTC)
    today = now.date()
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    recency = " OR ".join(
        ["(last_contacted > ? AND last_contacted <= ?)"] * len(RECENCY_BOUNDARIES)
    )
    recency_args: list[str] = []
    for days in RECENCY_BOUNDARIES:
        recency_args += [to_text(start - timedelta(days=days)), to_text(now - timedelta(days=days))]
    raw = _raw(conn)
    ids = {row[0] for row in raw.execute(f"SELECT id FROM contacts WHERE {recency}", recency_args)}
    window = timedelta(days=RECENT_WINDOW_DAYS)
    # Activity rules read calendar days only: a scheduled activity falls due on a day
    # after ``since`` up to today; one leaves the window due from ``since`` - 30 days
    # up to the day before today's window starts.
    one_day = timedelta(days=1)
    due_args = (
        date_to_text(since + one_day),
        date_to_text(today),
        date_to_text(since - window),
        date_to_text(today - window - one_day),
    )
    ids.update(
        row[0]
        for row in raw.execute(
            # No DISTINCT: it would walk the contact index and look up every row.
            "SELECT contact_id FROM activities WHERE contact_id IS NOT NULL"
            " AND (due_date BETWEEN ? AND ? OR due_date BETWEEN ? AND ?)",
            due_args,
        )
    )
    return list(ids)


def rescore(
    db: Database,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Score every contact that needs it; returns how many were looked at."""
    now = now.astimezone(UTC)
    with db.engine.connect() as conn:
        ids, day_moved = contacts_to_score(conn, now)
        if ids is None or len(ids) > SCAN_SHARE * _contact_count(conn):
            rows = _score_all(conn, now, None if ids is None else set(ids))
        else:
            rows = []
            for part in chunked(ids, CHUNK):
                rows += score_rows(conn, part, now)
    looked_at = len(rows)
    changes = [row for row in rows if row is not None]
    _write(db, changes, now, progress, looked_at)
    if day_moved:
        with db.session() as session:
            set_meta(session.connection(), SCORES_DAY_KEY, now.date().isoformat())
    return looked_at


def score_contacts(conn: Connection, ids: Sequence[str], now: datetime) -> None:
    """Score ``ids`` and write the rows that changed, in the caller's transaction."""
    now = now.astimezone(UTC)
    changes = [row for row in score_rows(conn, ids, now) if row is not None]
    _write_rows(_raw(conn), changes, now)


def score_rows(conn: Connection, ids: Sequence[str], now: datetime) -> list[Change | None]:
    """For each of ``ids`` found: (score, breakdown, rowid) if it changed, else None."""
    if not ids:
        return []
    raw = _raw(conn)
    marks = placeholders(len(ids))
    recent_from = _recent_from(now)
    activities = _activities(
        raw.execute(_ACTIVITIES_SQL.format(ids=marks), (*ids, recent_from)).fetchall()
    )
    deals = dict(
        raw.execute(
            _DEALS_SQL.format(ids=marks, statuses=placeholders(len(LIVE_DEAL_STATUSES))),
            (*ids, *LIVE_DEAL_STATUSES),
        ).fetchall()
    )
    contacts = raw.execute(_CONTACTS_SQL.format(ids=marks), tuple(ids)).fetchall()
    return _score(contacts, activities, deals, now)


def _score_all(conn: Connection, now: datetime, only: set[str] | None) -> list[Change | None]:
    """Score every contact (or those in ``only``) from one scan of each table."""
    raw = _raw(conn)
    activities = _activities(raw.execute(_ALL_ACTIVITIES_SQL, (_recent_from(now),)).fetchall())
    deals = dict(
        raw.execute(
            _ALL_DEALS_SQL.format(statuses=placeholders(len(LIVE_DEAL_STATUSES))),
            LIVE_DEAL_STATUSES,
        ).fetchall()
    )
    contacts = raw.execute(_ALL_CONTACTS_SQL).fetchall()
    if only is not None:
        contacts = [row for row in contacts if row[1] in only]
    return _score(contacts, activities, deals, now)


def _score(
    contacts: Iterable[Sequence[Any]],
    activities: dict[str, tuple[ActivityFact, ...]],
    deals: dict[str, float],
    now: datetime,
) -> list[Change | None]:
    """Score the contact rows; each changed one as (score, breakdown, rowid), else None."""
    previous: list[_Scored] = []
    results: list[tuple[int, str]] = []
    # Contacts without activities in the window are scored by a handful of facts, and
    # time enters only as whole days since the last activity: many share a result.
    shared: dict[tuple[Any, ...], tuple[int, str]] = {}
    no_activities: tuple[ActivityFact, ...] = ()
    now = now.astimezone(UTC)
    for (
        rowid,
        contact_id,
        email,
        phone,
        org_id,
        pd_org_id,
        title,
        lead,
        last,
        incoming,
        outgoing,
        old_score,
        old_breakdown,
        dirty,
    ) in contacts:
        previous.append((rowid, contact_id, old_score, old_breakdown, bool(dirty)))
        last_contacted = parse_text(last)
        last_activity = None if last_contacted is None else last_contacted.replace(tzinfo=UTC)
        acts = activities.get(contact_id, no_activities)
        deal = float(deals.get(contact_id) or 0.0)
        flags = (bool(email), bool(phone), org_id is not None or pd_org_id is not None, bool(title))
        key = None
        if not acts:
            days = None if last_activity is None else (now - last_activity).days
            key = (*flags, deal, lead, days, incoming, outgoing)
            found = shared.get(key)
            if found is not None:
                results.append(found)
                continue
        warmness = compute_warmness(
            ContactFacts(
                has_email=flags[0],
                has_phone=flags[1],
                has_organization=flags[2],
                has_job_title=flags[3],
                activities=acts,
                total_deal_value=deal,
                lead_status=lead,
                last_activity=last_activity,
                incoming_mail_count=incoming,
                outgoing_mail_count=outgoing,
            ),
            now,
        )
        result = (warmness.score, breakdown_text(warmness))
        if key is not None:
            shared[key] = result
        results.append(result)
    out: list[Change | None] = []
    today = now.astimezone(UTC).date()
    for (rowid, contact_id, old_score, old_breakdown, dirty), (score, text) in zip(
        previous, results, strict=True
    ):
        if not dirty and score == old_score and text == old_breakdown:
            out.append(None)
            continue
        history = None
        # A contact never scored before (no breakdown, or JSON null) has no change to keep.
        if score != old_score and old_breakdown is not None:
            why = _why(old_breakdown, text)
            if why is not None:
                history = ScoreChangeRow(contact_id, today, old_score, score, why)
        out.append((score, text, rowid, history))
    return out


@lru_cache(maxsize=65_536)
def _why(old_text: str, new_text: str) -> str | None:
    """The history's words for a change (None: never scored before); contacts share pairs."""
    old = _parsed(old_text)
    return None if old is None else change_reason(old, _parsed(new_text) or {})


def _parsed(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _activities(rows: Iterable[Sequence[Any]]) -> dict[str, tuple[ActivityFact, ...]]:
    grouped: dict[str, list[ActivityFact]] = {}
    days: dict[str, date | None] = {}
    for contact_id, kind, due, done in rows:
        day = days.get(due) if due in days else days.setdefault(due, parse_date_text(due))
        fact = ActivityFact(type=kind, due_date=day, done=bool(done))
        found = grouped.get(contact_id)
        if found is None:
            grouped[contact_id] = [fact]
        else:
            found.append(fact)
    return {key: tuple(value) for key, value in grouped.items()}


def _write(
    db: Database,
    changes: list[Change],
    now: datetime,
    progress: Callable[[int, int], None] | None,
    looked_at: int,
) -> None:
    """Write the changed rows in rowid order, a transaction per chunk."""
    if progress is not None and not changes:
        progress(looked_at, looked_at)
    if not changes:
        return
    changes.sort(key=lambda change: change[2])
    written = 0
    for part in chunked(changes, WRITE_CHUNK):
        with db.session() as session:
            raw = _raw(session.connection())
            (cache,) = raw.execute("PRAGMA cache_size").fetchone()
            raw.execute(f"PRAGMA cache_size = {-WRITE_CACHE_KIB}")
            try:
                _write_rows(raw, part, now)
            finally:
                raw.execute(f"PRAGMA cache_size = {int(cache)}")
        written += len(part)
        if progress is not None:
            progress(looked_at - len(changes) + written, looked_at)


def _write_rows(raw: sqlite3.Connection, changes: Sequence[Change], now: datetime) -> None:
    """Update the changed rows and keep their score changes, in the caller's transaction."""
    if not changes:
        return
    stamp = to_text(now)
    raw.executemany(_UPDATE_SQL, [(score, text, stamp, rowid) for score, text, rowid, _ in changes])
    history = [entry for *_, entry in changes if entry is not None]
    if history:
        record_changes(raw, history, now.astimezone(UTC).date())


def _recent_from(now: datetime) -> str:
    return date_to_text(now.astimezone(UTC).date() - timedelta(days=RECENT_WINDOW_DAYS)) or ""


def _contact_count(conn: Connection) -> int:
    return int(_raw(conn).execute("SELECT max(rowid) FROM contacts").fetchone()[0] or 0)


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _raw(conn: Connection) -> sqlite3.Connection:
    """The plain sqlite3 connection under ``conn``: rows as tuples, no per-row objects."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver
