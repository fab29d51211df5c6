"""The figures of the Insights view and of ``stats``: plain SQL over the mirror.

The figures are named tuples, not dataclasses: this module is imported when the window
opens, and a dataclass costs several times more to define.

Each function takes a read connection and answers one question; each is an aggregate
served by an index where one exists (warmness and coverage come from the My-500 and
owner/organization indexes), so none reads the contacts row by row. They still take
up to a few hundred milliseconds at 100,000 contacts, so the window calls them off the
UI thread. Plain ``sqlite3``: no SQLAlchemy.

"My-500" is the contacts of the signed-in Pipedrive user (``owner_id`` in the mirror's
meta); before the first sync knows the user, every contact counts as one's own.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from pipedriven_desktop.domain.warmness import SCORE_MAX, WarmnessBand
from pipedriven_desktop.store.clock import parse_text, to_text
from pipedriven_desktop.store.database import BUSY_TIMEOUT_MS
from pipedriven_desktop.store.meta import OWNER_KEY, get_meta
from pipedriven_desktop.store.query_stats import (
    STARTUP,
    DailyStats,
    QueryRecorder,
    Sample,
    daily_since,
    flush,
    histogram_percentile,
)
from pipedriven_desktop.store.warmness_daily import mix_since

SCORES = SCORE_MAX + 1
HISTORY_DAYS = 90
TOP_ORGANIZATIONS = 10
QUIET_DAYS = 30
CAMPAIGN_STALE_DAYS = 90
ACTIVITY_WEEKS = 12
SYNC_RUNS_SHOWN = 20
SYNC_RATE_DAYS = 30
QUERY_DAYS = 7
#: The specification's targets, shown beside each figure (ms, or a share from 0 to 1).
TARGETS = {
    "startup_ms": 2000.0,
    "incremental_sync_ms": 1000.0,
    "search_ms": 200.0,
    "query_ms": 100.0,
    "cache_hit_rate": 0.80,
    "organization_coverage": 0.90,
    "sync_success_rate": 0.95,
}
CANCELLED = "cancelled"


# -- warmness ---------------------------------------------------------------------------------


class WarmnessMix(NamedTuple):
    """Contacts at each score 0..10: My-500 and all contacts."""

    my500: tuple[int, ...]
    all_contacts: tuple[int, ...]


class MixOfDay(NamedTuple):
    day: date
    my500: tuple[int, ...]


def owner_id(conn: sqlite3.Connection) -> int | None:
    value = get_meta(conn, OWNER_KEY)
    return None if value is None else int(value)


def warmness_mix(conn: sqlite3.Connection, owner: int | None) -> WarmnessMix:
    """Both distributions from one walk of the My-500 index (it holds owner and score)."""
    mine = [0] * SCORES
    everyone = [0] * SCORES
    found = conn.execute(
        "SELECT warmness_score, count(*), sum(owner_id = ?) FROM contacts INDEXED BY"
        " ix_contacts_my500 GROUP BY warmness_score",
        (owner,),
    )
    for score, count, owned in found:
        index = _clamp(score)
        everyone[index] += int(count)
        mine[index] += int(count) if owner is None else int(owned or 0)
    return WarmnessMix(tuple(mine), tuple(everyone))


def warmness_history(conn: sqlite3.Connection, today: date) -> list[MixOfDay]:
    """My-500's mix per day over the last ``HISTORY_DAYS`` days, from the daily snapshot
    the scoring pass records (``store.warmness_daily``)."""
    since = today - timedelta(days=HISTORY_DAYS - 1)
    return [MixOfDay(day.day, day.my500) for day in mix_since(conn, since) if day.day <= today]


def band_counts(mix: Sequence[int]) -> dict[WarmnessBand, int]:
    return {band: sum(mix[band.low : band.high + 1]) for band in WarmnessBand}


# -- organizations ----------------------------------------------------------------------------


class OrganizationWarmness(NamedTuple):
    id: str
    name: str
    contacts: int
    average_warmness: float


class QuietOrganization(NamedTuple):
    """An organization with hot contacts of mine and no activity for ``QUIET_DAYS`` days."""

    id: str
    name: str
    hot_contacts: int
    last_activity: datetime | None


class OrganizationFigures(NamedTuple):
    contacts: int
    linked: int
    top: tuple[OrganizationWarmness, ...]
    quiet_hot: tuple[QuietOrganization, ...]

    @property
    def coverage(self) -> float | None:
        """Share of My-500 linked to an organization (None: no contacts)."""
        return self.linked / self.contacts if self.contacts else None


def organization_coverage(conn: sqlite3.Connection, owner: int | None) -> tuple[int, int]:
    """(My-500's contacts, those linked to an organization), from the owner's index alone."""
    scope, params = _owner_scope(owner)
    contacts, linked = conn.execute(
        f"SELECT count(*), count(organization_id) FROM contacts c WHERE {scope}", params
    ).fetchone()
    return int(contacts), int(linked)


def organization_figures(
    conn: sqlite3.Connection, owner: int | None, now: datetime
) -> OrganizationFigures:
    scope, params = _owner_scope(owner)
    contacts, linked = organization_coverage(conn, owner)
    # Counted from the owner/organization index alone, then only the top few are read.
    largest = conn.execute(
        f"SELECT organization_id, count(*) AS n FROM contacts c WHERE {scope}"
        " AND organization_id IS NOT NULL GROUP BY organization_id"
        " ORDER BY n DESC, organization_id LIMIT ?",
        (*params, TOP_ORGANIZATIONS),
    ).fetchall()
    top: list[OrganizationWarmness] = []
    if largest:
        ids = json.dumps([org_id for org_id, _n in largest])
        details = {
            org_id: (name, float(average))
            for org_id, name, average in conn.execute(
                "SELECT o.id, o.name, avg(c.warmness_score) FROM organizations o"
                " JOIN contacts c ON c.organization_id = o.id"
                f" WHERE o.id IN (SELECT value FROM json_each(?)) AND {scope} GROUP BY o.id",
                (ids, *params),
            )
        }
        top = [
            OrganizationWarmness(org_id, details[org_id][0], int(n), details[org_id][1])
            for org_id, n in largest
            if org_id in details
        ]
    quiet_since = to_text(now - timedelta(days=QUIET_DAYS))
    quiet = conn.execute(
        "SELECT o.id, o.name, count(*) AS hot, o.last_activity FROM contacts c"
        " JOIN organizations o ON o.id = c.organization_id"
        f" WHERE {scope} AND c.warmness_score >= ?"
        " AND (o.last_activity IS NULL OR o.last_activity < ?)"
        " GROUP BY o.id ORDER BY hot DESC, o.name LIMIT ?",
        (*params, WarmnessBand.HOT.low, quiet_since, TOP_ORGANIZATIONS),
    ).fetchall()
    return OrganizationFigures(
        contacts=int(contacts),
        linked=int(linked),
        top=tuple(top),
        quiet_hot=tuple(
            QuietOrganization(org_id, name, int(hot), parse_text(last))
            for org_id, name, hot, last in quiet
        ),
    )


# -- campaign ---------------------------------------------------------------------------------


class CampaignFigures(NamedTuple):
    flagged: int
    mix: tuple[int, ...]
    #: flagged contacts not contacted for ``CAMPAIGN_STALE_DAYS`` days or more, or never
    stale: int


def campaign_figures(conn: sqlite3.Connection, owner: int | None, now: datetime) -> CampaignFigures:
    scope, params = _owner_scope(owner)
    mix = [0] * SCORES
    stale = 0
    cutoff = to_text(now - timedelta(days=CAMPAIGN_STALE_DAYS))
    for score, count, old in conn.execute(
        "SELECT warmness_score, count(*), sum(last_contacted IS NULL OR last_contacted < ?)"
        f" FROM contacts c WHERE {scope} AND added_to_campaign = 1 GROUP BY warmness_score",
        (cutoff, *params),
    ):
        mix[_clamp(score)] += int(count)
        stale += int(old or 0)
    return CampaignFigures(flagged=sum(mix), mix=tuple(mix), stale=stale)


# -- activity ---------------------------------------------------------------------------------


class ActivityWeeks(NamedTuple):
    """Activities of My-500 due in each of the last ``ACTIVITY_WEEKS`` weeks (Monday first)."""

    week_starts: tuple[date, ...]
    by_type: dict[str, tuple[int, ...]]

    @property
    def totals(self) -> tuple[int, ...]:
        weeks = len(self.week_starts)
        return tuple(sum(counts[w] for counts in self.by_type.values()) for w in range(weeks))


def activity_weeks(conn: sqlite3.Connection, owner: int | None, today: date) -> ActivityWeeks:
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=ACTIVITY_WEEKS - 1)
    end = first + timedelta(weeks=ACTIVITY_WEEKS)
    starts = tuple(first + timedelta(weeks=w) for w in range(ACTIVITY_WEEKS))
    mine = ""
    params: list[object] = [first.isoformat(), first.isoformat(), end.isoformat()]
    if owner is not None and not _sole_owner(conn, owner):
        mine = " AND a.contact_id IN (SELECT id FROM contacts WHERE owner_id = ?)"
        params.append(owner)
    by_type: dict[str, list[int]] = {}
    for kind, week, count in conn.execute(
        "SELECT a.type, CAST((julianday(a.due_date) - julianday(?)) / 7 AS INTEGER) AS week,"
        " count(*) FROM activities a WHERE a.due_date >= ? AND a.due_date < ?"
        f" AND a.contact_id IS NOT NULL{mine} GROUP BY a.type, week",
        params,
    ):
        by_type.setdefault(str(kind), [0] * ACTIVITY_WEEKS)[int(week)] += int(count)
    return ActivityWeeks(starts, {kind: tuple(counts) for kind, counts in sorted(by_type.items())})


# -- sync history -----------------------------------------------------------------------------


class SyncRunRow(NamedTuple):
    started: datetime
    finished: datetime | None
    kind: str
    requests: int
    fetched: int
    created: int
    updated: int
    deleted: int
    failed: int
    error: str | None
    #: "ok", "failed", "cancelled", "running" (the newest, unfinished) or "interrupted"
    outcome: str

    @property
    def seconds(self) -> float | None:
        if self.finished is None:
            return None
        return (self.finished - self.started).total_seconds()


class SyncHistory(NamedTuple):
    runs: tuple[SyncRunRow, ...]
    #: over ``SYNC_RATE_DAYS`` days: runs that ended, succeeded, failed (cancelled ones aside)
    succeeded: int
    failed: int
    incremental_ms: float | None

    @property
    def success_rate(self) -> float | None:
        ended = self.succeeded + self.failed
        return self.succeeded / ended if ended else None


def sync_history(conn: sqlite3.Connection, now: datetime) -> SyncHistory:
    since = to_text(now - timedelta(days=SYNC_RATE_DAYS))
    newest = conn.execute("SELECT max(started) FROM sync_runs").fetchone()[0]
    columns = "started, finished, kind, requests, fetched, created, updated, deleted, failed, error"

    def run(row: Sequence[Any]) -> SyncRunRow:
        started, finished, kind, requests, fetched, created, updated, deleted, failed, error = row
        return SyncRunRow(
            started=parse_text(started) or now,
            finished=parse_text(finished),
            kind=str(kind),
            requests=int(requests or 0),
            fetched=int(fetched or 0),
            created=int(created or 0),
            updated=int(updated or 0),
            deleted=int(deleted or 0),
            failed=int(failed or 0),
            error=None if error is None else str(error),
            outcome=_outcome(finished, error, started == newest),
        )

    shown = tuple(
        run(row)
        for row in conn.execute(
            f"SELECT {columns} FROM sync_runs ORDER BY started DESC LIMIT ?", (SYNC_RUNS_SHOWN,)
        )
    )
    recent = [
        run(row)
        for row in conn.execute(f"SELECT {columns} FROM sync_runs WHERE started >= ?", (since,))
    ]
    incremental = sorted(
        (r.seconds or 0.0) * 1000 for r in recent if r.outcome == "ok" and r.kind == "incremental"
    )
    return SyncHistory(
        runs=shown,
        succeeded=sum(r.outcome == "ok" for r in recent),
        failed=sum(r.outcome in ("failed", "interrupted") for r in recent),
        incremental_ms=incremental[len(incremental) // 2] if incremental else None,
    )


def _outcome(finished: object, error: object, newest: bool) -> str:
    if error == CANCELLED:
        return "cancelled"
    if error is not None:
        return "failed"
    if finished is None:
        return "running" if newest else "interrupted"
    return "ok"


# -- queries and cache ------------------------------------------------------------------------


class OperationFigures(NamedTuple):
    """One service operation's durations and cache hits, this session or over days."""

    operation: str
    calls: int
    cache_hits: int
    p50_ms: float | None
    p95_ms: float | None
    mean_ms: float | None


class QueryFigures(NamedTuple):
    session: tuple[OperationFigures, ...]
    recent_days: tuple[OperationFigures, ...]
    startup_ms: float | None
    startup_days_ms: float | None

    @staticmethod
    def hit_rate(operations: Sequence[OperationFigures]) -> float | None:
        """Cache hits over the calls that consult the cache (page, window, count)."""
        cached = [op for op in operations if op.operation.split(".")[-1] in CACHED_OPERATIONS]
        calls = sum(op.calls for op in cached)
        return sum(op.cache_hits for op in cached) / calls if calls else None

    @staticmethod
    def mean_ms(operations: Sequence[OperationFigures], search: bool) -> float | None:
        chosen = [
            op
            for op in operations
            if op.operation != STARTUP
            and op.mean_ms is not None
            and op.operation.startswith("search.") == search
        ]
        calls = sum(op.calls for op in chosen)
        return sum(op.calls * (op.mean_ms or 0.0) for op in chosen) / calls if calls else None


#: The operations whose calls consult the service's cache.
CACHED_OPERATIONS = ("page", "window", "count")


def session_figures(samples: Sequence[Sample], recorder: QueryRecorder) -> list[OperationFigures]:
    """Per operation from this session's ring: exact percentiles of the samples kept."""
    by_operation: dict[str, list[Sample]] = {}
    for sample in samples:
        by_operation.setdefault(sample.operation, []).append(sample)
    totals = recorder.session_totals()
    figures = []
    for operation, kept in sorted(by_operation.items()):
        durations = sorted(s.ms for s in kept)
        calls, hits = totals.get(operation, (len(kept), sum(bool(s.cache_hit) for s in kept)))
        figures.append(
            OperationFigures(
                operation=operation,
                calls=calls,
                cache_hits=hits,
                p50_ms=_percentile(durations, 0.50),
                p95_ms=_percentile(durations, 0.95),
                mean_ms=sum(durations) / len(durations),
            )
        )
    return figures


def daily_figures(rows: Sequence[DailyStats]) -> list[OperationFigures]:
    """Per operation over the given days: percentiles from the merged histograms."""
    merged: dict[str, list[DailyStats]] = {}
    for row in rows:
        merged.setdefault(row.operation, []).append(row)
    figures = []
    for operation, days in sorted(merged.items()):
        histogram = [sum(column) for column in zip(*(d.histogram for d in days), strict=True)]
        longest = max(d.max_ms for d in days)
        calls = sum(d.calls for d in days)
        figures.append(
            OperationFigures(
                operation=operation,
                calls=calls,
                cache_hits=sum(d.cache_hits for d in days),
                p50_ms=histogram_percentile(histogram, 0.50, longest),
                p95_ms=histogram_percentile(histogram, 0.95, longest),
                mean_ms=sum(d.total_ms for d in days) / calls if calls else None,
            )
        )
    return figures


def query_figures(
    conn: sqlite3.Connection, today: date, recorder: QueryRecorder | None
) -> QueryFigures:
    """This session's figures (none for a command) and the last ``QUERY_DAYS`` days'."""
    days = daily_figures(daily_since(conn, today - timedelta(days=QUERY_DAYS - 1)))
    session: list[OperationFigures] = []
    startup_ms = None
    if recorder is not None:
        samples = recorder.samples()
        session = session_figures(samples, recorder)
        startups = [s.ms for s in samples if s.operation == STARTUP]
        startup_ms = startups[-1] if startups else None
    startup_days = next((op.mean_ms for op in days if op.operation == STARTUP), None)
    return QueryFigures(tuple(session), tuple(days), startup_ms, startup_days)


# -- helpers ----------------------------------------------------------------------------------


def _owner_scope(owner: int | None) -> tuple[str, list[object]]:
    if owner is None:
        return "1", []
    return "c.owner_id = ?", [owner]


def _sole_owner(conn: sqlite3.Connection, owner: int) -> bool:
    """Whether ``owner`` owns every contact (index seeks only)."""
    others = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM contacts WHERE owner_id < ?)"
        " OR EXISTS (SELECT 1 FROM contacts WHERE owner_id > ?)"
        " OR EXISTS (SELECT 1 FROM contacts WHERE owner_id IS NULL)",
        (owner, owner),
    ).fetchone()[0]
    return not others


