from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from pipedriven_desktop.store import database
from pipedriven_desktop.store.backup import backups_of
from pipedriven_desktop.store.database import DatabaseError, SchemaTooNewError, open_database
from pipedriven_desktop.store.errors import user_error
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


# -- helpers for the tests below ----------------------------------------------------------------


def add_contacts(path: Path, count: int, *, in_campaign: int = 0) -> None:
    """``count`` contacts of owner 1 (the first ``in_campaign`` flagged), with plain SQL."""
    conn = sqlite3.connect(path)
    conn.execute("INSERT OR REPLACE INTO app_meta VALUES ('owner_id', '1')")
    conn.executemany(
        "INSERT INTO contacts (id, pipedrive_person_id, name, email, owner_id, added_to_campaign,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, '2026-01-01 00:00:00',"
        " '2026-01-01 00:00:00')",
        [
            (f"id-{n:05d}", n, f"Person {n} " + "x" * 50, f"p{n}@example.com", n < in_campaign)
            for n in range(count)
        ],
    )
    conn.commit()
    conn.close()


def stamp_as_0001(path: Path) -> None:
    """Turn a current mirror back into one made by 0001_initial (what 0002-0010 add dropped)."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE score_facts")
    conn.execute("ALTER TABLE contacts DROP COLUMN score_facts_id")
    for index in (
        "ix_contacts_name_nocase",
        "ix_contacts_owner_id_name_nocase",
        "ix_contacts_organization_name_nocase",
        "ix_contacts_owner_id_organization_name_nocase",
    ):
        conn.execute(f"DROP INDEX {index}")
    for trigger in (
        "contacts_organization_name_insert",
        "contacts_organization_name_update",
        "organizations_name_to_contacts_insert",
        "organizations_name_to_contacts_rename",
        "organizations_name_to_contacts_delete",
    ):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("ALTER TABLE contacts DROP COLUMN organization_name")
    conn.execute("DROP TABLE score_breakdowns")
    conn.execute("ALTER TABLE contacts DROP COLUMN score_breakdown_id")
    for index in (
        "ix_contacts_unscored",
        "ix_contacts_last_contacted",
        "ix_activities_due_date_contact_id_type",
    ):
        conn.execute(f"DROP INDEX {index}")
    for table in ("notes", "outbox", "warmness_daily", "query_stats_daily"):
        conn.execute(f"DROP TABLE {table}")
    conn.execute("DROP INDEX ix_activities_owner_id_done_due_date")
    for column in ("owner_id", "due_time", "note"):
        conn.execute(f"ALTER TABLE activities DROP COLUMN {column}")
    conn.execute("DROP INDEX ix_contacts_owner_id_organization_id")
    conn.execute("DROP TABLE kept_contact_data")
    conn.execute("DROP TABLE users")
    conn.execute("DROP TABLE score_history")
    for column in (
        "marketing_status",
        "email_messages_count",
        "last_incoming_mail_time",
        "last_outgoing_mail_time",
    ):
        conn.execute(f"ALTER TABLE contacts DROP COLUMN {column}")
    conn.execute("UPDATE alembic_version SET version_num = '0001_initial'")
    conn.commit()
    conn.close()


def revision_of(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()


def damage_pages(path: Path) -> None:
    """Overwrite the middle third of the file's pages, as a failing disk might.

    The first pages (header and schema) stay intact, so the file still opens.
    """
    pages = path.stat().st_size // 4096
    with path.open("r+b") as handle:
        handle.seek(pages // 3 * 4096)
        handle.write(b"\xff" * 4096 * (pages // 3))


def run_python(source: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", source, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- atomic schema creation, serialised first opens ---------------------------------------------

PAUSE_WHILE_CREATING = """
import sys, time
from sqlalchemy import event
from sqlalchemy.engine import Engine

@event.listens_for(Engine, "before_cursor_execute")
def pause(conn, cursor, statement, parameters, context, executemany):
    if statement.lstrip().startswith("CREATE TABLE contacts"):
        print("creating", flush=True)
        time.sleep(60)

from pipedriven_desktop.store.database import open_database
open_database(sys.argv[1])
"""


def test_a_process_killed_while_creating_the_schema_leaves_a_file_the_next_open_migrates(
    db_path: Path,
) -> None:
    process = run_python(PAUSE_WHILE_CREATING, str(db_path))
    assert process.stdout is not None
    line = process.stdout.readline()
    process.kill()  # SIGKILL: no clean-up of any kind
    _, stderr = process.communicate()
    assert line == "creating\n", stderr

    open_database(db_path).close()
    assert revision_of(db_path) == SCHEMA_HEAD


OPEN_AT_THE_SIGNAL = """
import os, sys, time
import pipedriven_desktop.store.migrate  # imported before the signal, so all open at once
from pipedriven_desktop.store.database import open_database
print("ready", flush=True)
while not os.path.exists(sys.argv[2]):
    time.sleep(0.002)
