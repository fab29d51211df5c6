"""The fake serves listing pages from item encodings it keeps: the same answers, never stale."""

from __future__ import annotations

import json
from typing import Any

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.pipedrive.client import PERSON_INCLUDE_FIELDS

LISTINGS: list[tuple[Any, dict[str, str]]] = [
    ("persons", {"limit": "500", "include_fields": PERSON_INCLUDE_FIELDS}),
    ("persons", {"limit": "100", "sort_by": "update_time", "sort_direction": "desc"}),
    ("activities", {"limit": "300", "sort_by": "id"}),
    ("deals", {"limit": "50", "status": "open,won,lost,deleted"}),
]


def walk(server: FakePipedriveServer, entity: Any, params: dict[str, str]) -> list[bytes]:
    """Every page of a listing as the JSON bodies served."""
    pages: list[bytes] = []
    asked = dict(params)
    while True:
        body = server.list_page_json(entity, asked)
        pages.append(body)
        cursor = json.loads(body)["additional_data"]["next_cursor"]
        if cursor is None:
            return pages
        asked["cursor"] = cursor


def test_the_json_served_is_the_answer_built(account: FakeAccount):
    server = FakePipedriveServer(account)
    for entity, params in LISTINGS:
        asked = dict(params)
        for body in walk(server, entity, params):
            # Served twice: once encoded, once from the kept encodings.
            again = server.list_page_json(entity, asked)
            built = server.list_page(entity, asked)
            assert json.loads(body) == json.loads(again) == built
            assert body == again == json.dumps(built, ensure_ascii=False).encode()
            asked["cursor"] = built["additional_data"]["next_cursor"]


def test_a_changed_item_is_served_as_it_is_now(account: FakeAccount):
    server = FakePipedriveServer(account)
    params = {"limit": "500", "include_fields": PERSON_INCLUDE_FIELDS}
    walk(server, "persons", params)
    person_id = sorted(account.persons)[3]
    account.update_person(person_id, name="Renamed Meanwhile")
    account.person_extras[person_id] = {"email_messages_count": 77}
    served = [
        item
        for body in walk(server, "persons", params)
        for item in json.loads(body)["data"]
        if item["id"] == person_id
    ]
    assert [item["name"] for item in served] == ["Renamed Meanwhile"]
    assert served[0]["email_messages_count"] == 77
    assert served[0]["marketing_status"] is None


def test_a_lone_surrogate_is_escaped_in_its_item_alone(account: FakeAccount):
    server = FakePipedriveServer(account)
    person_id = sorted(account.persons)[0]
    account.put_raw("persons", {**account.persons[person_id], "name": "Half \ud83d emoji"})
    body = server.list_page_json("persons", {"limit": "2"})
    first, second = json.loads(body)["data"]
    assert first["name"] == "Half \ud83d emoji"
    assert second == account.persons[sorted(account.persons)[1]]
