"""The fake Pipedrive itself: its data, its HTTP behaviour, its faults, its speed."""

from __future__ import annotations

import base64
import json
import threading
import time
import unicodedata
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
import requests

from pipedriven_desktop.pipedrive import (
    FAKE_LEAD_STATUS_FIELD,
    FakeAccount,
    FakePipedriveServer,
    PipedriveClient,
)
from tests.pipedrive.conftest import NOW, PERSONS, TOKEN


@pytest.fixture
def http(server: FakePipedriveServer):
    """GET against the fake with the right token: `http(path, **params)`."""
    session = requests.Session()
    session.headers["x-api-token"] = TOKEN

    def get(path: str, **params: Any) -> requests.Response:
        return session.get(server.base_url + path, params=params, timeout=5)

    yield get
    session.close()


def all_pages(http, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        body = http(path, **params).json()
        items.extend(body["data"])
        params["cursor"] = body["additional_data"]["next_cursor"]
        if params["cursor"] is None:
            return items


# --- The generated account --------------------------------------------------------------------


def test_generation_is_deterministic():
    first = FakeAccount.generate(seed=3, persons=300, organizations=30, activities=400, now=NOW)
    again = FakeAccount.generate(seed=3, persons=300, organizations=30, activities=400, now=NOW)
    other = FakeAccount.generate(seed=4, persons=300, organizations=30, activities=400, now=NOW)
    assert first.persons == again.persons
    assert first.activities == again.activities
    assert first.persons != other.persons


def test_account_looks_like_a_real_sales_team(account):
    persons = list(account.persons.values())
    assert len(persons) == PERSONS
    assert sum(p["owner_id"] == account.me_id for p in persons) == 300
    names = " ".join(p["name"] for p in persons)
    assert any(unicodedata.normalize("NFKD", ch) != ch for ch in names)  # accents
    assert "Ł" in names or "ł" in names or "ø" in names
    assert any(not p["emails"] for p in persons)
    assert any(p["org_id"] is None for p in persons)
    assert any(
        p["org_id"] is not None and p["org_id"] not in account.organizations for p in persons
    )
    assert any(len(p["emails"]) > 1 and not p["emails"][0]["primary"] for p in persons)

    org_names = [o["name"] for o in account.organizations.values()]
    assert org_names[:3] == ["Acme Corp", "ACME Corp.", "Acme Corporation"]
    folded = Counter("".join(c for c in n.casefold() if c.isalnum())[:6] for n in org_names)
    assert sum(1 for count in folded.values() if count > 1) >= 5  # several spelled twice

    activities = list(account.activities.values())
    assert {a["type"] for a in activities} == {
        "call",
        "meeting",
        "email",
        "task",
        "deadline",
        "lunch",
    }
    assert 0.3 < sum(a["done"] for a in activities) / len(activities) < 0.95
    due = sorted(a["due_date"] for a in activities)
    assert due[0] >= "2024-06-01"
    assert due[-1] > NOW.date().isoformat()  # some are still ahead

    deals = list(account.deals.values())
    assert {d["status"] for d in deals} == {"open", "won", "lost", "deleted"}
    assert len({d["currency"] for d in deals}) >= 4
    assert len({d["value"] for d in deals}) > len(deals) // 2
    assert all(isinstance(p["custom_fields"][FAKE_LEAD_STATUS_FIELD], str | None) for p in persons)


def test_mutations_advance_a_strictly_later_clock(account):
    latest = max(p["update_time"] for p in account.persons.values())
    updated = account.update_person(5, name="Łukasz Nowak-Żak")
    added = account.add_person("Zoë Ångström", email="zoe@example.com", org_id=1)
    org = account.update_organization(2, name="ACME CORPORATION")
    activity = account.add_activity("Call Zoë", person_id=added["id"], done=True)
    deal = account.delete_deal(1)
    stamps = [
        updated["update_time"],
        added["update_time"],
        org["update_time"],
        activity["update_time"],
        deal["update_time"],
    ]
    assert latest < stamps[0]
    assert stamps == sorted(set(stamps))
    assert updated["first_name"] == "Łukasz"
    assert added["id"] == PERSONS + 1
    assert added["owner_id"] == account.me_id
    assert activity["marked_as_done_time"] == activity["update_time"]
    assert deal["status"] == "deleted"
    account.delete_person(5)
    assert 5 not in account.persons
    assert account.add_person("Next")["id"] == PERSONS + 2
    with pytest.raises(KeyError):
        account.update_person(5, name="Ghost")


def test_copies_are_independent(account):
    twin = account.copy()
    twin.update_person(3, name="Only In The Copy")
    twin.delete_person(4)
    assert account.persons[3]["name"] != "Only In The Copy"
    assert 4 in account.persons
    assert twin.clock > account.clock


def test_generation_makes_the_sizes_asked_for():
    big = FakeAccount.generate(persons=10_000, organizations=2_000, activities=50_000)
    assert (len(big.persons), len(big.organizations), len(big.activities)) == (
        10_000,
        2_000,
        50_000,
    )


# --- HTTP behaviour ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"x-api-token": "nope"}, {"Authorization": "Bearer nope"}, {"x-api-token": ""}],
)
def test_wrong_or_missing_token_is_401(server, headers):
    response = requests.get(server.base_url + "/api/v2/persons", headers=headers, timeout=5)
    assert response.status_code == 401
    assert response.json() == {"success": False, "error": "unauthorized access", "errorCode": 401}


