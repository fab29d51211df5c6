"""How fast the read path answers, kept on this machine only.

Every service call wrapped by :func:`recorded` leaves one sample (operation, duration,
cache hit) in a bounded in-memory ring, for this session's figures, and adds itself to
a per-day aggregate that :func:`flush` writes to ``query_stats_daily``: calls, cache
hits, total and longest duration, and a histogram over fixed log-spaced buckets
(:data:`BUCKET_BOUNDS_MS`). Nothing of it ever leaves the machine.

Recording costs a lock and a few additions, and never touches the database: the
read path runs on the UI thread, so the aggregate is written later, off it (when the
Insights view opens, and when the window closes).
"""

from __future__ import annotations

import functools
import json
import logging
import math
import sqlite3
import threading
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, ParamSpec, TypeVar

from pipedriven_desktop.store.clock import utcnow

__all__ = [
    "BUCKET_BOUNDS_MS",
    "RECORDER",
    "DailyStats",
    "QueryRecorder",
    "Sample",
    "bucket_of",
    "daily_since",
    "flush",
    "histogram_percentile",
    "note_cache_lookup",
    "recorded",
    "save_query_stats",
]

#: Upper bounds (inclusive, in ms) of the duration buckets: 1-2-5 steps from 0.1 ms to
#: 5 s, log-spaced so that a fast cached read and a slow cold query both land in a
#: bucket of their own size; one more bucket holds everything above 5 s.
BUCKET_BOUNDS_MS: tuple[float, ...] = (
    0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000,
)  # fmt: skip
BUCKETS = len(BUCKET_BOUNDS_MS) + 1
#: Samples kept for this session's percentiles; the oldest give way.
RING_SIZE = 4096
#: The operation under which the app's start-up (process start → My-500 painted) is kept.
STARTUP = "startup"

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class Sample(NamedTuple):
    """One recorded call. ``cache_hit`` is None for calls that consult no cache."""

    at: datetime
    operation: str
    ms: float
    cache_hit: bool | None


@dataclass
class _Aggregate:
    calls: int = 0
    cache_hits: int = 0
    total_ms: float = 0.0
    max_ms: float = 0.0
    histogram: list[int] = field(default_factory=lambda: [0] * BUCKETS)

    def add(self, ms: float, cache_hit: bool | None) -> None:
        self.calls += 1
        self.cache_hits += 1 if cache_hit else 0
        self.total_ms += ms
        self.max_ms = max(self.max_ms, ms)
        self.histogram[bucket_of(ms)] += 1

    def merge(self, other: _Aggregate) -> None:
        self.calls += other.calls
        self.cache_hits += other.cache_hits
        self.total_ms += other.total_ms
        self.max_ms = max(self.max_ms, other.max_ms)
        self.histogram = [a + b for a, b in zip(self.histogram, other.histogram, strict=True)]


class DailyStats(NamedTuple):
    """One day's row of ``query_stats_daily``."""

    day: date
    operation: str
    calls: int
    cache_hits: int
    total_ms: float
    max_ms: float
    histogram: tuple[int, ...]


def bucket_of(ms: float) -> int:
    """Index of the bucket a duration falls in (the last one: above 5 s)."""
    return bisect_left(BUCKET_BOUNDS_MS, ms)


def histogram_percentile(histogram: Sequence[int], fraction: float, max_ms: float) -> float | None:
    """The upper bound of the bucket holding the ``fraction`` quantile (an upper estimate);
    ``max_ms`` stands for the open last bucket, and caps every bound. None when empty."""
    total = sum(histogram)
    if total == 0:
        return None
    wanted = max(1, math.ceil(fraction * total))  # nearest rank
    seen = 0
    for index, count in enumerate(histogram):
        seen += count
        if seen >= wanted:
            bound = BUCKET_BOUNDS_MS[index] if index < len(BUCKET_BOUNDS_MS) else max_ms
            return min(float(bound), max_ms)
    return max_ms


class QueryRecorder:
    """The ring of recent samples and the per-day aggregate not yet written. Thread-safe."""

    def __init__(self, ring_size: int = RING_SIZE) -> None:
        self._lock = threading.Lock()
        self._ring: deque[Sample] = deque(maxlen=ring_size)
        self._pending: dict[tuple[date, str], _Aggregate] = {}
        self._session: dict[str, _Aggregate] = {}

    def record(
        self, operation: str, ms: float, cache_hit: bool | None, at: datetime | None = None
    ) -> None:
        moment = at or utcnow()  # days are UTC days, as everywhere in the store
        sample = Sample(moment, operation, ms, cache_hit)
        with self._lock:
            self._ring.append(sample)
            key = (moment.date(), operation)
            pending = self._pending.get(key)
            if pending is None:
                pending = self._pending[key] = _Aggregate()
            pending.add(ms, cache_hit)
            session = self._session.get(operation)
            if session is None:
                session = self._session[operation] = _Aggregate()
            session.add(ms, cache_hit)

    def samples(self) -> list[Sample]:
        """The ring's samples, oldest first."""
        with self._lock:
            return list(self._ring)

    def session_totals(self) -> dict[str, tuple[int, int]]:
        """Per operation since the process started: (calls, cache hits)."""
        with self._lock:
            return {op: (agg.calls, agg.cache_hits) for op, agg in self._session.items()}

    def take_pending(self) -> dict[tuple[date, str], _Aggregate]:
        with self._lock:
            pending, self._pending = self._pending, {}
        return pending

    def give_back(self, pending: dict[tuple[date, str], _Aggregate]) -> None:
        """A flush that failed returns what it took, so the next one writes it."""
        with self._lock:
            for key, aggregate in pending.items():
                mine = self._pending.get(key)
                if mine is None:
                    self._pending[key] = aggregate
                else:
                    mine.merge(aggregate)

    def clear(self) -> None:
        with self._lock:
            self._ring.clear()
            self._pending.clear()
            self._session.clear()


