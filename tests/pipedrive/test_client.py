"""The client against the fake Pipedrive over real HTTP: paging, filters, retries, errors."""

from __future__ import annotations

import io
import json
import math
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from pipedriven_desktop.pipedrive import (
    FAKE_LEAD_STATUS_FIELD,
    PERSON_INCLUDE_FIELDS,
    Activity,
    AuthError,
    BadResponseError,
    CursorLoopError,
    Deal,
    FakePipedriveServer,
    Organization,
    Page,
    Person,
    PipedriveClient,
    PipedriveConnectionError,
    RateLimitError,
    RequestCancelledError,
    RequestRejectedError,
    ResponseTimeoutError,
    ServerError,
    User,
    format_api_time,
    parse_api_time,
)
from tests.pipedrive.conftest import NOW, PERSONS, TOKEN

PERSONS_PATH = "/api/v2/persons"


def walk(client: PipedriveClient, entity: Any = "persons", **kwargs: Any) -> list[dict[str, Any]]:
    return [item for page in client.iter_pages(entity, **kwargs) for item in page.items]


# --- Paging -----------------------------------------------------------------------------------


def test_walks_every_person_in_the_fewest_pages(client, server, account):
    pages = list(client.iter_pages("persons"))

    ids = [item["id"] for page in pages for item in page.items]
    assert sorted(ids) == sorted(account.persons)
    assert len(ids) == len(set(ids))
    list_requests = server.requests_to(PERSONS_PATH)
    assert len(list_requests) == math.ceil(PERSONS / 500) == len(pages)
    assert client.requests_made == len(pages)
    assert [page.number for page in pages] == [1, 2, 3]
    assert [page.is_last for page in pages] == [False, False, True]
    assert all(r.params["limit"] == "500" for r in list_requests)
    assert all(r.params["sort_by"] == "update_time" for r in list_requests)
    assert "cursor" not in list_requests[0].params
    assert list_requests[1].params["cursor"] == pages[0].next_cursor


def test_pages_are_in_update_time_order(client):
    times = [item["update_time"] for item in walk(client)]
    assert times == sorted(times)


@pytest.mark.parametrize("entity", ["organizations", "activities", "deals"])
def test_walks_the_other_entities(client, account, entity):
    ids = {item["id"] for item in walk(client, entity)}
    expected = set(account.table(entity))
    if entity == "deals":  # deleted deals come too, the default asks for every status
        assert any(deal["status"] == "deleted" for deal in account.deals.values())
    assert ids == expected


def test_deals_status_can_be_narrowed(client, account):
    deleted = account.delete_deal(next(iter(account.deals)))
    assert deleted["status"] == "deleted"

    everything = walk(client, "deals")
    assert deleted["id"] in {deal["id"] for deal in everything}
    open_only = walk(client, "deals", extra={"status": "open"})
    assert open_only
    assert {deal["status"] for deal in open_only} == {"open"}


def test_include_fields_brings_the_mail_counters(client):
    first = next(client.iter_pages("persons", extra={"include_fields": PERSON_INCLUDE_FIELDS}))
    assert all("email_messages_count" in item for item in first.items)
    assert any(item["last_outgoing_mail_time"] for item in first.items)
    plain = next(client.iter_pages("persons"))
    assert "email_messages_count" not in plain.items[0]


# --- Incremental ------------------------------------------------------------------------------


def test_updated_since_returns_changes_and_the_boundary_again(client, server, account):
    everything = walk(client)
    watermark = max(parse_api_time(item["update_time"]) or NOW for item in everything)
    boundary_ids = {
        item["id"] for item in everything if parse_api_time(item["update_time"]) == watermark
    }
    changed = [
        account.update_person(pid, job_title="Chief Happiness Officer")["id"] for pid in (3, 5, 8)
    ]
    server.reset_log()

    since = walk(client, updated_since=watermark + timedelta(microseconds=654_321))

    assert {item["id"] for item in since} == boundary_ids | set(changed)
    assert server.requests_to(PERSONS_PATH)[0].params["updated_since"] == format_api_time(watermark)
    changed_times = [item["update_time"] for item in since if item["id"] in changed]
    assert changed_times == sorted(changed_times)
    assert all(t > format_api_time(watermark) for t in changed_times)


def test_updated_since_in_the_future_is_one_empty_page(client, server):
    pages = list(client.iter_pages("persons", updated_since=datetime(2030, 1, 1, tzinfo=UTC)))
    assert [len(page.items) for page in pages] == [0]
    assert server.request_count == 1


