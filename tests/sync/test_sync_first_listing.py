"""A first listing into empty tables: indexes and the search index are built once, at its end,
into the same mirror the row-by-row way gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pipedriven_desktop.pipedrive import (
    FAKE_LEAD_STATUS_FIELD,
    FakeAccount,
    PipedriveClient,
)
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.sync.service import SyncCancelledError, SyncProgress, run_sync
from pipedriven_desktop.sync.writers import EntityWriter, PersonWriter, activities
from pipedriven_desktop.sync.writers.indexes import indexes_set_aside
from pipedriven_desktop.sync.writers.search_index import INSERT_TRIGGER_FORM, rebuild_search_index
from tests.sync.conftest import NOW, PAGE, SyncFn, assert_mirror_matches, later, rows

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


# --- The search index and the other deferred work, against the row-by-row way ----------------

SEARCH_TRIGGERS = {"contacts_fts_insert", "contacts_fts_update", "contacts_fts_delete"}


def _schema(db: Database) -> dict[str, str]:
    """Every index and trigger, by name: what a listing may drop and must give back."""
    return {
        row.name: row.sql
        for row in rows(
            db,
            "SELECT name, sql FROM sqlite_master"
            " WHERE type IN ('index', 'trigger') AND sql IS NOT NULL",
        )
    }


def _search_entries(db: Database) -> list[Any]:
    """Each contact's search entry, by Pipedrive id (local row ids differ between mirrors)."""
    return rows(
        db,
        "SELECT c.pipedrive_person_id, f.name, f.email, f.phone, f.phone_digits, f.org_name,"
        " f.owner, f.parts FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid ORDER BY 1",
    )


def _derived(db: Database) -> dict[str, list[Any]]:
    """What a sync derives, keyed by Pipedrive ids rather than local ids."""
    return {
        "contacts": rows(
            db,
            "SELECT c.pipedrive_person_id, c.name, c.email, c.phone, c.last_contacted,"
            " c.warmness_score, c.score_computed_at IS NULL, o.name"
            " FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id ORDER BY 1",
        ),
        "activities": rows(
            db,
            "SELECT a.pipedrive_activity_id, c.pipedrive_person_id, o.name, d.pipedrive_deal_id"
            " FROM activities a LEFT JOIN contacts c ON c.id = a.contact_id"
            " LEFT JOIN organizations o ON o.id = a.organization_id"
            " LEFT JOIN deals d ON d.id = a.deal_id ORDER BY 1",
        ),
        "organizations": rows(
            db, "SELECT name, contact_count, last_activity FROM organizations ORDER BY 1, 2, 3"
        ),
        "search": _search_entries(db),
    }


@pytest.fixture
def row_by_row(
    tmp_path: Path, client: PipedriveClient, monkeypatch: pytest.MonkeyPatch
) -> dict[str, list[Any]]:
    """The same account synced into another new mirror the row-by-row way: nothing
    dropped, every index and the search index kept current by each statement."""
    other = open_database(tmp_path / "row-by-row.sqlite3")
    try:
        with monkeypatch.context() as patch:
            patch.setattr(EntityWriter, "deferrable_indexes", lambda self, conn: {})
            patch.setattr(PersonWriter, "deferrable_indexes", lambda self, conn: {})
            run_sync(
                other,
                client,
                now=lambda: NOW,
                lead_status_field=FAKE_LEAD_STATUS_FIELD,
                page_size=PAGE,
            )
        return _derived(other)
    finally:
        other.close()


