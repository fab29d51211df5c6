"""Writes: activities created and changed through API v2, notes through v1, never resent blindly."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
import requests
from jsonschema import Draft4Validator, FormatChecker

from pipedriven_desktop.pipedrive import (
    AuthError,
    FakeAccount,
    FakePipedriveServer,
    OutcomeUnknownError,
    PipedriveClient,
    PipedriveConnectionError,
    RateLimitError,
    RequestRejectedError,
)
from tests.fakes import SleepRecorder
from tests.pipedrive.conftest import NOW, TOKEN
from tests.pipedrive.request_schemas import spec_document, validate_write
from tests.pipedrive.test_openapi_conformance import (
    NULL_IN_PRACTICE,
    allow_null,
    resolve,
    to_json_schema,
)

ACTIVITIES = "/api/v2/activities"


@pytest.fixture
def server(account: FakeAccount) -> Iterator[FakePipedriveServer]:
    """The fake, refusing any write body Pipedrive's request schemas would not take."""
    with FakePipedriveServer(account, token=TOKEN) as fake:
        fake.request_validator = validate_write
        yield fake
    assert fake.errors == []


@pytest.fixture
def person(account: FakeAccount) -> int:
    return int(next(iter(account.persons)))


def call_body(person: int, me: int, **extra: object) -> dict[str, object]:
    return {
        "subject": "Intro call",
        "type": "call",
        "owner_id": me,
        "person_id": person,
        "participants": [{"person_id": person, "primary": True}],
        "due_date": "2025-06-02",
        "due_time": "08:30",
        "done": True,
        "note": "Wants a demo",
        **extra,
    }


def test_an_activity_is_created_with_the_token_only_in_the_header(
    server: FakePipedriveServer, account: FakeAccount, person: int
) -> None:
    seen: list[requests.PreparedRequest] = []
    session = requests.Session()
    session.hooks["response"].append(lambda response, **_: seen.append(response.request))
    with PipedriveClient(server.base_url, TOKEN, session=session) as api:
        created = api.create_activity(call_body(person, account.me_id))
    session.close()
    stored = account.activities[created["id"]]
    assert (stored["subject"], stored["type"], stored["done"]) == ("Intro call", "call", True)
    assert (stored["person_id"], stored["owner_id"]) == (person, account.me_id)
    assert (stored["due_date"], stored["due_time"], stored["note"]) == (
        "2025-06-02",
        "08:30:00",
        "Wants a demo",
    )
    assert stored["marked_as_done_time"] is not None
    assert [r.method for r in seen] == ["POST"]
    assert seen[0].headers["x-api-token"] == TOKEN
    assert TOKEN not in (seen[0].url or "")
    assert TOKEN.encode() not in (seen[0].body or b"")


def test_an_activity_is_updated_with_patch(
    client: PipedriveClient, account: FakeAccount, person: int
) -> None:
    created = account.add_activity("Demo", type="meeting", person_id=person, due_date="2025-06-05")
    changed = client.update_activity(created["id"], {"done": True})
    assert changed["done"] is True
    assert account.activities[created["id"]]["done"] is True
    assert client.activity(created["id"]) == account.activities[created["id"]]
    assert client.activity(10**9) is None


def test_a_note_is_added_and_found_again_by_person_and_day(
    client: PipedriveClient, account: FakeAccount, person: int
) -> None:
    note = client.add_note({"content": "Met at the fair", "person_id": person})
    assert account.notes[note["id"]]["content"] == "Met at the fair"
    other = next(p for p in account.persons if p != person)
    client.add_note({"content": "Someone else", "person_id": other})
    today = NOW.date()
    assert [n["id"] for n in client.person_notes(person, since=today)] == [note["id"]]
    assert client.person_notes(person, since=today + timedelta(days=1)) == []


def test_the_person_activities_since_a_moment_are_listed(
    client: PipedriveClient, account: FakeAccount, person: int
) -> None:
    account.advance(3600)
    since = account.now()
    created = client.create_activity(call_body(person, account.me_id))
    found = client.person_activities(person, updated_since=since)
    assert [item["id"] for item in found] == [created["id"]]


def test_a_429_is_waited_out_as_told_and_the_write_happens_once(
    server: FakePipedriveServer,
    client: PipedriveClient,
    account: FakeAccount,
    person: int,
    sleeps: SleepRecorder,
) -> None:
    server.faults.add("429", 2, path_prefix=ACTIVITIES, retry_after=7, method="POST")
    before = len(account.activities)
    client.create_activity(call_body(person, account.me_id))
    assert len(account.activities) == before + 1
    assert sleeps.calls == [7.0, 7.0]
    assert [r.status for r in server.requests_to(ACTIVITIES)] == [429, 429, 200]


def test_a_429_that_never_ends_is_a_rate_limit_error_and_nothing_was_written(
    server: FakePipedriveServer, client: PipedriveClient, account: FakeAccount, person: int
) -> None:
    server.faults.add("429", 10, path_prefix=ACTIVITIES, method="POST")
    before = len(account.activities)
    with pytest.raises(RateLimitError):
        client.create_activity(call_body(person, account.me_id))
    assert len(account.activities) == before