def test_bearer_token_is_accepted(server):
    response = requests.get(
        server.base_url + "/api/v1/users/me",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert response.status_code == 200
    assert response.json()["data"]["id"] == server.account.me_id


def test_default_and_maximum_limit(http):
    assert len(http("/api/v2/persons").json()["data"]) == 100
    assert len(http("/api/v2/persons", limit=500).json()["data"]) == 500
    too_many = http("/api/v2/persons", limit=501)
    assert too_many.status_code == 400
    assert too_many.json()["success"] is False
    assert http("/api/v2/persons", limit=0).status_code == 400


def test_cursor_is_opaque_keyset_like_pipedrive(http):
    body = http("/api/v2/persons", limit=2).json()
    cursor = body["additional_data"]["next_cursor"]
    decoded = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    assert decoded == {"field": "id", "fieldValue": 3, "sortDirection": "asc", "id": 3}
    assert http("/api/v2/persons", cursor="garbage!").status_code == 400


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize("sort_by", ["id", "update_time", "add_time"])
def test_sorting_and_paging_cover_everything_once(http, account, sort_by, direction):
    items = all_pages(http, "/api/v2/persons", limit=317, sort_by=sort_by, sort_direction=direction)
    assert len(items) == PERSONS
    assert {item["id"] for item in items} == set(account.persons)
    keys = [(item[sort_by], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=direction == "desc")


def test_activities_sort_by_due_date_but_persons_do_not(http):
    items = all_pages(http, "/api/v2/activities", limit=500, sort_by="due_date")
    assert [i["due_date"] for i in items] == sorted(i["due_date"] for i in items)
    assert http("/api/v2/persons", sort_by="due_date").status_code == 400


def test_updated_since_and_until(http, account):
    since = "2025-01-01T00:00:00Z"
    until = "2025-03-01T00:00:00Z"
    items = all_pages(http, "/api/v2/persons", limit=500, updated_since=since, updated_until=until)
    expected = {p["id"] for p in account.persons.values() if since <= p["update_time"] < until}
    assert {i["id"] for i in items} == expected
    boundary = next(iter(account.persons.values()))["update_time"]
    same = all_pages(http, "/api/v2/persons", limit=500, updated_since=boundary)
    assert any(i["update_time"] == boundary for i in same)  # >=, so the boundary comes again
    offset = http("/api/v2/persons", updated_since="2025-01-01T02:00:00+02:00")
    assert offset.status_code == 200
    assert http("/api/v2/persons", updated_since="2025-01-01T00:00:00.123Z").status_code == 400
    assert http("/api/v2/persons", updated_since="yesterday").status_code == 400


def test_filters(http, account):
    mine = all_pages(http, "/api/v2/persons", limit=500, owner_id=account.me_id)
    assert len(mine) == 300
    picked = http("/api/v2/persons", ids="3,5,999999").json()["data"]
    assert [p["id"] for p in picked] == [3, 5]
    done = all_pages(http, "/api/v2/activities", limit=500, done="true")
    assert done
    assert all(a["done"] for a in done)
    one_person = next(a["person_id"] for a in account.activities.values() if a["person_id"])
    for a in all_pages(http, "/api/v2/activities", limit=500, person_id=one_person):
        assert a["person_id"] == one_person


def test_deal_status_filter(http, account):
    default = all_pages(http, "/api/v2/deals", limit=500)
    assert "deleted" not in {d["status"] for d in default}
    deleted = all_pages(http, "/api/v2/deals", limit=500, status="deleted")
    assert deleted
    assert {d["status"] for d in deleted} == {"deleted"}
    every = all_pages(http, "/api/v2/deals", limit=500, status="open,won,lost,deleted")
    assert len(every) == len(account.deals)
    assert http("/api/v2/deals", status="maybe").status_code == 400


def test_cursor_survives_changes_between_pages(http, account):
    first = http("/api/v2/persons", limit=500).json()
    account.update_person(1100, name="Renée Changed")
    account.delete_person(1200)
    account.add_person("Arrived Later")
    rest = all_pages(
        http, "/api/v2/persons", limit=500, cursor=first["additional_data"]["next_cursor"]
    )
    ids = [p["id"] for p in first["data"] + rest]
    assert len(ids) == len(set(ids)) == PERSONS  # -1 deleted, +1 added
    assert 1200 not in ids
    assert PERSONS + 1 in ids


def test_include_fields_for_persons(http):
    wanted = "email_messages_count,marketing_status"
    item = http("/api/v2/persons", include_fields=wanted).json()["data"][0]
    assert "email_messages_count" in item
    assert "marketing_status" in item
    assert "last_incoming_mail_time" not in item


def test_single_items_users_me_and_unknown_paths(http, account):
    assert http("/api/v2/persons/3").json()["data"]["id"] == 3
    assert http("/api/v2/persons/999999").status_code == 404
    me = http("/v1/users/me").json()
    assert me["success"] is True
    assert me["data"]["company_domain"] == account.company_domain
    assert http("/api/v2/leads").status_code == 404
    assert http("/nothing").json()["errorCode"] == 404


def test_other_methods_are_refused(server):
    response = requests.post(
        server.base_url + "/api/v2/persons",
        json={"name": "x"},
        headers={"x-api-token": TOKEN},
        timeout=5,
    )
    assert response.status_code == 405


def test_rate_limit_headers_and_enforcement(account):
    fake = FakePipedriveServer(account, token=TOKEN, burst_limit=3, rate_window=30)
    with fake, requests.Session() as session:
        session.headers["x-api-token"] = TOKEN
        answers = [session.get(fake.base_url + "/v1/users/me", timeout=5) for _ in range(4)]
    assert [a.headers["x-ratelimit-remaining"] for a in answers[:3]] == ["2", "1", "0"]
    assert all(a.headers["x-ratelimit-limit"] == "3" for a in answers)
    assert 1 <= int(answers[0].headers["x-ratelimit-reset"]) <= 30
    assert answers[3].status_code == 429
    assert answers[3].json()["error"] == "Request over limit"
    assert "Retry-After" in answers[3].headers


def test_request_log_keeps_no_headers(http, server):
    http("/api/v2/persons", limit=5)
    entry = server.request_log[-1]
    assert (entry.method, entry.path, entry.params, entry.status) == (
        "GET",
        "/api/v2/persons",
        {"limit": "5"},
        200,
    )
    assert TOKEN not in repr(server.request_log)
    assert server.request_count == 1


def test_the_server_is_quiet(account, capfd):
    with FakePipedriveServer(account, token=TOKEN) as fake:
        requests.get(fake.base_url + "/api/v2/persons", timeout=5)
        fake.faults.add("drop")
        with pytest.raises(requests.ConnectionError):
            requests.get(fake.base_url + "/v1/users/me", headers={"x-api-token": TOKEN}, timeout=5)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


# --- Faults -----------------------------------------------------------------------------------


def test_faults_match_their_path_and_count_down(http, server):
    server.faults.add("503", count=2, path_prefix="/api/v2/deals")
    assert http("/api/v2/persons").status_code == 200
    assert http("/api/v2/deals").status_code == 503
    assert server.faults.pending == 1
    assert http("/api/v2/deals").status_code == 503
    assert http("/api/v2/deals").status_code == 200
    assert server.faults.pending == 0


def test_fault_shapes(http, server):
    server.faults.add("429", retry_after=7)
    limited = http("/api/v2/persons")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "7"
    assert limited.headers["x-ratelimit-reset"] == "7"
    assert limited.json() == {"success": False, "error": "Request over limit", "errorCode": 429}

    server.faults.add("500")
    assert http("/api/v2/persons").json()["errorCode"] == 500

    server.faults.add("bad_json")
    garbled = http("/api/v2/persons")
    assert garbled.status_code == 200
    with pytest.raises(ValueError):  # noqa: PT011 - any JSON decoding error
        garbled.json()

    server.faults.add("html_403")
    banned = http("/api/v2/persons")
    assert banned.status_code == 403
    assert banned.headers["Content-Type"].startswith("text/html")

    server.faults.add("slow", delay=0.2)
    started = time.perf_counter()
    assert http("/api/v2/persons").status_code == 200
    assert time.perf_counter() - started >= 0.2

    server.faults.add("bad_gzip")
    with pytest.raises(requests.exceptions.ContentDecodingError):
        http("/api/v2/persons")

    server.faults.add("echo_token")
    echoed = http("/api/v2/persons")
    assert echoed.status_code == 400
    assert TOKEN in echoed.json()["error"]

    with pytest.raises(ValueError, match="unknown fault"):
        server.faults.add("teapot")


def test_a_trickle_sends_the_whole_answer_a_byte_at_a_time(server):
    server.faults.add("trickle", delay=0.0001)
    with requests.get(
        server.base_url + "/v1/users/me", headers={"x-api-token": TOKEN}, stream=True, timeout=5
    ) as answer:
        reads = list(iter(lambda: answer.raw.read1(4096), b""))
    assert len(reads) > 10  # it came in pieces
    assert json.loads(b"".join(reads))["data"]["id"] == server.account.me_id


def test_repeat_cursor_waits_for_a_request_with_a_cursor(http, server):
    server.faults.add("repeat_cursor")
    first = http("/api/v2/persons").json()
    cursor = first["additional_data"]["next_cursor"]
    assert server.faults.pending == 1
    second = http("/api/v2/persons", cursor=cursor).json()
    assert second["additional_data"]["next_cursor"] == cursor


# --- Concurrency and speed --------------------------------------------------------------------


def test_mutations_while_serving_are_safe(server, account):
    stop = threading.Event()

    def mutate() -> None:
        person_ids = list(account.persons)[:200]
        while not stop.is_set():
            for pid in person_ids:
                account.update_person(pid, job_title="Busy")

    writer = threading.Thread(target=mutate)
    writer.start()
    try:
        with PipedriveClient(server.base_url, TOKEN) as api:
            for _ in range(3):
                seen = {item["id"] for item in api.iter_items("persons", sort_by="id")}
                assert seen == set(account.persons)
    finally:
        stop.set()
        writer.join()
    assert server.errors == []


def test_ten_thousand_persons_are_walked_in_twenty_full_pages():
    big = FakeAccount.generate(
        persons=10_000,
        organizations=500,
        activities=0,
        deals=0,
        now=datetime(2025, 1, 1, tzinfo=UTC),
    )
    with (
        FakePipedriveServer(big, token=TOKEN) as fake,
        PipedriveClient(fake.base_url, TOKEN) as api,
    ):
        count = sum(len(page.items) for page in api.iter_pages("persons"))
        assert count == 10_000
        assert fake.request_count == 20
