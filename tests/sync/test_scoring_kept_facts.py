"""Kept facts: a change of the lead status settings rescores from each contact's kept
facts, with the same result as working every contact out again."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pipedriven_desktop.domain.warmness import LeadStatusValues
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.meta import (
    set_lead_status_field,
    set_lead_status_values,
    settings_from_text,
    settings_text,
)
from pipedriven_desktop.store.score_breakdowns import BREAKDOWN_SQL
from pipedriven_desktop.store.score_facts import FactsIds, prune_unused_facts
from pipedriven_desktop.sync import scoring
from pipedriven_desktop.sync.scoring import rescore
from tests.synthetic import populate

NOW = datetime(2026, 3, 10, 15, 45, tzinfo=UTC)
LEAD_STATUSES = ("Hot lead", "Warm lead", "qualified", None)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """A scored mirror of 300 contacts, a quarter of them with each lead status."""
    location = tmp_path / "mirror.sqlite3"
    database = open_database(location)
    populate(database, contacts=300, activities_per_contact=3, seed=5, now=NOW.replace(tzinfo=None))
    with database.session() as session:
        conn = session.connection()
        for index, status in enumerate(LEAD_STATUSES):
            conn.exec_driver_sql(
                "UPDATE contacts SET lead_status = ?, score_computed_at = NULL WHERE rowid % 4 = ?",
                (status, index),
            )
    rescore(database, NOW)
    database.close()
    return location


def _scores(db: Database) -> dict[str, tuple[int, str]]:
    return {
        contact_id: (score, text)
        for contact_id, score, text in db.reader().execute(
            f"SELECT c.id, c.warmness_score, {BREAKDOWN_SQL} FROM contacts c"
        )
    }


def _raws(db: Database) -> dict[str, int]:
    """Each contact's unclamped score sum, from its breakdown."""
    return {
        contact_id: json.loads(text)["raw"]
        for contact_id, text in db.reader().execute(f"SELECT c.id, {BREAKDOWN_SQL} FROM contacts c")
    }


def _hot_ids(db: Database) -> set[str]:
    rows = db.reader().execute("SELECT id FROM contacts WHERE lead_status = 'Hot lead'")
    return {row[0] for row in rows}


def _forget_day(db: Database) -> None:
    with db.session() as session:
        session.connection().exec_driver_sql("DELETE FROM app_meta WHERE key = 'scores_day'")


def _count_hot(db: Database) -> int:
    return len(_hot_ids(db))


def test_every_scored_contact_points_to_its_kept_facts(path: Path) -> None:
    db = open_database(path)
    rows = db.reader().execute("SELECT score_facts_id FROM contacts").fetchall()
    assert all(row[0] is not None for row in rows)
    kept = db.reader().execute("SELECT id, facts FROM score_facts").fetchall()
    assert {row[0] for row in rows} == {row[0] for row in kept}
    assert 1 < len(kept) < len(rows)  # contacts share them
    for _id, facts in kept:
        values = json.loads(facts)
        assert len(values) == 10
        assert values[1] in LEAD_STATUSES


