"""The bulk-built synthetic mirror is the mirror the app's own writes would have made."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import open_database
from tests import synthetic

NOW = datetime(2026, 11, 30, 8, 0, 0)
SEARCH_ROWS = (
    "SELECT rowid, name, email, phone, phone_digits, org_name, owner, parts"
    " FROM contacts_fts ORDER BY rowid"
)
CONTACT_ROWS = (
    "SELECT rowid, pipedrive_person_id, name, email, phone, owner_id, warmness_score,"
    " last_contacted, added_to_campaign, created_at FROM contacts ORDER BY rowid"
)


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty mirror at the schema's head, migrated once and copied for each build."""
    path = tmp_path_factory.mktemp("migrated") / "empty.sqlite3"
    open_database(path).close()
    return path


def _build(empty: Path, path: Path, contacts: int = 120, seed: int = 3) -> Path:
    shutil.copy(empty, path)
    db = open_database(path)
    synthetic.populate(db, contacts=contacts, activities_per_contact=2, seed=seed, now=NOW)
    db.close()
    return path


def test_search_index_is_what_the_triggers_write(tmp_path: Path, migrated: Path) -> None:
    path = _build(migrated, tmp_path / "mirror.sqlite3")
    built = _rows(path, SEARCH_ROWS)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE contacts SET name = name")  # the update trigger rewrites every row
    conn.commit()
    conn.close()
    assert len(built) == 120
    assert _rows(path, SEARCH_ROWS) == built


def test_schema_is_left_as_migrated(tmp_path: Path, migrated: Path) -> None:
    schema = (
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%'"
    )
    path = _build(migrated, tmp_path / "mirror.sqlite3")
    assert sorted(_rows(path, schema), key=str) == sorted(_rows(migrated, schema), key=str)
    assert _rows(path, "PRAGMA journal_mode") == [("wal",)]


def test_contacts_are_searchable_and_counted_by_organization(
    tmp_path: Path, migrated: Path
) -> None:
    db = open_database(_build(migrated, tmp_path / "mirror.sqlite3"))
    try:
        anna = ContactService(db).page(ContactFilter(search="anna"), 1, 500).rows
        assert anna
        assert all("Anna" in row.name for row in anna)
        counted = db.reader().execute("SELECT sum(contact_count) FROM organizations").fetchone()[0]
        with_org = db.reader().execute(
            "SELECT count(*) FROM contacts WHERE organization_id IS NOT NULL"
        )
        assert counted == with_org.fetchone()[0] > 0
    finally:
        db.close()


def test_a_second_batch_indexes_only_its_own_contacts(tmp_path: Path, migrated: Path) -> None:
    path = _build(migrated, tmp_path / "mirror.sqlite3", contacts=30)
    db = open_database(path)
    # Pipedrive ids restart at 1, so the second batch gets ids of its own.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE contacts SET pipedrive_person_id = pipedrive_person_id + 1000")
    conn.execute("UPDATE activities SET pipedrive_activity_id = pipedrive_activity_id + 1000")
    conn.execute("UPDATE deals SET pipedrive_deal_id = pipedrive_deal_id + 1000")
    conn.execute("UPDATE organizations SET pipedrive_org_id = pipedrive_org_id + 1000")
    conn.commit()
    conn.close()
    synthetic.populate(db, contacts=20, activities_per_contact=1, seed=9, now=NOW)
    db.close()
    assert [row[0] for row in _rows(path, "SELECT rowid FROM contacts_fts")] == list(range(1, 51))


def test_data_do_not_depend_on_the_chunk_size(
    tmp_path: Path, migrated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = _rows(_build(migrated, tmp_path / "whole.sqlite3"), CONTACT_ROWS)
    monkeypatch.setattr(synthetic, "CHUNK", 7)
    chunked = _rows(_build(migrated, tmp_path / "chunked.sqlite3"), CONTACT_ROWS)
    assert chunked == whole
