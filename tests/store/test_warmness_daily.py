"""``warmness_daily``: one row per day with the contacts at each score, mine and all."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import OWNER_KEY, set_meta
from pipedriven_desktop.store.warmness_daily import mix_since, record_today

NOW = datetime(2026, 11, 30, 10, 15, tzinfo=UTC)
OWNER = 7


def _add_contacts(db: Database, scores_and_owners: list[tuple[int, int | None]]) -> None:
    with db.session() as session:
        conn = session.connection()
        set_meta(conn, OWNER_KEY, str(OWNER))
        conn.exec_driver_sql(
            "INSERT INTO contacts (id, name, owner_id, warmness_score, created_at, updated_at)"
            " VALUES (lower(hex(randomblob(16))), 'x', ?, ?, '2026-01-01', '2026-01-01')",
            [(owner, score) for score, owner in scores_and_owners],
        )


def _histogram(scores: list[int]) -> tuple[int, ...]:
    counts = Counter(scores)
    return tuple(counts[score] for score in range(11))


def test_todays_row_counts_each_score_for_the_owner_and_for_everyone(db: Database) -> None:
    rng = random.Random(2)
    contacts = [(rng.randint(0, 10), rng.choice([OWNER, OWNER, 8, None])) for _ in range(400)]
    _add_contacts(db, contacts)
    with db.session() as session:
        written = record_today(session.connection(), NOW)
    (row,) = mix_since(db.reader(), NOW.date())
    assert row == written
    assert row.day == NOW.date()
    assert row.all_contacts == _histogram([score for score, _ in contacts])
    assert row.my500 == _histogram([score for score, owner in contacts if owner == OWNER])
    assert row.recorded_at == NOW.replace(tzinfo=None)


def test_a_later_pass_the_same_day_replaces_the_row_and_days_read_back_in_order(
    db: Database,
) -> None:
    _add_contacts(db, [(3, OWNER), (9, 8)])
    for days_ago in (3, 1, 2):
        with db.session() as session:
            record_today(session.connection(), NOW - timedelta(days=days_ago))
    _add_contacts(db, [(9, OWNER)])
    with db.session() as session:
        record_today(session.connection(), NOW - timedelta(days=1, hours=-2))
    days = mix_since(db.reader(), (NOW - timedelta(days=2)).date())
    assert [mix.day for mix in days] == [date(2026, 11, 28), date(2026, 11, 29)]
    latest = days[-1]
    assert latest.my500[9] == 1
    assert latest.all_contacts[9] == 2
    assert days[0].all_contacts[9] == 1
    assert len(mix_since(db.reader(), date(2026, 1, 1))) == 3


def test_without_a_signed_in_owner_my500_counts_nothing(db: Database) -> None:
    _add_contacts(db, [(4, OWNER), (5, 8)])
    with db.session() as session:
        set_meta(session.connection(), OWNER_KEY, None)
        mix = record_today(session.connection(), NOW)
    assert sum(mix.my500) == 0
    assert sum(mix.all_contacts) == 2