@pytest.mark.parametrize(("fault", "written"), [("500", 0), ("500_after", 1), ("drop_after", 1)])
def test_an_unknown_outcome_is_reported_and_never_resent(
    server: FakePipedriveServer,
    client: PipedriveClient,
    account: FakeAccount,
    person: int,
    fault: str,
    written: int,
) -> None:
    server.faults.add(fault, path_prefix=ACTIVITIES, method="POST")  # type: ignore[arg-type]
    before = len(account.activities)
    with pytest.raises(OutcomeUnknownError, match="may or may not"):
        client.create_activity(call_body(person, account.me_id))
    assert len(account.activities) == before + written
    assert len(server.requests_to(ACTIVITIES)) == 1, "a write with an unknown outcome is not resent"


@pytest.mark.parametrize(("fault", "text"), [("400", "Validation"), ("403", "permission")])
def test_a_refusal_keeps_pipedrive_s_reason_and_writes_nothing(
    server: FakePipedriveServer,
    client: PipedriveClient,
    account: FakeAccount,
    person: int,
    fault: str,
    text: str,
) -> None:
    server.faults.add(fault, path_prefix=ACTIVITIES, method="POST")  # type: ignore[arg-type]
    before = len(account.activities)
    with pytest.raises(RequestRejectedError, match=text) as caught:
        client.create_activity(call_body(person, account.me_id))
    assert caught.value.status == int(fault)
    assert len(account.activities) == before


def test_a_deleted_person_is_refused_with_404(
    client: PipedriveClient, account: FakeAccount, person: int
) -> None:
    account.delete_person(person)
    with pytest.raises(RequestRejectedError, match="Person not found") as caught:
        client.create_activity(call_body(person, account.me_id))
    assert caught.value.status == 404
    with pytest.raises(RequestRejectedError, match="Person not found"):
        client.add_note({"content": "x", "person_id": person})


def test_an_html_403_from_the_edge_is_not_a_refusal_of_the_change(
    server: FakePipedriveServer, client: PipedriveClient, account: FakeAccount, person: int
) -> None:
    server.faults.add("html_403", path_prefix=ACTIVITIES, method="POST")
    with pytest.raises(AuthError):
        client.create_activity(call_body(person, account.me_id))


def test_a_body_the_request_schema_refuses_is_a_400(
    client: PipedriveClient, account: FakeAccount, person: int
) -> None:
    before = len(account.activities)
    with pytest.raises(RequestRejectedError, match="done") as caught:
        client.create_activity(call_body(person, account.me_id, done="yes"))
    assert caught.value.status == 400
    with pytest.raises(RequestRejectedError, match="Additional properties"):
        client.create_activity(call_body(person, account.me_id, mood="great"))
    assert len(account.activities) == before


def test_the_request_schemas_are_not_toothless() -> None:
    good = call_body(1, 2)
    assert validate_write("POST", ACTIVITIES, good) == []
    assert validate_write("PATCH", f"{ACTIVITIES}/5", {"done": True}) == []
    assert validate_write("POST", ACTIVITIES, {**good, "person_id": "1"})
    assert validate_write("PATCH", f"{ACTIVITIES}/5", {"due_date": date(2025, 1, 1)})
    assert validate_write("POST", "/v1/notes", {"content": "x", "person_id": 1}) == []
    assert validate_write("POST", "/v1/notes", {"person_id": 1})
    assert validate_write("POST", "/v1/notes", {"content": "x", "person": 1})


def test_no_connection_at_all_is_a_connection_error_not_an_unknown_outcome(
    account: FakeAccount, person: int
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with (
        PipedriveClient(f"http://127.0.0.1:{port}", TOKEN, timeout=2) as api,
        pytest.raises(PipedriveConnectionError),
    ):
        api.create_activity(call_body(person, account.me_id))


@pytest.mark.parametrize(
    ("method", "path"), [("post", "/activities"), ("patch", "/activities/{id}")]
)
def test_the_fake_s_write_answers_validate_against_the_spec(
    server: FakePipedriveServer, account: FakeAccount, person: int, method: str, path: str
) -> None:
    schema = to_json_schema(resolve(spec_document(), write_answer_pointer(method, path)))
    item = schema["allOf"][1]["properties"]["data"]["properties"]
    for name in NULL_IN_PRACTICE["activities"]:
        allow_null(item[name])
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    with requests.Session() as session:
        session.headers["x-api-token"] = TOKEN
        url = f"{server.base_url}/api/v2/activities"
        answer = session.post(url, json=call_body(person, account.me_id), timeout=5)
        if method == "patch":
            answer = session.patch(f"{url}/{answer.json()['data']['id']}", json={"done": False})
    assert answer.status_code == 200
    body = answer.json()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(body)]
    assert not errors, errors[:5]
    assert not validator.is_valid({**body, "data": {**body["data"], "done": "no"}})


def write_answer_pointer(method: str, path: str) -> str:
    return (
        f"/paths/{path.replace('/', '~1')}/{method}/responses/200/content/application~1json/schema"
    )
