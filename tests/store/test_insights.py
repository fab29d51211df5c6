"""Each Insights figure computed from a known mirror and compared with the count by hand."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from pipedriven_desktop.domain.warmness import WarmnessBand
from pipedriven_desktop.store import insights
from pipedriven_desktop.store.clock import to_text, utcnow
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import OWNER_KEY, set_meta
from pipedriven_desktop.store.models import Activity
from pipedriven_desktop.store.query_stats import QueryRecorder, flush
from tests.store.test_contact_service import add_contact, add_org

NOW = datetime(2026, 11, 25, 12, 0, 0)  # a Wednesday
TODAY = NOW.date()
RECORDED = "2026-11-25 06:00:00.000000"
ME = 1


def set_owner(db: Database, owner: int) -> None:
    conn = db.reader()
    with conn:
        set_meta(conn, OWNER_KEY, str(owner))


def add_activity(db: Database, contact_id: str | None, kind: str, due: date) -> None:
    with db.session() as session:
        session.add(Activity(contact_id=contact_id, type=kind, due_date=due))


def org_with_activity(db: Database, name: str, last: datetime | None) -> str:
    org_id = add_org(db, name)
    conn = db.reader()
    with conn:
        conn.execute(
            "UPDATE organizations SET last_activity = ? WHERE id = ?", (to_text(last), org_id)
        )
    return org_id


@pytest.fixture
def mirror(db: Database) -> Database:
    """Mine: scores 0, 2, 2, 5, 7, 9, 9, 10; someone else's: 1, 9; one contact of no one."""
    set_owner(db, ME)
    busy = org_with_activity(db, "Busy Ltd", NOW - timedelta(days=2))
    quiet = org_with_activity(db, "Quiet GmbH", NOW - timedelta(days=45))
    never = org_with_activity(db, "Never Inc", None)
    add_contact(db, "m0", warmness_score=0, organization_id=busy, added_to_campaign=True)
    add_contact(db, "m2a", warmness_score=2, organization_id=busy)
    add_contact(db, "m2b", warmness_score=2, added_to_campaign=True,
                last_contacted=NOW - timedelta(days=10))  # fmt: skip
    add_contact(db, "m5", warmness_score=5, organization_id=quiet)
    add_contact(db, "m7", warmness_score=7, organization_id=quiet, added_to_campaign=True,
                last_contacted=NOW - timedelta(days=120))  # fmt: skip
    add_contact(db, "m9a", warmness_score=9, organization_id=quiet)
    add_contact(db, "m9b", warmness_score=9, organization_id=never)
    add_contact(db, "m10", warmness_score=10, organization_id=busy)
    add_contact(db, "o1", warmness_score=1, owner_id=2, organization_id=never)
    add_contact(db, "o9", warmness_score=9, owner_id=2, organization_id=quiet)
    add_contact(db, "nobody", warmness_score=4, owner_id=None)
    return db


def test_warmness_mix_counts_my500_and_all_contacts_per_score(mirror: Database) -> None:
    mix = insights.warmness_mix(mirror.reader(), ME)
    assert mix.my500 == (1, 0, 2, 0, 0, 1, 0, 1, 0, 2, 1)
    assert mix.all_contacts == (1, 1, 2, 0, 1, 1, 0, 1, 0, 3, 1)
    assert insights.band_counts(mix.my500) == {
        WarmnessBand.COLD: 3,
        WarmnessBand.WARM: 1,
        WarmnessBand.HOT: 4,
    }
    unknown_owner = insights.warmness_mix(mirror.reader(), None)
    assert unknown_owner.my500 == unknown_owner.all_contacts == mix.all_contacts


def test_warmness_history_reads_the_last_90_days_of_snapshots(mirror: Database) -> None:
    conn = mirror.reader()
    with conn:
        for days_ago, mix in ((0, [1] * 11), (89, [2] * 11), (90, [3] * 11), (-1, [4] * 11)):
            conn.execute(
                "INSERT INTO warmness_daily (day, my500, all_contacts, recorded_at)"
                " VALUES (?, ?, ?, ?)",
                ((TODAY - timedelta(days=days_ago)).isoformat(), json.dumps(mix), "[]", RECORDED),
            )
        conn.execute(
            "INSERT INTO warmness_daily VALUES (?, ?, '[]', ?)",
            ((TODAY - timedelta(days=5)).isoformat(), json.dumps([7, 7]), RECORDED),  # padded
        )
    history = insights.warmness_history(conn, TODAY)
    assert [h.day for h in history] == [
        TODAY - timedelta(days=89),
        TODAY - timedelta(days=5),
        TODAY,
    ]
    assert history[0].my500 == (2,) * 11
    assert history[1].my500 == (7, 7) + (0,) * 9


