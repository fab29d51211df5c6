"""The sync mirrors Pipedrive's users (one request), so contacts show their owner's name."""

from __future__ import annotations

import pytest

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer, PipedriveClient
from pipedriven_desktop.pipedrive.errors import RequestRejectedError
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from tests.sync.conftest import SyncFn, rows


def test_a_sync_mirrors_the_users_and_rows_show_their_owner(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    sync()

    mirrored = {row.id: row.name for row in rows(db, "SELECT id, name FROM users")}
    assert mirrored == {uid: user["name"] for uid, user in account.users.items()}
    assert len(server.requests_to("/v1/users")) == 1
    page = ContactService(db).page(ContactFilter(), 1, 500, with_activities=False)
    owned_by = {row.pipedrive_person_id: row.owner_name for row in page.rows}
    for pid, name in owned_by.items():
        assert pid is not None
        assert name == account.users[account.persons[pid]["owner_id"]]["name"]
    assert account.me["name"] in owned_by.values()


def test_a_renamed_user_is_renamed_by_the_next_sync(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    with account.lock:
        account.users[account.me_id] = {**account.me, "name": "Maja Nowak"}
    sync()
    assert rows(db, "SELECT name FROM users WHERE id = :i", i=account.me_id) == [("Maja Nowak",)]


def test_a_refused_users_listing_costs_the_names_not_the_sync(
    db: Database, client: PipedriveClient, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse() -> list[object]:
        raise RequestRejectedError("Pipedrive refused the request (404).", status=404)

    monkeypatch.setattr(client, "users", refuse)
    result = sync()
    assert result.failed == 0
    assert rows(db, "SELECT count(*) FROM users") == [(0,)]
    assert rows(db, "SELECT count(*) FROM contacts")[0][0] > 0