def test_format_api_time_is_whole_second_utc():
    moment = datetime(2025, 1, 1, 11, 20, 0, 999_999, tzinfo=UTC)
    assert format_api_time(moment) == "2025-01-01T11:20:00Z"
    cet = moment.astimezone(ZoneInfo("Europe/Berlin"))
    assert format_api_time(cet) == "2025-01-01T11:20:00Z"
    assert format_api_time(datetime(2025, 1, 1, 10, 20)) == "2025-01-01T10:20:00Z"


# --- Rate limits and retries ------------------------------------------------------------------


def test_rides_out_a_429_waiting_as_the_server_says(client, server, sleeps):
    server.faults.add("429", retry_after=3, path_prefix=PERSONS_PATH)

    items = walk(client)

    assert len(items) == PERSONS
    assert sleeps.calls == [3]
    assert client.requests_made == 4
    assert [r.status for r in server.request_log] == [429, 200, 200, 200]


def test_a_429_wait_is_bounded(server, sleeps):
    server.faults.add("429", retry_after=3600)
    with PipedriveClient(server.base_url, TOKEN, max_wait=20, sleep=sleeps) as api:
        assert api.me().id == server.account.me_id
    assert sleeps.calls == [20]


def test_persistent_429_gives_up_with_rate_limit_error(client, server, sleeps):
    server.faults.add("429", count=50, retry_after=1)

    with pytest.raises(RateLimitError) as caught:
        client.me()

    assert server.request_count == 1 + client.max_retries == 4
    assert sleeps.calls == [1, 1, 1]
    assert caught.value.status == 429


def test_spent_burst_budget_pauses_before_the_next_request(account, sleeps):
    with FakePipedriveServer(
        account, token=TOKEN, burst_limit=2, rate_window=30, enforce_rate_limit=False
    ) as fake:
        with PipedriveClient(fake.base_url, TOKEN, sleep=sleeps) as api:
            assert len(walk(api)) == PERSONS
        assert fake.request_count == 3
    # After the 2nd request x-ratelimit-remaining was 0: wait out the reset, only once.
    assert len(sleeps.calls) == 1
    assert 1 <= sleeps.calls[0] <= 30


def test_a_spent_burst_budget_pauses_every_sibling_client(account, sleeps):
    with (
        FakePipedriveServer(
            account, token=TOKEN, burst_limit=2, rate_window=30, enforce_rate_limit=False
        ) as fake,
        PipedriveClient(fake.base_url, TOKEN, sleep=sleeps) as api,
    ):
        twin = api.sibling()
        try:
            assert twin.me().id == account.me_id
            assert not sleeps.calls
            assert twin.me().id == account.me_id  # the budget is spent: remaining 0
            assert api.me().id == account.me_id
            assert twin.me().id == account.me_id
        finally:
            twin.close()
        # Both clients were told to wait out the reset, each before its next request.
        assert len(sleeps.calls) == 2
        assert all(1 <= wait <= 30 for wait in sleeps.calls)
        assert api.requests_made == twin.requests_made == fake.request_count == 4


def test_a_sibling_client_shares_the_account_and_the_cancel(client, server, account):
    twin = client.sibling()
    try:
        assert [i["id"] for i in walk(twin, "organizations")] == [
            i["id"] for i in walk(client, "organizations")
        ]
        assert client.requests_made == twin.requests_made == server.request_count
        client.cancel()
        with pytest.raises(RequestCancelledError):
            twin.me()
    finally:
        twin.close()
    assert TOKEN not in repr(twin)


@pytest.mark.parametrize("kind", ["500", "503", "drop"])
def test_transient_failures_are_retried(client, server, sleeps, kind):
    server.faults.add(kind, path_prefix=PERSONS_PATH)

    assert len(walk(client)) == PERSONS

    assert sleeps.calls == [0.25]
    assert client.requests_made == 4


def test_timeouts_are_retried(account, sleeps):
    with FakePipedriveServer(account, token=TOKEN) as fake:
        fake.faults.add("slow", delay=0.6)
        with PipedriveClient(fake.base_url, TOKEN, timeout=0.2, sleep=sleeps) as api:
            assert api.me().id == account.me_id
            assert api.requests_made == 2
    assert sleeps.calls == [0.5]