def test_organization_coverage_top_and_quiet_hot(mirror: Database) -> None:
    figures = insights.organization_figures(mirror.reader(), ME, NOW)
    assert (figures.contacts, figures.linked) == (8, 7)
    assert figures.coverage == pytest.approx(7 / 8)
    top = [(o.name, o.contacts, round(o.average_warmness, 2)) for o in figures.top]
    # Busy: 0, 2, 10 → 4.0; Quiet: 5, 7, 9 → 7.0 (the other owner's 9 is not mine); Never: 9.
    assert sorted(top) == [("Busy Ltd", 3, 4.0), ("Never Inc", 1, 9.0), ("Quiet GmbH", 3, 7.0)]
    assert [o.contacts for o in figures.top] == [3, 3, 1]
    # Hot (7+) contacts of mine where nothing happened for 30 days: Quiet (7, 9), Never (9).
    # Busy has a hot contact (10) but an activity two days ago.
    quiet = [(o.name, o.hot_contacts) for o in figures.quiet_hot]
    assert quiet == [("Quiet GmbH", 2), ("Never Inc", 1)]
    assert figures.quiet_hot[1].last_activity is None


def test_campaign_counts_flagged_their_mix_and_those_not_contacted_for_90_days(
    mirror: Database,
) -> None:
    figures = insights.campaign_figures(mirror.reader(), ME, NOW)
    assert figures.flagged == 3
    assert figures.mix == (1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0)
    assert figures.stale == 2  # m0 never contacted, m7 120 days ago; m2b 10 days ago


def test_activity_per_week_by_type_for_my_contacts_over_twelve_weeks(mirror: Database) -> None:
    conn = mirror.reader()
    mine = conn.execute("SELECT id FROM contacts WHERE name = 'm5'").fetchone()[0]
    theirs = conn.execute("SELECT id FROM contacts WHERE name = 'o1'").fetchone()[0]
    monday = TODAY - timedelta(days=TODAY.weekday())
    add_activity(mirror, mine, "call", TODAY)  # this week (the last)
    add_activity(mirror, mine, "call", monday)  # this week too
    add_activity(mirror, mine, "meeting", monday - timedelta(days=1))  # the week before
    add_activity(mirror, mine, "email", monday - timedelta(weeks=11))  # the first week
    add_activity(mirror, mine, "email", monday - timedelta(weeks=11, days=1))  # too old
    add_activity(mirror, mine, "call", monday + timedelta(weeks=1))  # next week: not yet
    add_activity(mirror, theirs, "call", TODAY)  # not my contact
    add_activity(mirror, None, "call", TODAY)  # nobody's
    weeks = insights.activity_weeks(conn, ME, TODAY)
    assert weeks.week_starts[0] == monday - timedelta(weeks=11)
    assert weeks.week_starts[-1] == monday
    assert len(weeks.week_starts) == 12
    zeros = [0] * 12
    assert weeks.by_type == {
        "call": (*zeros[:11], 2),
        "email": (1, *zeros[1:]),
        "meeting": (*zeros[:10], 1, 0),
    }
    assert weeks.totals == (1, *zeros[1:10], 1, 2)


def test_activity_of_a_sole_owner_counts_every_linked_activity(db: Database) -> None:
    set_owner(db, ME)
    contact = add_contact(db, "only me")
    add_activity(db, contact, "task", TODAY)
    add_activity(db, None, "task", TODAY)
    assert insights.activity_weeks(db.reader(), ME, TODAY).by_type == {"task": (0,) * 11 + (1,)}


def add_run(
    db: Database,
    started: datetime,
    seconds: float | None,
    error: str | None = None,
    kind: str = "incremental",
) -> None:
    conn = db.reader()
    finished = None if seconds is None else to_text(started + timedelta(seconds=seconds))
    with conn:
        conn.execute(
            "INSERT INTO sync_runs (id, kind, started, finished, requests, fetched, created,"
            " updated, deleted, failed, error) VALUES (?, ?, ?, ?, 8, 120, 3, 4, 1, 0, ?)",
            (f"run-{started.isoformat()}", kind, to_text(started), finished, error),
        )


