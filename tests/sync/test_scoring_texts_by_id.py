"""A pass scoring some contacts by id reads only the texts those contacts point to."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.score_breakdowns import BreakdownIds
from pipedriven_desktop.store.score_facts import FactsIds
from pipedriven_desktop.sync.scoring import _Scorer, rescore
from tests.synthetic import populate

NOW = datetime(2026, 3, 10, 15, 45, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Database:
    database = open_database(tmp_path / "mirror.sqlite3")
    populate(database, contacts=200, activities_per_contact=3, seed=5, now=NOW.replace(tzinfo=None))
    rescore(database, NOW)
    return database


def _ids(db: Database, sql: str) -> list[str]:
    return [str(row[0]) for row in db.reader().execute(sql)]


def test_contacts_scored_again_by_id_with_nothing_new_give_no_change(db: Database) -> None:
    wanted = _ids(db, "SELECT id FROM contacts ORDER BY rowid LIMIT 30")
    statements: list[str] = []
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        raw.set_trace_callback(statements.append)
        scorer = _Scorer(conn, NOW, complete=False)
        changes, looked_at = scorer.score(wanted)
        raw.set_trace_callback(None)
    assert looked_at == len(wanted)
    assert changes == []
    whole_reads = [
        sql
        for sql in statements
        if "FROM score_breakdowns" in sql or "FROM score_facts" in sql
        if "WHERE" not in sql
    ]
    assert whole_reads == []
    # Exactly the texts of the 30 contacts were read.
    pointed = set(
        _ids(
            db,
            "SELECT score_breakdown_id FROM contacts WHERE id IN"
            f" ({', '.join(repr(i) for i in wanted)})",
        )
    )
    assert {str(i) for i in scorer.breakdowns.by_id} == pointed


def test_texts_are_loaded_once_for_the_ids_asked(db: Database) -> None:
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        all_ids = [int(row[0]) for row in raw.execute("SELECT id FROM score_facts ORDER BY id")]
        facts = FactsIds(raw, complete=False)
        facts.load_ids([all_ids[0], None, all_ids[1], all_ids[0]])
        assert sorted(facts.by_id) == all_ids[:2]
        for text_id, text in facts.by_id.items():
            assert facts.by_text[text] == text_id
        statements: list[str] = []
        raw.set_trace_callback(statements.append)
        facts.load_ids([all_ids[1]])  # known already: no statement
        raw.set_trace_callback(None)
        assert statements == []
        breakdowns = BreakdownIds(raw, complete=False)
        breakdowns.load_ids([10**9])  # no such text: nothing known
        assert breakdowns.by_id == {}
