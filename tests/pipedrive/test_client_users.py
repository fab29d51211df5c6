"""`GET /v1/users`: every user of the company in one request, for owner names."""

from __future__ import annotations

from pipedriven_desktop.pipedrive import FakePipedriveServer, PipedriveClient


def test_users_lists_every_user_in_one_request(
    client: PipedriveClient, server: FakePipedriveServer
) -> None:
    users = client.users()
    assert {user.id: user.name for user in users} == {
        uid: user["name"] for uid, user in server.account.users.items()
    }
    assert server.account.me_id in {user.id for user in users}
    assert all(user.active for user in users)
    assert [entry.path for entry in server.request_log] == ["/v1/users"]


def test_a_deactivated_user_is_listed_as_inactive_and_a_broken_record_skipped(
    client: PipedriveClient, server: FakePipedriveServer
) -> None:
    with server.account.lock:
        uid = next(uid for uid in server.account.users if uid != server.account.me_id)
        server.account.users[uid] = {**server.account.users[uid], "active_flag": False}
        server.account.users[1] = {"id": "not a number", "name": "Broken"}
    users = {user.id: user for user in client.users()}
    assert users[uid].active is False
    assert users[server.account.me_id].active is True
    assert 1 not in users
