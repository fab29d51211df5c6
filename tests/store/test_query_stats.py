"""The monitoring of the read path: a bounded ring, per-day rows, buckets, percentiles."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import date, datetime

import pytest

from pipedriven_desktop.store import query_stats
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.query_stats import (
    BUCKET_BOUNDS_MS,
    BUCKETS,
    QueryRecorder,
    bucket_of,
    daily_since,
    flush,
    histogram_percentile,
    save_query_stats,
)
from tests.store.test_contact_service import add_contact

DAY = datetime(2026, 11, 20, 9, 30)


@pytest.fixture
def recorder() -> Iterator[QueryRecorder]:
    """The process's recorder, emptied before and after, so samples are this test's."""
    query_stats.RECORDER.clear()
    yield query_stats.RECORDER
    query_stats.RECORDER.clear()


def test_buckets_are_log_spaced_and_bounds_are_inclusive() -> None:
    assert bucket_of(0.05) == 0
    assert bucket_of(0.1) == 0
    assert bucket_of(0.11) == 1
    assert bucket_of(12.0) == BUCKET_BOUNDS_MS.index(20)
    assert bucket_of(99_999.0) == BUCKETS - 1
    ratios = {round(b / a, 1) for a, b in itertools.pairwise(BUCKET_BOUNDS_MS)}
    assert ratios <= {2.0, 2.5}


def test_the_ring_keeps_the_newest_samples_only() -> None:
    recorder = QueryRecorder(ring_size=3)
    for ms in (1.0, 2.0, 3.0, 4.0, 5.0):
        recorder.record("page", ms, False, at=DAY)
    assert [s.ms for s in recorder.samples()] == [3.0, 4.0, 5.0]
    assert recorder.session_totals() == {"page": (5, 0)}


def test_percentile_is_the_upper_bound_of_the_bucket_holding_it() -> None:
    histogram = [0] * BUCKETS
    histogram[bucket_of(3.0)] = 50  # ≤ 5 ms
    histogram[bucket_of(40.0)] = 45  # ≤ 50 ms
    histogram[bucket_of(300.0)] = 5  # ≤ 500 ms
    assert histogram_percentile(histogram, 0.5, 320.0) == 5
    assert histogram_percentile(histogram, 0.95, 320.0) == 50
    assert histogram_percentile(histogram, 0.99, 320.0) == 320.0  # capped by the longest
    assert histogram_percentile([0] * BUCKETS, 0.5, 0.0) is None


def test_flush_writes_one_row_per_day_and_operation_and_adds_to_it_later(db: Database) -> None:
    recorder = QueryRecorder()
    recorder.record("page", 4.0, False, at=DAY)
    recorder.record("page", 0.05, True, at=DAY)
    recorder.record("count", 1.5, True, at=DAY)
    recorder.record("page", 30.0, False, at=datetime(2026, 11, 21, 8, 0))
    assert flush(db.reader(), recorder) == 3
    assert flush(db.reader(), recorder) == 0  # nothing new
    recorder.record("page", 700.0, True, at=DAY)
    assert flush(db.reader(), recorder) == 1

    rows = {(r.day, r.operation): r for r in daily_since(db.reader(), date(2026, 11, 20))}
    page = rows[(date(2026, 11, 20), "page")]
    assert (page.calls, page.cache_hits) == (3, 2)
    assert page.total_ms == pytest.approx(704.05)
    assert page.max_ms == 700.0
    expected = [0] * BUCKETS
    for ms in (4.0, 0.05, 700.0):
        expected[bucket_of(ms)] += 1
    assert list(page.histogram) == expected
    assert rows[(date(2026, 11, 21), "page")].calls == 1
    assert rows[(date(2026, 11, 20), "count")].cache_hits == 1
    assert daily_since(db.reader(), date(2026, 11, 21)) == [rows[(date(2026, 11, 21), "page")]]
    stored = db.reader().execute("SELECT histogram FROM query_stats_daily LIMIT 1").fetchone()[0]
    assert len(json.loads(stored)) == BUCKETS


def test_a_failed_flush_keeps_the_figures_for_the_next(db: Database) -> None:
    recorder = QueryRecorder()
    recorder.record("page", 4.0, False, at=DAY)
    conn = db.reader()
    conn.execute("ALTER TABLE query_stats_daily RENAME TO moved")
    with pytest.raises(Exception, match="query_stats_daily"):
        flush(conn, recorder)
    conn.execute("ALTER TABLE moved RENAME TO query_stats_daily")
    assert flush(conn, recorder) == 1
    assert daily_since(conn, DAY.date())[0].calls == 1


def test_service_calls_are_recorded_with_their_cache_hit(
    db: Database, recorder: QueryRecorder
) -> None:
    add_contact(db, "Ada Lovelace")
    service = ContactService(db)
    mine = ContactFilter(owner_id=1)
    service.window(mine, 0, 50)
    service.window(mine, 0, 50)  # same state: from the cache
    service.count_in_all_contacts(mine)  # a nested count is part of this call
    service.window(ContactFilter(owner_id=1, search="ada"), 0, 50)
    service.contact("no such id")
    got = [(s.operation, s.cache_hit) for s in recorder.samples()]
    assert got == [
        ("window", False),
        ("window", True),
        ("count", False),
        ("search.window", False),
        ("contact", None),
    ]
    assert all(s.ms >= 0 for s in recorder.samples())
    assert recorder.session_totals()["window"] == (2, 1)


def test_saving_on_quit_logs_a_refusal_instead_of_raising(
    db: Database, recorder: QueryRecorder, caplog: pytest.LogCaptureFixture
) -> None:
    recorder.record("page", 4.0, False, at=DAY)
    conn = db.reader()
    conn.execute("ALTER TABLE query_stats_daily RENAME TO moved")
    save_query_stats(conn)  # no exception: the app still closes
    assert "query figures of this session not saved" in caplog.text
    conn.execute("ALTER TABLE moved RENAME TO query_stats_daily")
    save_query_stats(conn)
    assert daily_since(conn, DAY.date())[0].calls == 1
