"""The scoring pass: the daily pass visits only contacts time moved, yet misses none."""

from __future__ import annotations

import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from pipedriven_desktop.domain.warmness import (
    ActivityFact,
    ContactFacts,
    LeadStatusValues,
    change_reason,
    compute_warmness,
)
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.meta import SCORES_DAY_KEY, set_meta
from pipedriven_desktop.store.score_breakdowns import BREAKDOWN_SQL
from pipedriven_desktop.store.score_history import recent_changes
from pipedriven_desktop.store.warmness_daily import mix_since
from pipedriven_desktop.sync import scoring
from pipedriven_desktop.sync.breakdown_text import breakdown_text
from pipedriven_desktop.sync.scoring import _why, rescore
from tests.synthetic import populate

NOW = datetime(2026, 3, 10, 15, 45, tzinfo=UTC)
#: Later moments as (days, hour), each on a new UTC day (time moves scores once a day):
#: across the 7 / 30 / 90-day brackets, at early and late hours.
LATER = (
    (1, 9),
    (2, 1),
    (3, 23),
    (6, 2),
    (7, 16),
    (8, 5),
    (12, 12),
    (29, 22),
    (30, 3),
    (31, 18),
    (45, 0),
    (60, 8),
    (89, 23),
    (90, 4),
    (91, 20),
    (92, 6),
    (120, 10),
)

Snapshot = dict[str, tuple[int, str]]


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "mirror.sqlite3")
    populate(database, contacts=300, activities_per_contact=4, seed=7, now=NOW.replace(tzinfo=None))
    return database


def _snapshot(db: Database) -> Snapshot:
    rows = db.reader().execute(f"SELECT c.id, c.warmness_score, {BREAKDOWN_SQL} FROM contacts c")
    return {contact_id: (score, breakdown) for contact_id, score, breakdown in rows}


def _full_pass(db: Database, now: datetime) -> Snapshot:
    with db.session() as session:
        set_meta(session.connection(), SCORES_DAY_KEY, None)
    looked_at = rescore(db, now)
    assert looked_at == 300
    return _snapshot(db)


def test_daily_passes_equal_full_passes(db: Database) -> None:
    """Fails if a contact whose score time moved is left out of the daily pass."""
    _full_pass(db, NOW)
    visited = []
    for days, hour in LATER:
        moment = (NOW + timedelta(days=days)).replace(hour=hour)
        visited.append(rescore(db, moment))
        daily = _snapshot(db)
        assert _full_pass(db, moment) == daily, f"{days} days later"
    # The daily pass is worth having: it visits far fewer contacts than all of them.
    assert min(visited) < 300 // 4


def test_nothing_written_when_nothing_changed(db: Database) -> None:
    _full_pass(db, NOW)
    stamps = db.reader().execute("SELECT id, score_computed_at FROM contacts").fetchall()
    _full_pass(db, NOW + timedelta(hours=1))
    assert db.reader().execute("SELECT id, score_computed_at FROM contacts").fetchall() == stamps


def test_a_changed_score_is_kept_in_the_history(db: Database) -> None:
    with db.session() as session:
        session.connection().exec_driver_sql(
            "UPDATE contacts SET warmness_breakdown = NULL, score_breakdown_id = NULL"
        )
    _full_pass(db, NOW)
    contact_id, score = (
        db.reader()
        .execute(
            "SELECT id, warmness_score FROM contacts WHERE last_contacted IS NOT NULL"
            " AND email IS NOT NULL ORDER BY last_contacted DESC LIMIT 1"
        )
        .fetchone()
    )
    assert recent_changes(db.reader(), contact_id) == [], "a first score is no change"
    later = NOW + timedelta(days=200)
    rescore(db, later)
    (new,) = (
        db.reader()
        .execute("SELECT warmness_score FROM contacts WHERE id = ?", (contact_id,))
        .fetchone()
    )
    assert new != score
    (change,) = recent_changes(db.reader(), contact_id)
    assert (change.changed_on, change.old_score, change.new_score) == (later.date(), score, new)
    assert change.why


def test_breakdown_text_is_the_json_of_the_breakdown() -> None:
    rng = random.Random(3)
    kinds = ("call", "meeting", "email", "task", "Lunch")
    for _ in range(2000):
        activities = tuple(
            ActivityFact(
                rng.choice(kinds),
                (NOW + timedelta(days=rng.randint(-40, 20))).date() if rng.random() < 0.9 else None,
                rng.random() < 0.5,
            )
            for _ in range(rng.randint(0, 5))
        )
        facts = ContactFacts(
            has_email=rng.random() < 0.5,
            has_phone=rng.random() < 0.5,
            has_organization=rng.random() < 0.5,
            has_job_title=rng.random() < 0.5,
            activities=activities,
            total_deal_value=rng.choice([0.0, 500.0, 1500.5, 20_000.0, 123_456.78]),
            lead_status=rng.choice([None, "qualified", "Contacted", "no_consent", "Qualifié"]),
            last_activity=NOW - timedelta(days=rng.randint(-2, 120), hours=rng.randint(0, 23))
            if rng.random() < 0.8
            else None,
            incoming_mail_count=rng.choice([None, 1, 5]),
            outgoing_mail_count=rng.choice([None, 0, 3]),
            lost_deal_count=rng.randint(0, 2),
            last_incoming_mail=rng.choice([None, NOW - timedelta(days=3)]),
            last_outgoing_mail=rng.choice([None, NOW - timedelta(days=5)]),
        )
        warmness = compute_warmness(facts, NOW)
        expected = json.dumps(warmness.to_json(), separators=(",", ":"), ensure_ascii=False)
        assert breakdown_text(warmness) == expected


