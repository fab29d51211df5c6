"""A first listing into empty tables: an index only the sync reads is built once, at its end."""

from __future__ import annotations

import pytest

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.service import SyncCancelledError, SyncProgress
from tests.sync.conftest import SyncFn, assert_mirror_matches, rows

DEFERRED = "ix_activities_organization_id"


def _indexes(db: Database) -> dict[str, str]:
    return {
        row.name: row.sql
        for row in rows(
            db, "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    }


def test_a_first_sync_leaves_every_index_of_the_schema(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    designed = _indexes(db)
    assert DEFERRED in designed

    sync()

    assert _indexes(db) == designed
    assert rows(db, "SELECT count(*) FROM sync_state WHERE full_cursor IS NOT NULL") == [(0,)]
    assert_mirror_matches(db, account)


@pytest.mark.parametrize("full", [False, True])
def test_an_index_dropped_for_a_stopped_listing_is_built_again_by_the_next_run(
    db: Database, account: FakeAccount, sync: SyncFn, full: bool
) -> None:
    designed = _indexes(db)
    seen: list[SyncProgress] = []
    with pytest.raises(SyncCancelledError):
        sync(
            progress=seen.append,
            should_cancel=lambda: any(p.entity == "activities" for p in seen),
        )
    assert 0 < rows(db, "SELECT count(*) FROM activities")[0][0] < len(account.activities)
    assert DEFERRED not in _indexes(db), "left out while the first listing runs"

    # A full run begins the listing again, over rows already there: it still owes the index.
    sync(full=full)

    assert _indexes(db) == designed
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert_mirror_matches(db, account)
