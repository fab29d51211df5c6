"""A first listing's pages of activities are written from one flat list of values."""

from __future__ import annotations

import pytest

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.entities import ACTIVITIES
from pipedriven_desktop.sync.writers.common import PageCounts, insert_new_rows
from tests.sync.conftest import SyncFn, assert_mirror_matches, rows


def test_a_first_sync_writes_every_activity_with_its_links(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    result = sync()
    assert result.failed == 0
    assert rows(db, "SELECT count(*) FROM activities")[0][0] == len(account.activities)
    assert_mirror_matches(db, account)


def test_an_activity_the_database_refuses_stays_a_bad_record_alone(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TRIGGER refuse_long BEFORE INSERT ON activities WHEN length(NEW.subject) > 100"
            " BEGIN SELECT RAISE(ABORT, 'subject too long'); END"
        )
    person = sorted(account.persons)[0]
    refused = account.add_activity("x" * 200, person_id=person)

    result = sync()

    assert result.failed == 1
    held = {r[0] for r in rows(db, "SELECT pipedrive_activity_id FROM activities")}
    assert held == set(account.activities) - {refused["id"]}


def test_values_that_are_not_whole_rows_are_refused(db: Database) -> None:
    width = len(ACTIVITIES.columns)
    with db.engine.begin() as conn, pytest.raises(ValueError, match="rows of"):
        insert_new_rows(conn, "activities", ACTIVITIES.upsert, [1, 2], [None] * width, PageCounts())
