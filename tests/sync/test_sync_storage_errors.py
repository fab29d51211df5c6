"""A storage error (a full disk) fails the page and the run; it never skips rows.

Only a record's own data can make it a bad record; a disk that fills up mid-page
rolls the page back, leaves the watermark where it was and is reported as such, so
the next sync, with room again, fetches and writes every row.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.database import Database, DatabaseError
from pipedriven_desktop.sync.writers.indexes import restore_indexes
from tests.sync.conftest import SyncFn, assert_mirror_matches, disk_full, rows


def _watermarks(db: Database) -> dict[str, Any]:
    return dict(rows(db, "SELECT entity, watermark FROM sync_state"))


def test_a_full_disk_fails_the_page_and_the_next_sync_writes_every_row(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    before = _watermarks(db)
    contacts_before = rows(db, "SELECT count(*) FROM contacts")[0][0]
    added = [
        account.add_person(f"Person {n} " + "with a long name " * 20, job_title="x" * 200)["id"]
        for n in range(150)
    ]

    with disk_full(db), pytest.raises(DatabaseError, match="the disk is full"):
        sync()

    assert _watermarks(db) == before, "no page was committed past the rows it could not write"
    assert rows(db, "SELECT count(*) FROM contacts")[0][0] == contacts_before
    (run,) = rows(db, "SELECT error, failed, finished FROM sync_runs ORDER BY rowid DESC LIMIT 1")
    assert run.finished is not None
    assert run.failed == 0, "rows the disk could not take are no bad records"
    assert (
        run.error
        == f"Cannot write to database {db.path}: the disk is full; free some space and try again"
    )

    result = sync()

    assert result.failed == 0
    assert {r[0] for r in rows(db, "SELECT pipedrive_person_id FROM contacts")} >= set(added)
    assert_mirror_matches(db, account)


def test_a_record_the_database_refuses_for_its_data_stays_a_bad_record(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    """A constraint broken by one record's values is that record's fault: the page goes on."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_long BEFORE INSERT ON contacts WHEN length(NEW.job_title) > 100"
            " BEGIN SELECT RAISE(ABORT, 'job title too long'); END"
        )
    refused = account.add_person("Too Long", job_title="x" * 200)

    result = sync()

    assert result.failed == 1
    assert rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=refused["id"]) == []
    assert rows(db, "SELECT count(*) FROM contacts")[0][0] == len(account.persons) - 1


def test_an_index_a_full_disk_cannot_hold_fails_the_page_instead_of_being_left_out(
    db: Database, sync: SyncFn
) -> None:
    sync()
    name = "ix_activities_organization_id"
    with db.engine.begin() as conn:
        sql = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).scalar()
        conn.exec_driver_sql(f"DROP INDEX {name}")
    assert isinstance(sql, str)

    with disk_full(db, headroom=0), pytest.raises(DBAPIError), db.engine.begin() as conn:
        restore_indexes(conn, {name: sql})

    with db.engine.begin() as conn:
        restore_indexes(conn, {name: sql})
    assert rows(db, "SELECT name FROM sqlite_master WHERE name = :n", n=name) == [(name,)]