open_database(sys.argv[1]).close()
"""


@pytest.mark.slow  # four interpreters importing SQLAlchemy and Alembic on shared cores
def test_four_processes_opening_one_new_file_at_once_all_succeed(tmp_path: Path) -> None:
    path, signal = tmp_path / "mirror.sqlite3", tmp_path / "go"
    processes = [run_python(OPEN_AT_THE_SIGNAL, str(path), str(signal)) for _ in range(4)]
    for process in processes:
        assert process.stdout is not None
        assert process.stdout.readline() == "ready\n"
    signal.touch()
    results = [process.communicate() for process in processes]
    outcomes = [(p.returncode, err) for p, (_, err) in zip(processes, results, strict=True)]
    assert outcomes == [(0, "")] * 4
    assert revision_of(path) == SCHEMA_HEAD


# -- a backup before every migration ------------------------------------------------------------


def test_a_mirror_is_backed_up_with_its_write_ahead_log_before_it_is_migrated(
    db_path: Path,
) -> None:
    open_database(db_path).close()
    add_contacts(db_path, 20, in_campaign=3)
    stamp_as_0001(db_path)
    # A last write still in the write-ahead log: a copy of the main file alone would miss it.
    writer = sqlite3.connect(db_path)
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("UPDATE contacts SET added_to_campaign = 1 WHERE pipedrive_person_id = 19")
    writer.commit()
    try:
        open_database(db_path).close()
    finally:
        writer.close()

    backups = backups_of(db_path)
    assert len(backups) == 1
    assert backups[0].name.startswith("mirror.sqlite3.0001_initial.")
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001_initial",)
    assert copy.execute("SELECT count(*) FROM contacts WHERE added_to_campaign").fetchone() == (4,)
    assert copy.execute("PRAGMA quick_check").fetchone() == ("ok",)
    copy.close()
    assert revision_of(db_path) == SCHEMA_HEAD


def test_only_the_last_three_backups_are_kept(db_path: Path) -> None:
    open_database(db_path).close()
    made = []
    for _ in range(5):
        stamp_as_0001(db_path)
        open_database(db_path).close()
        made.append(backups_of(db_path)[0])
    assert backups_of(db_path) == made[:-4:-1]


def test_new_and_current_mirrors_are_not_backed_up(db_path: Path) -> None:
    open_database(db_path).close()
    open_database(db_path).close()
    assert backups_of(db_path) == []


def test_a_failed_backup_stops_the_migration(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipedriven_desktop.store import migrate

    open_database(db_path).close()
    stamp_as_0001(db_path)

    def disk_full(path: Path, revision: str) -> Path:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(migrate, "backup_mirror", disk_full)
    with pytest.raises(DatabaseError, match="disk is full"):
        open_database(db_path)
    assert revision_of(db_path) == "0001_initial"


# -- one clear line for each way a mirror can be unusable -----------------------------------------


def test_a_locked_mirror_is_reported_as_locked_not_corrupt(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(db_path).close()
    holder = sqlite3.connect(db_path, isolation_level=None)
    holder.execute("PRAGMA locking_mode=EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO app_meta VALUES ('held', 'yes')")
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 50)
    try:
        with pytest.raises(DatabaseError, match="locked") as raised:
            open_database(db_path)
    finally:
        holder.close()
    assert "corrupt" not in str(raised.value)


def deny_writes_to(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Root may write anywhere, so read-only files and folders are simulated at os.access."""
    real_access = os.access

    def access(target: object, mode: int) -> bool:
        if mode & os.W_OK and Path(str(target)) == denied:
            return False
        return real_access(target, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)


