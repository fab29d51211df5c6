"""Breakdowns kept once each: contacts point to a shared text, read as before."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from pipedriven_desktop.store import score_breakdowns
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.score_breakdowns import (
    BREAKDOWN_SQL,
    BreakdownIds,
    prune_unused,
    prune_when_grown,
    stored_breakdown,
)
from pipedriven_desktop.sync.scoring import rescore, score_contacts
from tests.synthetic import populate

NOW = datetime(2026, 3, 10, 15, 45, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "mirror.sqlite3")
    populate(
        database, contacts=200, activities_per_contact=3, seed=11, now=NOW.replace(tzinfo=None)
    )
    return database


def _raw(session: Session) -> sqlite3.Connection:
    driver = session.connection().connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver


def _column(db: Database, sql: str) -> list[object]:
    return [row[0] for row in db.reader().execute(sql)]


def test_each_breakdown_text_is_kept_once_and_contacts_point_to_it(db: Database) -> None:
    rescore(db, NOW)
    texts = _column(db, "SELECT breakdown FROM score_breakdowns")
    assert len(texts) == len(set(texts))
    assert 1 < len(texts) < 200  # contacts share breakdowns
    assert _column(db, "SELECT count(*) FROM contacts WHERE warmness_breakdown IS NOT NULL") == [0]
    pointed = set(_column(db, "SELECT DISTINCT score_breakdown_id FROM contacts"))
    assert pointed == set(_column(db, "SELECT id FROM score_breakdowns"))
    for score, text in db.reader().execute(
        f"SELECT c.warmness_score, {BREAKDOWN_SQL} FROM contacts c"
    ):
        assert json.loads(text)["score"] == score


def test_a_breakdown_written_before_the_shared_table_is_read_then_moved(db: Database) -> None:
    rescore(db, NOW)
    contact_id, text = (
        db.reader()
        .execute(f"SELECT c.id, {BREAKDOWN_SQL} FROM contacts c ORDER BY c.rowid LIMIT 1")
        .fetchone()
    )
    # As an older release left it: the text in the row, no shared breakdown.
    with db.session() as session:
        session.connection().exec_driver_sql(
            "UPDATE contacts SET warmness_breakdown = ?, score_breakdown_id = NULL WHERE id = ?",
            (text, contact_id),
        )
    assert stored_breakdown(db.reader(), contact_id) == text
    row = ContactService(db).contact(contact_id)
    assert row is not None
    assert row.warmness_breakdown == json.loads(text)

    # Nothing about the contact changed, yet the next pass moves its text.
    with db.session() as session:
        session.connection().exec_driver_sql("DELETE FROM app_meta WHERE key = 'scores_day'")
    rescore(db, NOW + timedelta(minutes=5))
    own, shared = (
        db.reader()
        .execute(
            "SELECT warmness_breakdown, score_breakdown_id FROM contacts WHERE id = ?",
            (contact_id,),
        )
        .fetchone()
    )
    assert own is None
    assert shared is not None
    assert stored_breakdown(db.reader(), contact_id) == text


def test_texts_no_contact_points_to_are_pruned_and_the_rest_kept(db: Database) -> None:
    rescore(db, NOW)
    used = set(_column(db, "SELECT DISTINCT score_breakdown_id FROM contacts"))
    with db.session() as session:
        raw = _raw(session)
        BreakdownIds(raw).ensure(raw, ['{"orphan": 1}', '{"orphan": 2}'])
        assert prune_unused(raw, above=10_000) == 0  # few rows: left alone
        assert prune_unused(raw, above=0) == 2
    assert set(_column(db, "SELECT id FROM score_breakdowns")) == used


def test_ensure_reuses_a_text_another_writer_added(db: Database) -> None:
    with db.session() as session:
        raw = _raw(session)
        stale = BreakdownIds(raw)  # read before the other writer's row
        raw.execute("INSERT INTO score_breakdowns (breakdown) VALUES ('{\"a\": 1}')")
        stale.ensure(raw, ['{"a": 1}', '{"b": 2}'])
        rows = dict(raw.execute("SELECT breakdown, id FROM score_breakdowns").fetchall())
    assert stale.by_text == rows
    assert {stale.by_id[i] for i in rows.values()} == set(rows)


def test_scoring_a_few_contacts_looks_up_only_their_breakdowns(db: Database) -> None:
    rescore(db, NOW)
    ids = [row[0] for row in db.reader().execute("SELECT id FROM contacts LIMIT 3")]
    before = {i: stored_breakdown(db.reader(), i) for i in ids}
    statements: list[str] = []
    with db.session() as session:
        raw = _raw(session)
        raw.execute("UPDATE contacts SET score_computed_at = NULL WHERE id IN (?, ?, ?)", ids)
        raw.set_trace_callback(statements.append)
        score_contacts(session.connection(), ids, NOW)
        raw.set_trace_callback(None)
    reads = [s for s in statements if "FROM score_breakdowns" in s]
    assert reads  # it did look its breakdowns up...
    assert all("WHERE" in s for s in reads)  # ...one by one, never the whole table
    assert {i: stored_breakdown(db.reader(), i) for i in ids} == before


def test_texts_are_pruned_again_once_they_have_grown_by_half(db: Database) -> None:
    rescore(db, NOW)
    used = len(set(_column(db, "SELECT DISTINCT score_breakdown_id FROM contacts")))
    with db.session() as session:
        raw = _raw(session)
        BreakdownIds(raw).ensure(raw, ['{"orphan": 1}'])
        assert prune_when_grown(raw, above=used + 5) == 0  # too few rows
        assert prune_when_grown(raw, above=0) == 1  # never pruned yet: pruned now
        few = [f'{{"orphan": {n}}}' for n in range(used // 4)]
        BreakdownIds(raw).ensure(raw, few)
        assert prune_when_grown(raw, above=0) == 0  # grown by a quarter: kept
        BreakdownIds(raw).ensure(raw, [f'{{"more": {n}}}' for n in range(used)])
        assert prune_when_grown(raw, above=0) == len(few) + used
    assert len(_column(db, "SELECT id FROM score_breakdowns")) == used


def test_passes_prune_the_texts_of_earlier_passes_once_they_pile_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = []
    for above in (10**9, 0):  # never pruned, then pruned as they grow
        monkeypatch.setattr(score_breakdowns, "_PRUNE_ABOVE", above)
        monkeypatch.setattr(score_breakdowns, "_PRUNE_GROWTH", 1.1)
        database = open_database(tmp_path / f"mirror-{above}.sqlite3")
        populate(
            database, contacts=200, activities_per_contact=3, seed=11, now=NOW.replace(tzinfo=None)
        )
        rescore(database, NOW)
        for day in range(1, 40):  # time moves scores and texts; no pass visits everyone
            rescore(database, NOW + timedelta(days=day))
        counts.append(len(_column(database, "SELECT id FROM score_breakdowns")))
        dangling = _column(
            database,
            "SELECT count(*) FROM contacts c WHERE c.score_breakdown_id IS NOT NULL AND NOT"
            " EXISTS (SELECT 1 FROM score_breakdowns b WHERE b.id = c.score_breakdown_id)",
        )
        assert dangling == [0]
    never, pruned = counts
    assert pruned < never