def test_persistent_server_errors_stop_after_bounded_backoff(client, server, sleeps):
    server.faults.add("500", count=50)

    with pytest.raises(ServerError) as caught:
        list(client.iter_pages("persons"))

    assert server.request_count == 4
    assert sleeps.calls == [0.25, 0.5, 1.0]
    assert caught.value.status == 500
    assert "500" in str(caught.value)


def test_backoff_never_exceeds_max_wait(server, sleeps):
    server.faults.add("503", count=50)
    with (
        PipedriveClient(
            server.base_url, TOKEN, max_retries=6, backoff_base=1, max_wait=5, sleep=sleeps
        ) as api,
        pytest.raises(ServerError),
    ):
        api.me()
    assert sleeps.calls == [1, 2, 4, 5, 5, 5]


def test_unreachable_server_is_a_connection_error(sleeps):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with PipedriveClient(f"http://127.0.0.1:{port}", TOKEN, max_retries=2, sleep=sleeps) as api:
        with pytest.raises(PipedriveConnectionError) as caught:
            api.me()
        assert api.requests_made == 3
    assert TOKEN not in str(caught.value)
    assert TOKEN not in repr(caught.value)


# --- Errors that stop at once -----------------------------------------------------------------


def test_bad_token_is_an_auth_error_after_one_request(server, sleeps):
    secret = "wrong-secret-token-0123456789"
    api = PipedriveClient(server.base_url, secret, sleep=sleeps)
    with api, pytest.raises(AuthError) as caught:
        list(api.iter_pages("persons"))

    assert server.request_count == 1
    assert sleeps.calls == []
    error = caught.value
    assert error.status == 401
    assert "API token" in str(error)
    for text in (str(error), repr(error), repr(api), str(error.__cause__)):
        assert secret not in text
    assert secret not in str(server.request_log)


def test_html_403_from_the_edge_is_an_auth_error(client, server):
    server.faults.add("html_403")
    with pytest.raises(AuthError) as caught:
        client.me()
    assert caught.value.status == 403
    assert server.request_count == 1


def test_an_error_text_echoing_the_token_is_masked(client, server):
    server.faults.add("echo_token")
    with pytest.raises(RequestRejectedError) as caught:
        client.me()
    assert caught.value.status == 400
    assert "for token [redacted]" in caught.value.message
    for text in (str(caught.value), repr(caught.value), caught.value.message):
        assert TOKEN not in text


def test_other_4xx_is_rejected_without_retry(client, server):
    with pytest.raises(RequestRejectedError) as caught:
        next(client.iter_pages("persons", limit=501))
    assert caught.value.status == 400
    assert "limit" in str(caught.value)
    assert server.request_count == 1


def test_bad_json_is_never_half_used(client, server, sleeps):
    server.faults.add("bad_json", count=50, path_prefix=PERSONS_PATH)
    received: list[Page] = []
    with pytest.raises(BadResponseError, match="not valid JSON"):
        received.extend(client.iter_pages("persons"))
    assert received == []
    assert server.request_count == 1 + client.max_retries
    assert sleeps.calls == [0.25, 0.5, 1.0]


@pytest.mark.parametrize("kind", ["bad_json", "bad_gzip"])
def test_a_garbled_answer_is_retried(client, server, sleeps, kind):
    server.faults.add(kind, path_prefix=PERSONS_PATH)

    assert len(walk(client)) == PERSONS

    assert sleeps.calls == [0.25]
    assert client.requests_made == 4


def test_a_gzip_body_that_does_not_decode_is_a_bad_response(client, server, sleeps):
    server.faults.add("bad_gzip", count=50)

    with pytest.raises(BadResponseError, match="could not be decoded") as caught:
        client.me()

    assert server.request_count == 1 + client.max_retries
    assert caught.value.message.count("\n") == 0


# --- Deadline and cancel ----------------------------------------------------------------------


def test_a_trickling_answer_fails_at_the_deadline(server):
    # The whole answer would take about a minute at one byte every 0.2 s.
    server.faults.add("trickle", delay=0.2)
    with PipedriveClient(server.base_url, TOKEN, timeout=5, deadline=1) as api:
        with pytest.raises(ResponseTimeoutError, match="took longer than 1 s") as caught:
            api.me()
        assert api.requests_made == 1
    assert "/v1/users/me" in caught.value.message


