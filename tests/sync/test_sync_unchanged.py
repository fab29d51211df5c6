"""An incremental pass leaves unparsed the records of its watermark's second the mirror
holds as they are (``updated_since`` returns that second on every run)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.writers import ActivityWriter, DealWriter, OrganizationWriter
from tests.sync.conftest import SyncFn, assert_mirror_matches, rows

#: Records put in the account's newest second before the first sync.
SAME_SECOND = 6


def _share_the_newest_second(account: FakeAccount, entity: Any) -> list[int]:
    """Give a few live records the table's newest update time; returns their ids."""
    table = account.table(entity)
    newest = max(item["update_time"] for item in table.values())
    live = [i for i, item in table.items() if not item.get("is_deleted")]
    chosen = sorted(i for i in live if table[i].get("status") != "deleted")[:SAME_SECOND]
    for item_id in chosen:
        account.put_raw(entity, {**table[item_id], "update_time": newest})
    return chosen


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """The ids each writer parses, by entity."""
    seen: dict[str, list[int]] = {"activities": [], "deals": []}
    for writer in (ActivityWriter, DealWriter):
        original = writer.parse

        def parse(self: Any, item: Any, original: Any = original) -> Any:
            seen[self.entity].append(item["id"])
            return original(self, item)

        monkeypatch.setattr(writer, "parse", parse)
    return seen


def test_records_held_as_they_are_are_not_parsed_again(
    db: Database, account: FakeAccount, sync: SyncFn, parsed: dict[str, list[int]]
) -> None:
    same_second = _share_the_newest_second(account, "activities")
    sync()
    changed = sorted(account.persons)[0]
    account.update_person(changed, name="Changed Once")
    parsed["activities"].clear()

    result = sync()

    assert result.kind == "incremental"
    # Listed again (the watermark's second is inclusive), parsed no more.
    assert result.fetched >= SAME_SECOND + 1
    assert parsed["activities"] == []
    assert result.updated == 1
    assert_mirror_matches(db, account)
    assert len(same_second) == SAME_SECOND


def test_a_record_changed_since_is_parsed_and_written(
    db: Database, account: FakeAccount, sync: SyncFn, parsed: dict[str, list[int]]
) -> None:
    _share_the_newest_second(account, "activities")
    sync()
    changed = account.update_activity(sorted(account.activities)[-1], subject="Moved on")
    parsed["activities"].clear()

    sync()

    assert parsed["activities"] == [changed["id"]]
    ((subject,),) = rows(
        db, "SELECT subject FROM activities WHERE pipedrive_activity_id = :i", i=changed["id"]
    )
    assert subject == "Moved on"


@pytest.mark.parametrize(
    ("entity", "deleted"),
    [
        ("activities", {"is_deleted": True}),
        ("deals", {"is_deleted": True}),
        ("deals", {"status": "deleted"}),
    ],
)
def test_a_record_deleted_within_the_same_second_still_leaves_the_mirror(
    db: Database, account: FakeAccount, sync: SyncFn, entity: Any, deleted: dict[str, Any]
) -> None:
    same_second = _share_the_newest_second(account, entity)
    sync()
    gone = same_second[0]
    account.put_raw(entity, {**account.table(entity)[gone], **deleted})

    sync()

    column = "pipedrive_activity_id" if entity == "activities" else "pipedrive_deal_id"
    held = {row[0] for row in rows(db, f"SELECT {column} FROM {entity}")}
    assert held & set(same_second) == set(same_second) - {gone}


def test_nothing_is_left_unparsed_without_a_whole_second_or_an_update_time() -> None:
    assert ActivityWriter().unchanged_at(None) is None
    assert ActivityWriter().unchanged_at(datetime(2025, 6, 1, 8, 0, 0, 5)) is None
    assert OrganizationWriter().unchanged_at(datetime(2025, 6, 1, 8, 0, 0)) is None
    unchanged = ActivityWriter().unchanged_at(datetime(2025, 6, 1, 8, 0, 0))
    assert unchanged is not None
    assert unchanged.update_time == "2025-06-01T08:00:00Z"
    assert unchanged.stored == "2025-06-01 08:00:00.000000"


def test_only_rows_changed_in_that_second_are_held_as_they_are(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    same_second = _share_the_newest_second(account, "activities")
    sync()
    ((stored,),) = rows(db, "SELECT watermark FROM sync_state WHERE entity = 'activities'")
    unchanged = ActivityWriter().unchanged_at(datetime.fromisoformat(stored))
    assert unchanged is not None
    newest = account.activities[same_second[0]]["update_time"]
    older = [i for i, item in sorted(account.activities.items()) if item["update_time"] < newest]
    assert older
    with db.engine.connect() as conn:
        asked = [*same_second, *older[:3], 10**9]
        held = ActivityWriter().held_as_they_are(conn, asked, unchanged)
    assert held == set(same_second)