def test_a_first_sync_builds_the_search_index_the_triggers_would_have_built(
    db: Database,
    sync: SyncFn,
    row_by_row: dict[str, list[Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    designed = _schema(db)
    assert designed.keys() >= SEARCH_TRIGGERS
    dropped: list[set[str]] = []
    # Every contact's last contact time changes: the indexes on it are built again.
    monkeypatch.setattr(activities, "_SET_ASIDE_FROM", 1)

    def watch(progress: SyncProgress) -> None:
        if progress.entity == "persons":
            dropped.append(SEARCH_TRIGGERS - _schema(db).keys())

    sync(progress=watch)

    assert dropped[0] == SEARCH_TRIGGERS, "dropped while the first listing runs"
    assert dropped[-1] == set()
    assert _schema(db) == designed
    assert _derived(db) == row_by_row
    assert len(row_by_row["search"]) == len(row_by_row["contacts"])
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_a_listing_stopped_before_the_search_index_was_built_builds_it_when_resumed(
    db: Database,
    account: FakeAccount,
    sync: SyncFn,
    row_by_row: dict[str, list[Any]],
) -> None:
    designed = _schema(db)
    seen: list[SyncProgress] = []
    with pytest.raises(SyncCancelledError):
        sync(progress=seen.append, should_cancel=lambda: any(p.entity == "persons" for p in seen))
    assert 0 < rows(db, "SELECT count(*) FROM contacts")[0][0] < len(account.persons)
    assert not SEARCH_TRIGGERS & _schema(db).keys(), "owed until the listing ends"
    assert _search_entries(db) == []

    sync()

    assert _schema(db) == designed
    assert _derived(db) == row_by_row
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]


def test_later_changes_reach_the_search_index_through_the_restored_triggers(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    person_id = min(account.persons)
    account.update_person(person_id, name="Zebediah Quartermaine")

    sync(now=later(0.01))

    found = rows(
        db,
        "SELECT c.pipedrive_person_id FROM contacts_fts f JOIN contacts c ON c.rowid = f.rowid"
        " WHERE contacts_fts MATCH 'quartermaine'",
    )
    assert found == [(person_id,)]


def test_setting_indexes_aside_gives_them_back_as_they_were(db: Database) -> None:
    before = _schema(db)
    on_column = {name for name, sql in before.items() if "last_contacted" in sql and "INDEX" in sql}
    assert on_column, "the schema has indexes on the last contact time"
    with db.engine.begin() as conn, indexes_set_aside(conn, "contacts", "last_contacted"):
        during = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'index'"
        ).fetchall()
        assert not on_column & {row[0] for row in during}
    assert _schema(db) == before


def test_indexes_set_aside_stay_when_the_block_fails(db: Database) -> None:
    before = _schema(db)
    with (
        pytest.raises(RuntimeError),
        db.engine.begin() as conn,
        indexes_set_aside(conn, "contacts", "last_contacted"),
    ):
        raise RuntimeError("the update failed")
    assert _schema(db) == before


def test_search_triggers_a_migration_made_meanwhile_are_not_doubled_by_the_resumed_listing(
    db: Database,
    account: FakeAccount,
    sync: SyncFn,
    row_by_row: dict[str, list[Any]],
) -> None:
    designed = _schema(db)
    seen: list[SyncProgress] = []
    with pytest.raises(SyncCancelledError):
        sync(progress=seen.append, should_cancel=lambda: any(p.entity == "persons" for p in seen))
    # As a migration rebuilding the search index would: its own triggers, the index filled.
    renamed = {
        name.replace("contacts_fts_", "contacts_search_"): designed[name].replace(
            f"TRIGGER {name} ", f"TRIGGER {name.replace('contacts_fts_', 'contacts_search_')} "
        )
        for name in SEARCH_TRIGGERS
    }
    with db.engine.begin() as conn:
        for sql in renamed.values():
            conn.exec_driver_sql(sql)
        insert = INSERT_TRIGGER_FORM.match(renamed["contacts_search_insert"])
        assert insert is not None
        rebuild_search_index(conn, insert["fts"], insert["columns"], insert["values"])

    sync()

    triggers = {
        row.name for row in rows(db, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    assert renamed.keys() <= triggers
    assert not SEARCH_TRIGGERS & triggers, "two sets would write each entry twice"
    assert _derived(db) == row_by_row