def _in_thread(call: Any) -> tuple[threading.Thread, list[BaseException]]:
    raised: list[BaseException] = []

    def run() -> None:
        try:
            call()
        except BaseException as exc:
            raised.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, raised


def _wait_until(condition: Any, timeout: float = 10) -> None:
    give_up = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < give_up, "condition never became true"
        time.sleep(0.01)


def test_cancel_abandons_a_trickling_answer(server):
    server.faults.add("trickle", delay=0.2)  # about a minute for the whole answer
    api = PipedriveClient(server.base_url, TOKEN, timeout=30, deadline=300)
    thread, raised = _in_thread(api.me)
    _wait_until(lambda: server.faults.pending == 0)

    api.cancel()
    thread.join(timeout=15)

    assert not thread.is_alive()
    assert [type(exc) for exc in raised] == [RequestCancelledError]
    with pytest.raises(RequestCancelledError):  # and it stays cancelled
        api.me()
    api.close()


def test_cancel_ends_a_backoff_wait(server):
    server.faults.add("503", count=50)
    api = PipedriveClient(server.base_url, TOKEN, backoff_base=600, max_wait=600)
    thread, raised = _in_thread(api.me)
    _wait_until(lambda: server.request_count == 1)

    api.cancel()
    thread.join(timeout=15)

    assert not thread.is_alive()
    assert [type(exc) for exc in raised] == [RequestCancelledError]
    assert server.request_count == 1
    api.close()


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "data": []},
        {"success": True, "data": {"id": 1}},
        {"success": True, "data": [1, 2]},
        {"success": True, "data": [], "additional_data": {"next_cursor": 7}},
        ["success", True],
    ],
)
def test_envelopes_that_break_the_promise_are_refused(body):
    session = requests.Session()
    adapter = _CannedAdapter(body)
    session.mount("https://", adapter)
    with PipedriveClient("https://api.pipedrive.com", TOKEN, session=session) as api:
        with pytest.raises(BadResponseError):
            next(api.iter_pages("persons"))
        assert adapter.sent[0].headers["x-api-token"] == TOKEN
        assert TOKEN not in (adapter.sent[0].url or "")
    session.close()


def test_redirects_are_not_followed():
    """A custom header would follow a redirect to any host: the token must not."""
    session = requests.Session()
    adapter = _CannedAdapter({}, status=302, headers={"Location": "https://evil.example/x"})
    session.mount("https://", adapter)
    with PipedriveClient("https://api.pipedrive.com", TOKEN, session=session) as api:
        with pytest.raises(BadResponseError, match="redirect"):
            api.me()
        assert [r.url for r in adapter.sent] == ["https://api.pipedrive.com/v1/users/me"]
    session.close()


def test_a_repeating_cursor_is_a_loop_error(client, server):
    server.faults.add("repeat_cursor", path_prefix=PERSONS_PATH)
    pages: list[Page] = []
    with pytest.raises(CursorLoopError):
        pages.extend(client.iter_pages("persons"))
    assert len(pages) == 2
    assert server.request_count == 2


def test_token_travels_only_in_the_header(server):
    seen: list[requests.PreparedRequest] = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, **_: seen.append(response.request))
    with PipedriveClient(server.base_url, TOKEN, session=session) as api:
        api.me()
        next(api.iter_pages("persons"))
    session.close()
    assert len(seen) == 2
    for request in seen:
        assert request.headers["x-api-token"] == TOKEN
        assert TOKEN not in (request.url or "")
        assert "api_token" not in (request.url or "")


def test_repr_hides_the_token(server):
    api = PipedriveClient(server.base_url, TOKEN)
    assert TOKEN not in repr(api)
    assert "hidden" in repr(api)
    assert TOKEN not in str(vars(api).get("base_url"))
    api.close()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("https://api.pipedrive.com", "https://api.pipedrive.com"),
        ("https://acme.pipedrive.com/api/v2/", "https://acme.pipedrive.com"),
        ("https://acme.pipedrive.com/v1", "https://acme.pipedrive.com"),
        ("http://localhost:8080/", "http://localhost:8080"),
    ],
)
def test_base_url_is_normalised(given, expected):
    with PipedriveClient(given, TOKEN) as api:
        assert api.base_url == expected


