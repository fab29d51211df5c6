"""The next entity's listing is asked for while the listing before it ends (its last page
builds the indexes and search index it set aside), and its pages are written in order."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import Connection

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer, PipedriveClient
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync import service
from pipedriven_desktop.sync.service import SyncCancelledError, SyncProgress
from pipedriven_desktop.sync.writers import ActivityWriter
from pipedriven_desktop.sync.writers.indexes import restore_indexes
from tests.sync.conftest import NOW, PAGE, SyncFn, assert_mirror_matches, rows

#: How long the check waits for a request it expects (far longer than one takes).
_WAIT_SECONDS = 5.0


def _listing_requests(server: FakePipedriveServer, entity: str) -> int:
    """Requests of the entity's full listing (by id, not the ``ids`` look-ups)."""
    return sum(
        1
        for entry in server.requests_to(f"/api/v2/{entity}")
        if entry.params.get("sort_by") == "id" and "ids" not in entry.params
    )


def test_activities_are_asked_for_while_the_persons_listing_builds_its_indexes(
    db: Database,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked_meanwhile: list[bool] = []
    restore = restore_indexes

    def watched(conn: Connection, indexes: Any) -> None:
        if any("contacts_fts" in sql for sql in indexes.values()):  # the persons' last page
            deadline = time.monotonic() + _WAIT_SECONDS
            while not _listing_requests(server, "activities") and time.monotonic() < deadline:
                time.sleep(0.01)
            asked_meanwhile.append(_listing_requests(server, "activities") > 0)
        restore(conn, indexes)

    monkeypatch.setattr(service, "restore_indexes", watched)

    sync()

    assert asked_meanwhile == [True]
    assert_mirror_matches(db, account)


def test_a_run_stopped_with_a_listing_begun_ahead_leaves_it_to_the_next_run(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    seen: list[SyncProgress] = []
    # Stops right after the persons' last page: the activities were being asked for.
    persons = len(account.persons)
    with pytest.raises(SyncCancelledError):
        sync(
            progress=seen.append,
            should_cancel=lambda: any(p.entity == "persons" and p.done >= persons for p in seen),
        )
    assert rows(db, "SELECT count(*) FROM activities") == [(0,)]
    assert rows(db, "SELECT count(*) FROM sync_state WHERE full_run_id IS NOT NULL")[0][0] > 0

    sync()

    assert_mirror_matches(db, account)


def test_pages_waiting_their_turn_hold_their_parsed_records_not_the_raw_items(
    db: Database, account: FakeAccount, client: PipedriveClient
) -> None:
    run = service._Run(
        db,
        client,
        full=False,
        progress=None,
        should_cancel=None,
        clock=lambda: NOW,
        lead_status_field=None,
        page_size=PAGE,
    )
    # Listed, yet no row can hold its id.
    huge = {**account.activities[min(account.activities)], "id": 2**63}
    account.put_raw("activities", huge)
    writer = ActivityWriter()
    listed: list[int] = []
    counted = 0
    with run._listing_pages(writer, None, depth=4) as pages:
        for page, parsed in pages:
            assert page.items == []
            listed.extend(parsed.ids)
            counted += parsed.listed
    storable = sorted(i for i in account.activities if i < 2**63)
    assert listed == storable
    assert counted == len(account.activities)