#: The process's recorder: the service calls and the start-up write to it.
RECORDER = QueryRecorder()

_calls = threading.local()


def note_cache_lookup(hit: bool) -> None:
    """Called by a cache on each lookup: the first lookup of a recorded call decides
    whether that call counts as a cache hit."""
    state = getattr(_calls, "hit", _NO_CALL)
    if state is None:  # inside a recorded call, no lookup yet
        _calls.hit = hit


_NO_CALL = object()


def _operation_name(operation: str, args: Sequence[Any]) -> str:
    """A call whose filter searches is kept apart: its target is search's, not a query's."""
    first = args[1] if len(args) > 1 else None
    return f"search.{operation}" if getattr(first, "search", "") else operation


def recorded(
    operation: str, recorder: QueryRecorder | None = None
) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Record each call of a service method under ``operation`` (calls made inside another
    recorded call are part of it, not samples of their own)."""

    def wrap(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def call(*args: P.args, **kwargs: P.kwargs) -> R:
            if getattr(_calls, "hit", _NO_CALL) is not _NO_CALL:
                return method(*args, **kwargs)  # nested: the outer call records
            _calls.hit = None
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                ms = (time.perf_counter() - started) * 1000
                hit = _calls.hit
                del _calls.hit
                (recorder or RECORDER).record(_operation_name(operation, args), ms, hit)

        return call

    return wrap


# -- the per-day table ----------------------------------------------------------------------------

_SELECT_DAY = (
    "SELECT calls, cache_hits, total_ms, max_ms, histogram FROM query_stats_daily"
    " WHERE day = ? AND operation = ?"
)
_UPSERT = (
    "INSERT INTO query_stats_daily (day, operation, calls, cache_hits, total_ms, max_ms, histogram)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (day, operation) DO UPDATE SET calls = excluded.calls,"
    " cache_hits = excluded.cache_hits, total_ms = excluded.total_ms,"
    " max_ms = excluded.max_ms, histogram = excluded.histogram"
)


def flush(conn: sqlite3.Connection, recorder: QueryRecorder | None = None) -> int:
    """Add what ``recorder`` gathered since the last flush to ``query_stats_daily``, in one
    transaction; the rows written. On failure the figures stay pending and the error rises."""
    source = recorder or RECORDER
    pending = source.take_pending()
    if not pending:
        return 0
    try:
        with conn:
            for (day, operation), aggregate in sorted(pending.items()):
                stored = conn.execute(_SELECT_DAY, (day.isoformat(), operation)).fetchone()
                merged = _Aggregate()
                if stored is not None:
                    merged = _Aggregate(
                        int(stored[0]),
                        int(stored[1]),
                        float(stored[2]),
                        float(stored[3]),
                        _histogram(stored[4]),
                    )
                merged.merge(aggregate)
                conn.execute(
                    _UPSERT,
                    (
                        day.isoformat(),
                        operation,
                        merged.calls,
                        merged.cache_hits,
                        merged.total_ms,
                        merged.max_ms,
                        json.dumps(merged.histogram),
                    ),
                )
    except BaseException:
        source.give_back(pending)
        raise
    return len(pending)


def daily_since(conn: sqlite3.Connection, first_day: date) -> list[DailyStats]:
    """The rows from ``first_day`` on, oldest first."""
    found = conn.execute(
        "SELECT day, operation, calls, cache_hits, total_ms, max_ms, histogram"
        " FROM query_stats_daily WHERE day >= ? ORDER BY day, operation",
        (first_day.isoformat(),),
    )
    return [
        DailyStats(
            date.fromisoformat(str(day)[:10]),
            str(operation),
            int(calls),
            int(hits),
            float(total),
            float(longest),
            tuple(_histogram(histogram)),
        )
        for day, operation, calls, hits, total, longest, histogram in found
    ]


def _histogram(stored: object) -> list[int]:
    """A stored histogram, fitted to today's buckets (a shorter list is padded)."""
    values: Iterable[Any] = json.loads(stored) if isinstance(stored, str) else []
    counts = [int(v) for v in values][:BUCKETS]
    return counts + [0] * (BUCKETS - len(counts))


def save_query_stats(conn: sqlite3.Connection) -> None:
    """On quit: write what is pending; a mirror that refuses (locked, read-only) loses only
    this session's figures, said in the log, and never stops the app from closing."""
    try:
        flush(conn)
    except (sqlite3.Error, OSError) as exc:
        logger.warning("query figures of this session not saved: %s", exc)