@pytest.mark.parametrize(
    "bad",
    ["http://api.pipedrive.com", "ftp://x", "https://api.pipedrive.com?api_token=x", "nonsense"],
)
def test_unsafe_base_urls_are_refused(bad):
    with pytest.raises(ValueError, match=r"address|https"):
        PipedriveClient(bad, TOKEN)


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ("https://user:hunter2-secret@api.pipedrive.com", "user name or password"),
        ("ftp://user:hunter2-secret@x", "user name or password"),
        ("https://hunter2-secret@api.pipedrive.com", "user name or password"),
        ("https://api.pipedrive.com/?api_token=hunter2-secret", "query"),
        ("http://localhost:99999", "port"),
        ("http://localhost:hunter2-secret", "port"),
        ("http://localhost:0", "port"),
        ("https://hunter2$secret.example", "host name"),
    ],
)
def test_refused_addresses_are_never_repeated(bad, reason):
    with pytest.raises(ValueError, match=reason) as caught:
        PipedriveClient(bad, TOKEN)
    assert "hunter2" not in str(caught.value)
    assert "\n" not in str(caught.value)


def test_me_returns_the_signed_in_user(client, account):
    me = client.me()
    assert isinstance(me, User)
    assert me.id == account.me_id
    assert me.company_domain == account.company_domain
    assert me.name == "Maja Ślusarczyk"


# --- Records ----------------------------------------------------------------------------------


def test_pages_hold_raw_items_each_parsed_alone(client, account):
    account.update_person(7, name=12345)
    account.put_raw("persons", {**account.persons[9], "update_time": "not a time"})
    account.put_raw("persons", {"name": "Nobody Knows My Id"}, key=PERSONS + 100)
    records: list[Person] = []
    bad_ids: list[Any] = []
    for item in client.iter_items("persons", sort_by="id"):
        try:
            records.append(Person.from_api(item))
        except ValueError:
            bad_ids.append(item.get("id"))
    assert bad_ids == [7, 9, None]
    assert len(records) == PERSONS - 2


def test_every_fake_record_parses(account):
    for item in account.persons.values():
        person = Person.from_api(item, lead_status_field=FAKE_LEAD_STATUS_FIELD)
        assert person.update_time is not None
    for entity, record_type in (
        ("organizations", Organization),
        ("activities", Activity),
        ("deals", Deal),
    ):
        for item in account.table(entity).values():
            assert record_type.from_api(item).id == item["id"]


def test_person_with_accents_and_primary_second():
    person = Person.from_api(
        {
            "id": 42,
            "name": "Zoë Łukasiewicz-Müller",
            "owner_id": 21310001,
            "org_id": 7,
            "emails": [
                {"value": "zoe@work.example", "primary": False, "label": "work"},
                {"value": "zoë@home.example", "primary": True, "label": "home"},
                {"value": "", "primary": False, "label": "other"},
            ],
            "phones": [{"value": "+48 22 555 01 02", "primary": True, "label": "work"}],
            "job_title": "Dyrektorka Zakupów",
            "add_time": "2024-02-29T23:59:59Z",
            "update_time": "2025-01-01T10:20:00.123+02:00",
            "custom_fields": {FAKE_LEAD_STATUS_FIELD: "qualified"},
            "last_incoming_mail_time": "2025-01-02 08:00:00",
            "a_field_added_next_year": {"anything": [1, 2]},
        },
        lead_status_field=FAKE_LEAD_STATUS_FIELD,
    )
    assert person.name == "Zoë Łukasiewicz-Müller"
    assert person.emails == ("zoë@home.example", "zoe@work.example")
    assert person.primary_email == "zoë@home.example"
    assert person.primary_phone == "+48 22 555 01 02"
    assert person.update_time == datetime(2025, 1, 1, 8, 20, 0, 123_000, tzinfo=UTC)
    assert person.last_incoming_mail_time == datetime(2025, 1, 2, 8, tzinfo=UTC)
    assert person.lead_status == "qualified"
    assert person.org_id == 7


def test_person_with_only_an_id():
    person = Person.from_api({"id": 1})
    assert person == Person(id=1, name="")
    assert person.emails == ()
    assert person.primary_email is None
    assert person.update_time is None


def test_v1_shapes_are_understood():
    person = Person.from_api(
        {
            "id": 3,
            "name": "Seán Ó Briain",
            "org_id": {"value": 12, "name": "Acme Corp"},
            "owner_id": {"id": 5, "value": 5},
            "email": [{"value": "sean@acme.example", "primary": True}],
            "update_time": "2024-05-06 07:08:09",
            "is_deleted": 0,
        }
    )
    assert (person.org_id, person.owner_id) == (12, 5)
    assert person.primary_email == "sean@acme.example"
    assert person.update_time == datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
    assert person.is_deleted is False


