"""Fresh pages of a listing share a transaction a few at a time, and a group never holds
part of a page: a failing page takes its group back, a stopped walk keeps whole pages."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import get_meta, set_meta
from pipedriven_desktop.sync import page_group
from pipedriven_desktop.sync.page_group import PageGroup
from pipedriven_desktop.sync.service import SyncCancelledError, SyncProgress
from pipedriven_desktop.sync.writers import ActivityWriter
from tests.sync.conftest import PAGE, SyncFn, assert_mirror_matches, rows


def _stored(db: Database, key: str) -> str | None:
    with db.engine.connect() as conn:
        return get_meta(conn, key)


def test_a_group_commits_when_full_or_told_and_rolls_back_whole(db: Database) -> None:
    group = PageGroup(db, pages=2, seconds=3600)
    set_meta(group.session().connection(), "page-1", "x")
    group.page_written(keep_open=True)
    assert group.pages == 1
    assert _stored(db, "page-1") is None, "not committed while the group has room"
    set_meta(group.session().connection(), "page-2", "x")
    group.page_written(keep_open=True)
    assert group.pages == 0
    assert _stored(db, "page-2") == "x", "committed once full"

    set_meta(group.session().connection(), "page-3", "x")
    group.page_written(keep_open=True)
    set_meta(group.session().connection(), "page-4", "half")
    group.roll_back(RuntimeError("the page failed part-way"))
    assert (_stored(db, "page-3"), _stored(db, "page-4")) == (None, None)

    set_meta(group.session().connection(), "page-5", "x")
    group.page_written(keep_open=False)
    assert _stored(db, "page-5") == "x", "committed when it may not stay open"


def test_a_first_listing_commits_fewer_times_than_it_has_pages(
    db: Database, account: FakeAccount, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_group, "GROUP_SECONDS", 3600.0)
    commits: list[int] = []
    written: list[int] = []
    original = ActivityWriter.write

    def counting(self: ActivityWriter, *args: Any, **kwargs: Any) -> Any:
        written.append(len(commits))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ActivityWriter, "write", counting)
    event.listen(db.engine, "commit", lambda conn: commits.append(1))

    sync()

    activity_pages = -(-len(account.activities) // PAGE)
    listing = written[:activity_pages]
    commits_during = listing[-1] - listing[0]
    assert activity_pages > page_group.GROUP_PAGES
    assert commits_during <= activity_pages // page_group.GROUP_PAGES
    assert_mirror_matches(db, account)


def test_a_page_failing_part_way_takes_its_group_back_and_the_next_run_completes(
    db: Database, account: FakeAccount, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_group, "GROUP_SECONDS", 3600.0)
    calls: list[int] = []
    original = ActivityWriter.write

    def failing_third(
        self: ActivityWriter, session: Any, records: Sequence[Any], *args: Any, **kw: Any
    ) -> Any:
        calls.append(1)
        counts = original(self, session, records, *args, **kw)
        if len(calls) == 3:  # after its rows went in: the page fails part-way
            raise OperationalError("INSERT", (), sqlite3.OperationalError("disk I/O error"))
        return counts

    with monkeypatch.context() as patch:
        patch.setattr(ActivityWriter, "write", failing_third)
        with pytest.raises(Exception, match="disk I/O error"):
            sync()
    assert rows(db, "SELECT count(*) FROM activities") == [(0,)], "the group went back whole"

    sync()

    assert_mirror_matches(db, account)


def test_a_walk_cancelled_mid_group_keeps_the_whole_pages_it_wrote(
    db: Database, account: FakeAccount, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(page_group, "GROUP_SECONDS", 3600.0)
    seen: list[SyncProgress] = []
    with pytest.raises(SyncCancelledError):
        sync(
            progress=seen.append,
            should_cancel=lambda: any(
                p.entity == "activities" and p.done >= 2 * PAGE for p in seen
            ),
        )
    assert rows(db, "SELECT count(*) FROM activities") == [(2 * PAGE,)]

    sync()

    assert_mirror_matches(db, account)