def test_sync_history_outcomes_and_success_rate_over_30_days(db: Database) -> None:
    add_run(db, NOW - timedelta(days=40), 5.0, "HTTP 500")  # too old for the rate
    add_run(db, NOW - timedelta(days=20), 60.0, kind="full")
    add_run(db, NOW - timedelta(days=10), 0.4)
    add_run(db, NOW - timedelta(days=9), 0.8)
    add_run(db, NOW - timedelta(days=8), 0.6)
    add_run(db, NOW - timedelta(days=5), 2.0, "Pipedrive refused the token")
    add_run(db, NOW - timedelta(days=4), None)  # never finished: the process died
    add_run(db, NOW - timedelta(days=3), 1.0, "cancelled")  # not a failure
    add_run(db, NOW - timedelta(hours=1), None)  # under way
    history = insights.sync_history(db.reader(), NOW)
    assert [r.outcome for r in history.runs] == [
        "running",
        "cancelled",
        "interrupted",
        "failed",
        "ok",
        "ok",
        "ok",
        "ok",
        "failed",
    ]
    assert (history.succeeded, history.failed) == (4, 2)
    assert history.success_rate == pytest.approx(4 / 6)
    assert history.incremental_ms == pytest.approx(600.0)  # median of 400, 600, 800
    failed = history.runs[3]
    assert failed.error == "Pipedrive refused the token"
    assert failed.seconds == pytest.approx(2.0)
    assert (failed.requests, failed.fetched, failed.created) == (8, 120, 3)


def test_query_figures_from_the_session_ring_and_the_last_seven_days(db: Database) -> None:
    recorder = QueryRecorder()
    today = datetime.combine(TODAY, datetime.min.time())
    for ms in (1.0, 2.0, 3.0, 4.0, 100.0):
        recorder.record("window", ms, ms < 3, at=today)
    recorder.record("count", 0.5, True, at=today)
    recorder.record("contact", 7.0, None, at=today)
    recorder.record("search.window", 30.0, False, at=today)
    recorder.record("startup", 640.0, None, at=today)
    recorder.record("window", 9.0, False, at=today - timedelta(days=7))  # 8 days: too old
    flush(db.reader(), recorder)
    recorder.record("window", 50.0, False, at=today)  # after the flush: session only

    figures = insights.query_figures(db.reader(), TODAY, recorder)
    session = {op.operation: op for op in figures.session}
    window = session["window"]
    assert (window.calls, window.cache_hits) == (7, 2)  # every call of this process
    assert window.p50_ms == 4.0  # of 1, 2, 3, 4, 9, 50, 100
    assert window.p95_ms == 100.0
    days = {op.operation: op for op in figures.recent_days}
    assert days["window"].calls == 5  # the older day and the unflushed call are left out
    assert days["window"].p50_ms == 5  # 3.0 falls in the bucket up to 5 ms
    assert days["window"].mean_ms == pytest.approx(110 / 5)
    # Hit rate over the calls that consult the cache (page, window, count, searching or
    # not): window 2 of 7, count 1 of 1, search.window 0 of 1; the contact read is left out.
    assert insights.QueryFigures.hit_rate(figures.session) == pytest.approx(3 / 9)
    assert insights.QueryFigures.hit_rate(figures.recent_days) == pytest.approx(3 / 7)
    assert insights.QueryFigures.mean_ms(figures.recent_days, search=True) == 30.0
    assert insights.QueryFigures.mean_ms(figures.recent_days, search=False) == pytest.approx(
        (110 + 0.5 + 7.0) / 7
    )
    assert (figures.startup_ms, figures.startup_days_ms) == (640.0, 640.0)


def test_the_monitoring_section_saves_the_session_figures_first(db: Database) -> None:
    recorder = QueryRecorder()
    recorder.record("page", 12.0, False)
    section = insights.compute_section(db.path, "monitoring", utcnow(), recorder)
    assert isinstance(section, insights.MonitoringSection)
    assert section.flush_error is None
    assert [op.operation for op in section.queries.recent_days] == ["page"]
    assert [op.calls for op in section.queries.session] == [1]
    assert recorder.take_pending() == {}  # written, not pending any more
    assert section.coverage is None  # no contacts yet


def test_a_mirror_that_refuses_the_write_keeps_the_figures_pending(db: Database) -> None:
    recorder = QueryRecorder()
    recorder.record("page", 12.0, False)
    blocker = db.reader()
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the mirror
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(insights, "BUSY_TIMEOUT_MS", 50)
            section = insights.compute_section(db.path, "monitoring", utcnow(), recorder)
    finally:
        blocker.execute("ROLLBACK")
    assert isinstance(section, insights.MonitoringSection)
    assert section.flush_error is not None
    assert "locked" in section.flush_error
    assert len(recorder.take_pending()) == 1


def test_sections_are_named() -> None:
    with pytest.raises(ValueError, match="unknown section"):
        insights.compute_section(Path("unused.sqlite3"), "weather", utcnow())