def test_a_settings_change_gives_what_working_everyone_out_again_gives(
    path: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.sqlite3"
    shutil.copy(path, again)
    later = NOW + timedelta(minutes=10)
    kept, full = open_database(path), open_database(again)
    for db in (kept, full):
        with db.session() as session:
            set_lead_status_values(session.connection(), ["Hot lead"], ["Warm lead"])
    _forget_day(full)  # the old way: every contact worked out from the mirror

    looked_at = rescore(kept, later)
    rescore(full, later)

    # Hot and warm leads gain the point, "qualified" ones lose it: three quarters.
    assert looked_at == 225
    assert _scores(kept) == _scores(full)
    raised = (
        kept.reader()
        .execute("SELECT count(*) FROM score_history WHERE why LIKE '%lead status%'")
        .fetchone()[0]
    )
    assert raised >= _count_hot(kept)  # each hot lead earned its point, and said why


def test_a_settings_change_reads_the_kept_facts_not_the_activities(path: Path) -> None:
    db = open_database(path)
    before = _raws(db)
    # Activities gone behind the pass's back (nothing marked for scoring): only a pass
    # that reads them again would see it.
    with db.session() as session:
        session.connection().exec_driver_sql("DELETE FROM activities")
        set_lead_status_values(session.connection(), ["qualified", "Hot lead"], ["contacted"])
    rescore(db, NOW + timedelta(minutes=10))
    after = _raws(db)
    hot = _hot_ids(db)
    assert hot
    for contact_id, raw in before.items():
        # Hot leads earn the point on top of their kept facts; no one else moves.
        assert after[contact_id] == raw + (contact_id in hot)

    _forget_day(db)
    rescore(db, NOW + timedelta(minutes=20))
    assert _raws(db) != after


def test_a_change_no_lead_status_reads_differently_under_reads_no_contact(path: Path) -> None:
    db = open_database(path)
    before = _scores(db)
    with db.session() as session:
        set_lead_status_values(session.connection(), ["qualified", "nobody has this"], [])
    assert rescore(db, NOW + timedelta(minutes=10)) == 0
    assert _scores(db) == before


def test_choosing_a_field_rewords_the_contacts_without_a_lead_status(
    path: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again.sqlite3"
    shutil.copy(path, again)
    kept, full = open_database(path), open_database(again)
    for db in (kept, full):
        with db.session() as session:
            set_lead_status_field(session.connection(), "lead_field_key", {})
    _forget_day(full)
    assert rescore(kept, NOW + timedelta(minutes=10)) == 75  # the quarter without one
    rescore(full, NOW + timedelta(minutes=10))
    assert _scores(kept) == _scores(full)
    said = (
        kept.reader()
        .execute(
            f"SELECT count(*) FROM contacts c WHERE {BREAKDOWN_SQL} LIKE '%no lead status field%'"
        )
        .fetchone()[0]
    )
    assert said == 0


def test_unchanged_settings_revisit_no_one(path: Path) -> None:
    db = open_database(path)
    assert rescore(db, NOW + timedelta(minutes=10)) == 0
    with db.session() as session:
        set_lead_status_values(session.connection(), ["qualified"], ["contacted"])
    assert rescore(db, NOW + timedelta(minutes=20)) == 0  # the defaults, set again


def test_a_contact_without_kept_facts_is_worked_out_from_the_mirror(path: Path) -> None:
    db = open_database(path)
    with db.session() as session:
        conn = session.connection()
        conn.exec_driver_sql("UPDATE contacts SET score_facts_id = NULL WHERE rowid <= 10")
        set_lead_status_values(conn, ["Hot lead"], [])
    rescore(db, NOW + timedelta(minutes=10))
    missing = (
        db.reader()
        .execute("SELECT count(*) FROM contacts WHERE score_facts_id IS NULL")
        .fetchone()[0]
    )
    assert missing == 0


def test_facts_no_contact_points_to_are_pruned(path: Path) -> None:
    db = open_database(path)
    with db.session() as session:
        raw = session.connection().connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        FactsIds(raw).ensure(raw, ['["orphan"]'])
        assert prune_unused_facts(raw, above=10_000) == 0
        assert prune_unused_facts(raw, above=0) == 1


def test_kept_settings_read_back_as_they_were() -> None:
    values = LeadStatusValues(("Hot", "Qualifié"), ("Warm",), field_chosen=True)
    assert settings_from_text(settings_text(values)) == values
    assert settings_from_text(None) is None
    assert settings_from_text("not json") is None
    assert settings_from_text('{"a": 1}') is None


def test_reasons_known_from_working_out_equal_those_read_from_the_text(path: Path) -> None:
    db = open_database(path)
    _forget_day(db)
    rescore(db, NOW + timedelta(days=40))  # moves scores: the history's words are needed
    texts = [row[0] for row in db.reader().execute("SELECT breakdown FROM score_breakdowns")]
    known = [text for text in texts if text in scoring._EARNED]
    assert len(known) > 10
    for text in known:
        assert scoring._EARNED[text] == scoring._earned_in(text)
    assert any(scoring._EARNED[text] for text in known)
