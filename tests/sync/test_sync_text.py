"""Text no UTF-8 file can hold, as Pipedrive may send it: the run still succeeds."""

from __future__ import annotations

import requests

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store.database import Database
from tests.sync.conftest import TOKEN, SyncFn, assert_mirror_matches, rows

HALF_EMOJI = "Ana \ud83d"


def test_a_name_with_half_an_emoji_is_repaired_and_the_page_is_written(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    sync()
    broken = account.add_person(HALF_EMOJI, job_title="Buyer \udc00", email="ana@example.org")
    neighbour = account.add_person("Ben Neighbour")

    result = sync()

    assert result.failed == 0
    (row,) = rows(
        db, "SELECT name, job_title FROM contacts WHERE pipedrive_person_id = :p", p=broken["id"]
    )
    assert (row.name, row.job_title) == ("Ana \ufffd", "Buyer \ufffd")
    assert rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=neighbour["id"])
    # A full listing meets the same record and gets through too.
    assert sync(full=True).failed == 0
    # The mirror holds the account, with the repaired text.
    repaired = {**account.persons[broken["id"]], "name": "Ana \ufffd", "job_title": "Buyer \ufffd"}
    account.put_raw("persons", repaired)
    assert_mirror_matches(db, account)


def test_the_fake_serves_a_lone_surrogate_as_a_json_escape(
    account: FakeAccount, server: FakePipedriveServer
) -> None:
    person = account.add_person(HALF_EMOJI)
    answer = requests.get(
        f"{server.base_url}/api/v2/persons/{person['id']}",
        headers={"x-api-token": TOKEN},
        timeout=5,
    )
    assert b'"Ana \\ud83d"' in answer.content
    assert answer.json()["data"]["name"] == HALF_EMOJI