@pytest.mark.parametrize(
    "item",
    [
        {"name": "No Id"},
        {"id": "17", "name": "Id as text"},
        {"id": True},
        {"id": 1, "name": ["not", "text"]},
        {"id": 1, "org_id": "twelve"},
        {"id": 1, "update_time": "yesterday"},
        {"id": 1, "update_time": 1700000000},
        {"id": 1, "emails": 5},
        {"id": 1, "is_deleted": "no"},
    ],
)
def test_bad_person_records_raise_value_error(item):
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError marks a bad record
        Person.from_api(item)


def test_organization_address_parts():
    org = Organization.from_api(
        {
            "id": 9,
            "name": "Société Lumière SAS",
            "owner_id": 1,
            "address": {
                "value": "Rue de la Paix 3, 75002 Paris",
                "country": "France",
                "locality": "Paris",
                "postal_code": "75002",
            },
            "industry": 14,
            "employee_count": 250,
            "website": "https://www.societelumiere.fr",
            "update_time": "2025-03-01T00:00:00Z",
        }
    )
    assert (org.address, org.country, org.city) == (
        "Rue de la Paix 3, 75002 Paris",
        "France",
        "Paris",
    )
    assert org.industry == "14"
    assert org.employee_count == 250
    assert Organization.from_api({"id": 10, "name": "Bare", "address": None}).city is None


def test_activity_and_deal_records():
    activity = Activity.from_api(
        {
            "id": 5,
            "type": "meeting",
            "subject": "Démo chez Lumière",
            "participants": [{"person_id": 4, "primary": True}],
            "due_date": "2025-04-03",
            "done": True,
            "marked_as_done_time": "2025-04-03T10:00:00Z",
        }
    )
    assert activity.person_id == 4
    assert activity.due_date == date(2025, 4, 3)
    assert activity.done is True
    with pytest.raises(ValueError, match="due_date"):
        Activity.from_api({"id": 6, "due_date": "soon"})

    deal = Deal.from_api(
        {
            "id": 8,
            "title": "Pilot",
            "value": 1250,
            "currency": "PLN",
            "status": "won",
            "unknown": None,
        }
    )
    assert (deal.value, deal.currency, deal.status, deal.is_deleted) == (
        1250.0,
        "PLN",
        "won",
        False,
    )
    assert Deal.from_api({"id": 9, "status": "deleted"}).is_deleted is True
    with pytest.raises(ValueError, match="value"):
        Deal.from_api({"id": 10, "value": "a lot"})


def test_fresh_account_via_client_records(client):
    page = next(client.iter_pages("activities"))
    good = [Activity.from_api(item) for item in page.items]
    assert {a.type for a in good} <= {"call", "meeting", "email", "task", "deadline", "lunch"}


def test_importing_the_client_leaves_the_fake_out():
    code = (
        "import sys, pipedriven_desktop.pipedrive.client as c; "
        "from pipedriven_desktop.pipedrive import PipedriveClient; "
        "print(sorted(m for m in sys.modules if 'fake' in m))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- Helpers ----------------------------------------------------------------------------------


class _CannedAdapter(requests.adapters.HTTPAdapter):
    """Answers every request with the same JSON body, recording what was sent."""

    def __init__(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        super().__init__()
        self.body = body
        self.status = status
        self.headers = headers or {}
        self.sent: list[requests.PreparedRequest] = []

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self.sent.append(request)
        response = requests.Response()
        response.status_code = self.status
        response.raw = io.BytesIO(json.dumps(self.body).encode())
        response.headers["Content-Type"] = "application/json"
        response.headers.update(self.headers)
        response.request = request
        response.url = request.url or ""
        return response


def test_requests_answered_counts_only_what_pipedrive_answered_with_success(server, sleeps):
    server.faults.add("429", retry_after=1)  # the first request waits and is asked again
    with PipedriveClient(server.base_url, TOKEN, sleep=sleeps) as api:
        assert api.requests_answered == 0
        api.me()
        assert (api.requests_made, api.requests_answered) == (2, 1)
    with PipedriveClient(server.base_url, "tok-wrong-1234", sleep=sleeps) as refused:
        with pytest.raises(AuthError):
            refused.me()
        assert (refused.requests_made, refused.requests_answered) == (1, 0)
