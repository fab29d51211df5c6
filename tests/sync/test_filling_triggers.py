"""The trigger copying each new contact's organization name is set aside during a first
listing of persons and the names filled once at its end, as the trigger would have."""

from __future__ import annotations

import pytest

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.service import SyncCancelledError, SyncProgress
from pipedriven_desktop.sync.writers.filling_triggers import (
    fill_statement,
    filling_triggers,
    is_filling,
)
from tests.sync.conftest import SyncFn, assert_mirror_matches, later, rows

NAME_TRIGGER = "contacts_organization_name_insert"


def _triggers(db: Database) -> dict[str, str]:
    return {
        row.name: row.sql
        for row in rows(db, "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }


def _names_as_joined(db: Database) -> list[tuple[int, str | None, str | None]]:
    """Each contact's kept organization name beside its organization's own name."""
    return [
        tuple(row)
        for row in rows(
            db,
            "SELECT c.pipedrive_person_id, c.organization_name, o.name FROM contacts c"
            " LEFT JOIN organizations o ON o.id = c.organization_id ORDER BY 1",
        )
    ]


def test_only_the_trigger_filling_the_inserted_row_is_set_aside(db: Database) -> None:
    with db.engine.connect() as conn:
        found = filling_triggers(conn, "contacts")
    assert set(found) == {NAME_TRIGGER}
    assert not is_filling(_triggers(db)["contacts_organization_name_update"])
    with pytest.raises(ValueError, match="not a trigger"):
        fill_statement(_triggers(db)["contacts_fts_insert"])


def test_a_first_listing_fills_the_organization_names_the_trigger_would_have(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    designed = _triggers(db)
    seen: list[SyncProgress] = []
    with pytest.raises(SyncCancelledError):
        sync(progress=seen.append, should_cancel=lambda: any(p.entity == "persons" for p in seen))
    assert NAME_TRIGGER not in _triggers(db), "set aside while the listing runs"
    written = rows(db, "SELECT count(*), count(organization_name) FROM contacts")[0]
    assert written[0] > 0
    assert written[1] == 0, "filled when the listing ends"

    sync()

    assert _triggers(db) == designed
    names = _names_as_joined(db)
    assert [(pid, kept) for pid, kept, _ in names] == [(pid, own) for pid, _, own in names]
    assert sum(1 for _, kept, _ in names if kept is not None) > len(names) // 2
    assert_mirror_matches(db, account)


def test_a_contact_arriving_after_the_listing_gets_its_name_from_the_restored_trigger(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    org_id = min(account.organizations)
    person = account.add_person("Nora Newcomer", org_id=org_id)

    sync(now=later(0.01))

    kept = rows(
        db,
        "SELECT organization_name FROM contacts WHERE pipedrive_person_id = :pid",
        pid=person["id"],
    )
    assert kept == [(account.organizations[org_id]["name"],)]
