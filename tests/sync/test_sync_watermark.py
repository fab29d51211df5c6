"""The watermark moves with each committed page, and a changed mapping rewrites every row."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from typing import Any

import pytest

from pipedriven_desktop.pipedrive import FAKE_LEAD_STATUS_FIELD, FakeAccount
from pipedriven_desktop.store.database import Database, DatabaseError
from pipedriven_desktop.sync import service
from pipedriven_desktop.sync.service import SyncProgress
from tests.sync.conftest import PAGE, SyncFn, assert_mirror_matches, disk_full, rows

CHANGED = 250  # three pages of an incremental pass


def _watermark(db: Database, entity: str = "persons") -> datetime | None:
    ((mark,),) = rows(db, "SELECT watermark FROM sync_state WHERE entity = :e", e=entity)
    return None if mark is None else datetime.fromisoformat(mark)


def _api_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _expected_marks(account: FakeAccount, since: datetime) -> list[datetime]:
    """The newest update time committed after each page of the incremental pass."""
    listed = sorted(
        (_api_time(p["update_time"]), pid)
        for pid, p in account.persons.items()
        if _api_time(p["update_time"]) >= since
    )
    return [listed[min(end, len(listed)) - 1][0] for end in range(PAGE, len(listed) + PAGE, PAGE)]


def _change_persons(account: FakeAccount, long_names: bool = False) -> None:
    tail = " with a long name" * 20 if long_names else ""
    for number, pid in enumerate(sorted(account.persons)[:CHANGED]):
        account.update_person(pid, name=f"Changed {number}{tail}")


def test_the_watermark_advances_with_every_committed_page(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    since = _watermark(db)
    assert since is not None
    _change_persons(account)
    expected = _expected_marks(account, since)
    assert len(expected) == 3
    seen: list[datetime | None] = []

    def read_the_watermark(progress: SyncProgress) -> None:
        if progress.entity == "persons":
            seen.append(_watermark(db))

    sync(progress=read_the_watermark)

    assert seen == expected


def test_a_page_that_fails_leaves_the_watermark_of_the_last_committed_page(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    since = _watermark(db)
    assert since is not None
    _change_persons(account, long_names=True)
    expected = _expected_marks(account, since)
    failure = ExitStack()
    pages: list[SyncProgress] = []

    def fill_the_disk_after_the_first_page(progress: SyncProgress) -> None:
        if progress.entity == "persons":
            pages.append(progress)
            if len(pages) == 1:
                failure.enter_context(disk_full(db))

    with failure, pytest.raises(DatabaseError, match="the disk is full"):
        sync(progress=fill_the_disk_after_the_first_page)

    assert len(pages) == 1
    assert _watermark(db) == expected[0]
    sync()
    assert _watermark(db) == expected[-1]
    assert_mirror_matches(db, account)


def _stale(db: Database) -> int:
    return int(rows(db, "SELECT count(*) FROM contacts WHERE job_title = 'stale'")[0][0])


@pytest.mark.parametrize("change", ["mapping version", "lead status field"])
def test_a_changed_mapping_rewrites_rows_pipedrive_did_not_change(
    db: Database,
    account: FakeAccount,
    sync: SyncFn,
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    sync()
    # Rows as an older mapping would have written them; Pipedrive changed none of them.
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE contacts SET job_title = 'stale'")
    assert sync().kind == "incremental"
    assert _stale(db) == len(account.persons), "unchanged rows are not written again"

    kwargs: dict[str, Any] = {}
    if change == "mapping version":
        monkeypatch.setattr(service, "MAPPING_VERSION", service.MAPPING_VERSION + 1)
    else:
        kwargs["lead_status_field"] = FAKE_LEAD_STATUS_FIELD[::-1]
    result = sync(**kwargs)

    assert result.kind == "full"
    assert _stale(db) == 0
    assert sync(**kwargs).kind == "incremental", "once rewritten, rows are skipped again"
    if change == "mapping version":
        assert_mirror_matches(db, account)
