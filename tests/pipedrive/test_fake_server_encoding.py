"""The fake serves listing pages from item encodings it keeps, once a listing was encoded
ahead: the same answers as encoded whole, never stale."""

from __future__ import annotations

import json
from typing import Any

import pytest

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


@pytest.mark.parametrize("ahead", [False, True])
def test_the_json_served_is_the_answer_built(account: FakeAccount, ahead: bool):
    server = FakePipedriveServer(account)
    for entity, params in LISTINGS:
        if ahead:
            assert server.encode_listing(entity, params) >= 1
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
    server.encode_listing("persons", params)
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
    server.encode_listing("persons", {})
    person_id = sorted(account.persons)[0]
    account.put_raw("persons", {**account.persons[person_id], "name": "Half \ud83d emoji"})
    body = server.list_page_json("persons", {"limit": "2"})
    first, second = json.loads(body)["data"]
    assert first["name"] == "Half \ud83d emoji"
    assert second == account.persons[sorted(account.persons)[1]]


def test_a_listing_kept_up_to_date_item_by_item_is_the_listing_sorted_anew(
    account: FakeAccount,
):
    server = FakePipedriveServer(account)
    orders = [("persons", "update_time"), ("persons", "id"), ("activities", "due_date")]

    def listed(served: FakePipedriveServer, entity: Any, sort_by: str) -> list[int]:
        asked = {"limit": "500", "sort_by": sort_by, "updated_since": "2000-01-01T00:00:00Z"}
        return [
            item["id"] for body in walk(served, entity, asked) for item in json.loads(body)["data"]
        ]

    for entity, sort_by in orders:
        listed(server, entity, sort_by)
    persons, activities = sorted(account.persons), sorted(account.activities)
    for number, person_id in enumerate(persons[:12]):
        account.update_person(person_id, name=f"Changed {number}")
    account.delete_person(persons[20])
    account.add_person("Arrived Later")
    account.put_raw("persons", {**account.persons[persons[30]], "update_time": None})
    account.update_activity(activities[5], due_date="1999-01-01")
    account.delete_activity(activities[6])
    fresh = FakePipedriveServer(account)
    for entity, sort_by in orders:
        assert listed(server, entity, sort_by) == listed(fresh, entity, sort_by)


def test_items_are_kept_only_for_listings_encoded_ahead(account: FakeAccount):
    server = FakePipedriveServer(account)
    walk(server, "activities", {"limit": "500"})
    assert not server._encoded
    server.encode_listing("activities", {})
    assert len(server._encoded[("activities", frozenset())]) == len(account.activities)
