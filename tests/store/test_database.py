from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from pipedriven_desktop.store.database import DatabaseError, SchemaTooNewError, open_database
from pipedriven_desktop.store.migrate import script_heads, script_revisions
from pipedriven_desktop.store.schema import KNOWN_REVISIONS, SCHEMA_HEAD


def test_schema_constants_match_the_migration_scripts() -> None:
    assert script_heads() == [SCHEMA_HEAD]
    assert script_revisions() == set(KNOWN_REVISIONS)


def test_new_database_is_migrated_with_wal_and_foreign_keys(db_path: Path) -> None:
    db = open_database(db_path)
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
        tables = {
            row[0]
            for row in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))
        }
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.close()
    assert {"organizations", "contacts", "activities", "deals", "sync_state", "sync_runs"} <= tables
    assert "contacts_fts" in tables
    assert version == SCHEMA_HEAD


def test_every_designed_index_exists(db_path: Path) -> None:
    db = open_database(db_path)
    with db.engine.connect() as conn:
        indexes = {
            row[0]: row[1]
            for row in conn.execute(
                text("SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")
            )
        }
    db.close()
    assert "owner_id, added_to_campaign DESC, warmness_score ASC" in indexes["ix_contacts_my500"]
    assert "ix_contacts_organization_id" in indexes
    assert "contact_id, add_time DESC" in indexes["ix_activities_contact_recent"]
    assert "ix_organizations_normalized_name" in indexes
    assert "contact_count DESC" in indexes["ix_organizations_contact_count_desc"]


def test_my500_query_uses_the_index_without_sorting(db_path: Path) -> None:
    open_database(db_path).close()
    conn = sqlite3.connect(db_path)
    plan = " ".join(
        str(row[3])
        for row in conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM contacts WHERE owner_id = 1 ORDER BY "
            "added_to_campaign DESC, warmness_score ASC, last_contacted ASC, created_at DESC, id "
            "LIMIT 500"
        )
    )
    conn.close()
    assert "ix_contacts_my500" in plan
    assert "TEMP B-TREE" not in plan


def test_reopening_does_not_migrate_again(db_path: Path) -> None:
    open_database(db_path).close()
    before = db_path.stat().st_mtime_ns
    open_database(db_path).close()
    assert db_path.stat().st_mtime_ns == before


def test_newer_schema_is_refused_and_left_untouched(db_path: Path) -> None:
    open_database(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    with pytest.raises(SchemaTooNewError, match="newer version"):
        open_database(db_path)
    assert db_path.read_bytes() == before


def test_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(tmp_path / "nope" / "mirror.sqlite3")


def test_corrupt_file_is_refused_and_never_modified(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.sqlite3"
    path.write_bytes(b"this is not a database at all" * 10)
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not an SQLite database"):
        open_database(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (body TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="not a Pipedriven Desktop database"):
        open_database(path)
    assert path.read_bytes() == before


def test_unreadable_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.sqlite3"
    open_database(path).close()
    before = path.read_bytes()
    real_access = os.access

    def no_access_to_locked(target: object, mode: int) -> bool:
        return False if Path(str(target)) == path else real_access(target, mode)  # type: ignore[arg-type]

    # Root can read any file, so the permission check is simulated at os.access.
    monkeypatch.setattr(os, "access", no_access_to_locked)
    with pytest.raises(DatabaseError, match="permission denied"):
        open_database(path)
    assert path.read_bytes() == before