def test_each_pass_records_todays_warmness_mix(db: Database) -> None:
    _full_pass(db, NOW)
    later = NOW + timedelta(days=100)
    rescore(db, later)
    mixes = mix_since(db.reader(), NOW.date())
    assert [mix.day for mix in mixes] == [NOW.date(), later.date()]
    scores = [row[0] for row in db.reader().execute("SELECT warmness_score FROM contacts")]
    owner = db.reader().execute("SELECT value FROM app_meta WHERE key = 'owner_id'").fetchone()[0]
    mine = [
        row[0]
        for row in db.reader().execute(
            "SELECT warmness_score FROM contacts WHERE owner_id = ?", (int(owner),)
        )
    ]
    assert mixes[-1].all_contacts == tuple(scores.count(score) for score in range(11))
    assert mixes[-1].my500 == tuple(mine.count(score) for score in range(11))
    assert mixes[0].all_contacts != mixes[-1].all_contacts, "a hundred days move scores"


def test_the_history_words_read_from_stored_text_match_the_parsed_breakdowns() -> None:
    """The pass reads earned reasons with a pattern; they must be what the JSON says,
    quotes, backslashes and accents in a lead status included."""
    rng = random.Random(8)
    leads = [None, 'Hot "A" lead', "back\\slash", "Qualifié", "contacted"]
    texts = []
    for _ in range(60):
        facts = ContactFacts(
            has_email=rng.random() < 0.5,
            has_phone=rng.random() < 0.5,
            has_organization=rng.random() < 0.5,
            has_job_title=False,
            lead_status=rng.choice(leads),
            last_activity=NOW - timedelta(days=rng.randint(0, 120)),
            total_deal_value=rng.choice([0.0, 2000.0]),
            last_incoming_mail=rng.choice([None, NOW - timedelta(days=2)]),
        )
        values = LeadStatusValues(qualified=('Hot "A" lead', "back\\slash", "Qualifié"))
        texts.append(breakdown_text(compute_warmness(facts, NOW, values)))
    for old, new in pairwise(texts):
        assert _why(old, new) == change_reason(json.loads(old), json.loads(new))
    assert _why("null", texts[0]) is None
    assert any("Hot" in (_why(old, new) or "") for old, new in pairwise(texts))


def test_a_pass_moving_most_scores_rebuilds_their_indexes_as_they_were(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same rows as moving each entry, and the same indexes and planner statistics."""
    first = _full_pass(db, NOW)
    other = tmp_path / "chunked.sqlite3"
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(db.path, other)
    schema = "SELECT type, name, sql FROM sqlite_master ORDER BY name"
    stats = "SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx"
    before = (db.reader().execute(schema).fetchall(), db.reader().execute(stats).fetchall())
    assert any("warmness_score" in (sql or "") for _kind, _name, sql in before[0])
    later = NOW + timedelta(days=200)

    monkeypatch.setattr(scoring, "REBUILD_MIN", 10**9)
    chunked = open_database(other)
    rescore(chunked, later)
    monkeypatch.setattr(scoring, "REBUILD_MIN", 1)
    rescore(db, later)

    assert (db.reader().execute(schema).fetchall(), db.reader().execute(stats).fetchall()) == before
    assert _snapshot(db) == _snapshot(chunked)
    moved = sum(first[key][0] != score for key, (score, _text) in _snapshot(db).items())
    assert moved > len(first) // 2
    assert db.reader().execute("PRAGMA integrity_check").fetchone() == ("ok",)
    chunked.close()


def test_only_a_pass_changing_most_of_all_contacts_rebuilds_the_indexes(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass over a few contacts that all change must not rebuild indexes over all."""
    _full_pass(db, NOW)
    rebuilt: list[bool] = []
    real = scoring._score_indexes_rebuilt

    def spy(raw: Any) -> Any:
        rebuilt.append(True)
        return real(raw)

    monkeypatch.setattr(scoring, "_score_indexes_rebuilt", spy)
    monkeypatch.setattr(scoring, "REBUILD_MIN", 1)
    with db.session() as session:
        session.connection().exec_driver_sql(
            "UPDATE contacts SET job_title = 'Changed title', score_computed_at = NULL"
            " WHERE rowid <= 20"
        )
    assert rescore(db, NOW) == 20
    assert rebuilt == []
    with db.session() as session:
        set_meta(session.connection(), SCORES_DAY_KEY, None)
    rescore(db, NOW + timedelta(days=200))
    assert rebuilt == [True]