def _clamp(score: Any) -> int:
    return max(0, min(SCORE_MAX, int(score or 0)))


def _counts(stored: Any) -> tuple[int, ...]:
    values = json.loads(stored) if isinstance(stored, str) else stored
    counts = [int(v) for v in values or []][:SCORES]
    return tuple(counts + [0] * (SCORES - len(counts)))


def _percentile(ordered: Sequence[float], fraction: float) -> float | None:
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# -- one section at a time, on a connection of its own ----------------------------------------

#: The sections the Insights view fills in as each is computed.
SECTIONS = ("warmness", "organizations", "campaign", "activity", "monitoring")


class WarmnessSection(NamedTuple):
    owner_id: int | None
    mix: WarmnessMix
    history: tuple[MixOfDay, ...]


class MonitoringSection(NamedTuple):
    sync: SyncHistory
    queries: QueryFigures
    #: why this session's figures could not be added to the per-day table (None: they were)
    flush_error: str | None
    #: share of My-500 linked to an organization (None: no contacts)
    coverage: float | None


def compute_section(
    db_path: Path, section: str, now: datetime, recorder: QueryRecorder | None = None
) -> object:
    """One section's figures, read on a connection opened and closed here, so any thread
    may call it. The monitoring section first adds ``recorder``'s pending figures to the
    per-day table (a few rows)."""
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}")
    conn = sqlite3.connect(db_path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        owner = owner_id(conn)
        if section == "warmness":
            mix = warmness_mix(conn, owner)
            return WarmnessSection(owner, mix, tuple(warmness_history(conn, now.date())))
        if section == "organizations":
            return organization_figures(conn, owner, now)
        if section == "campaign":
            return campaign_figures(conn, owner, now)
        if section == "activity":
            return activity_weeks(conn, owner, now.date())
        error = None  # the monitoring section
        if recorder is not None:
            try:
                flush(conn, recorder)
            except sqlite3.Error as exc:  # e.g. a sync holding the mirror too long
                error = str(exc)
        contacts, linked = organization_coverage(conn, owner)
        return MonitoringSection(
            sync_history(conn, now),
            query_figures(conn, now.date(), recorder),
            error,
            linked / contacts if contacts else None,
        )
    finally:
        conn.close()