def test_a_read_only_mirror_file_is_reported_as_read_only(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(db_path).close()
    deny_writes_to(monkeypatch, db_path)
    with pytest.raises(DatabaseError, match="read-only"):
        open_database(db_path)


def test_a_mirror_in_a_read_only_folder_is_reported_as_read_only_not_corrupt(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(db_path).close()
    deny_writes_to(monkeypatch, db_path.parent)
    with pytest.raises(DatabaseError, match=r"folder .* is read-only") as raised:
        open_database(db_path)
    assert "corrupt" not in str(raised.value)


def test_a_new_mirror_in_a_read_only_folder_is_one_clear_line(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deny_writes_to(monkeypatch, db_path.parent)
    with pytest.raises(DatabaseError, match=r"Cannot create database .*folder .* is read-only"):
        open_database(db_path)
    assert not db_path.exists()


def test_a_new_mirror_on_a_full_disk_is_one_clear_line(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipedriven_desktop.store import migrate

    def on_a_tiny_disk(dbapi_connection: Any, record: Any) -> None:
        database.set_pragmas(dbapi_connection, record)
        # SQLite itself reports SQLITE_FULL once the file would pass this many pages.
        dbapi_connection.execute("PRAGMA max_page_count=3")

    monkeypatch.setattr(migrate, "set_pragmas", on_a_tiny_disk)
    with pytest.raises(DatabaseError, match=r"Cannot create database .*: the disk is full"):
        open_database(db_path)
    monkeypatch.undo()
    open_database(db_path).close()  # once there is room, the same file is set up
    assert revision_of(db_path) == SCHEMA_HEAD


def sqlite_error(setup: str, statement: str, path: Path) -> sqlite3.Error:
    """The error SQLite itself raises for ``statement`` on a fresh connection to ``path``."""
    if setup == "read-only":
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    else:
        conn = sqlite3.connect(path, timeout=0)
        if setup:
            conn.execute(setup)
    try:
        conn.execute(statement)
    except sqlite3.Error as exc:
        return exc
    finally:
        conn.close()
    raise AssertionError("no error")


@pytest.mark.parametrize(
    ("setup", "statement", "expected"),
    [
        ("read-only", "INSERT INTO app_meta VALUES ('a', 'b')", "the file is read-only"),
        ("PRAGMA max_page_count=1", "CREATE TABLE big (x)", "the disk is full"),
        ("", "SELECT sum(length(name)) FROM contacts", "the file is corrupt"),
    ],
    ids=["read-only", "full", "corrupt"],
)
def test_sqlite_errors_are_named_by_their_code(
    db_path: Path, setup: str, statement: str, expected: str
) -> None:
    open_database(db_path).close()
    if expected == "the file is corrupt":
        add_contacts(db_path, 3000)
        damage_pages(db_path)
    error = user_error(db_path, sqlite_error(setup, statement, db_path))
    assert error is not None
    assert str(error).startswith(f"Cannot open database {db_path}: {expected}")


def test_a_disk_error_from_the_os_is_named_too(db_path: Path) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    assert str(user_error(db_path, full, "write to")) == (
        f"Cannot write to database {db_path}: the disk is full; free some space and try again"
    )
    assert user_error(db_path, ValueError("a bug")) is None


def test_check_integrity_passes_a_healthy_mirror_and_names_damaged_pages(db_path: Path) -> None:
    open_database(db_path).close()
    add_contacts(db_path, 3000)
    db = open_database(db_path)
    db.check_integrity()
    db.close()

    damage_pages(db_path)
    db = open_database(db_path)  # the header and schema are intact: opening still works
    try:
        with pytest.raises(DatabaseError, match="corrupt") as raised:
            db.check_integrity()
    finally:
        db.close()
    assert "\n" not in str(raised.value)


def test_export_of_a_mirror_with_damaged_pages_prints_one_line_and_fails(
    db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipedriven_desktop.cli import main

    open_database(db_path).close()
    add_contacts(db_path, 3000)
    damage_pages(db_path)
    code = main(["export", "--db", str(db_path)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.count("\n") == 1
    assert err.startswith("error: ")
    assert "corrupt" in err


def test_user_errors_turns_sqlite_errors_met_later_into_database_errors(db_path: Path) -> None:
    db = open_database(db_path)
    corrupt = r"Cannot read database .*: the file is corrupt"
    try:
        with pytest.raises(DatabaseError, match=corrupt), db.user_errors("read"):
            raise sqlite3.DatabaseError("database disk image is malformed")
    finally:
        db.close()


def test_opening_an_up_to_date_mirror_imports_neither_sqlalchemy_nor_alembic(
    db_path: Path,
) -> None:
    open_database(db_path).close()
    process = run_python(
        "import sys\n"
        "from pipedriven_desktop.store.database import open_database\n"
        "open_database(sys.argv[1]).close()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}))\n",
        str(db_path),
    )
    out, err = process.communicate()
    assert (out, err) == ("[]\n", "")
