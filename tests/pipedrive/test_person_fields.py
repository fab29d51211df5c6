"""Person fields: listed from Pipedrive, and a lead status read from an option or a text field."""

from __future__ import annotations

from pipedriven_desktop.pipedrive import (
    FAKE_LEAD_STATUS_FIELD,
    FAKE_LEAD_STATUS_OPTION_FIELD,
    FAKE_LEAD_STATUS_OPTIONS,
    FakeAccount,
    FakePipedriveServer,
    PipedriveClient,
)
from pipedriven_desktop.pipedrive.records import Person

OPTION = FAKE_LEAD_STATUS_OPTION_FIELD
TEXT = FAKE_LEAD_STATUS_FIELD


def person(custom: dict[str, object], **extra: object) -> dict[str, object]:
    return {"id": 5, "name": "Ada", "custom_fields": custom, **extra}


def test_person_fields_are_listed_across_pages(client: PipedriveClient) -> None:
    fields = client.person_fields(limit=3)
    by_key = {field.key: field for field in fields}
    assert len(fields) == len(by_key) > 3
    option = by_key[OPTION]
    assert option.name == "Lead status"
    assert option.is_option
    assert option.can_hold_lead_status
    assert dict(option.options) == FAKE_LEAD_STATUS_OPTIONS
    assert by_key[TEXT].can_hold_lead_status
    assert not by_key[TEXT].is_option
    # Built-in fields and other types are not offered for the lead status.
    assert not by_key["marketing_status"].can_hold_lead_status
    assert not by_key["name"].can_hold_lead_status
    assert [f.key for f in fields if f.can_hold_lead_status] == [TEXT, OPTION]


def test_the_fake_sets_the_option_field_on_some_persons(account: FakeAccount) -> None:
    values = [p["custom_fields"][OPTION] for p in account.persons.values()]
    assert {v for v in values if v is not None} <= set(FAKE_LEAD_STATUS_OPTIONS)
    assert 0 < sum(v is not None for v in values) < len(values)


def test_lead_status_from_an_option_field_is_its_label() -> None:
    item = person({OPTION: 33})
    parsed = Person.from_api(item, lead_status_field=OPTION)
    assert parsed.lead_status is None
    assert parsed.lead_status_option_ids == (33,)
    labelled = Person.from_api(
        item, lead_status_field=OPTION, lead_status_options=FAKE_LEAD_STATUS_OPTIONS
    )
    assert labelled.lead_status == "Qualified"
    assert labelled.lead_status_option_ids == ()


def test_lead_status_from_a_multiple_option_field_joins_the_labels() -> None:
    parsed = Person.from_api(
        person({OPTION: [32, 99]}), lead_status_field=OPTION, lead_status_options={32: "Called"}
    )
    assert parsed.lead_status == "Called, option 99"


def test_lead_status_from_a_text_field_is_read_as_text() -> None:
    parsed = Person.from_api(person({TEXT: "  Contacted "}), lead_status_field=TEXT)
    assert parsed.lead_status == "Contacted"
    assert parsed.lead_status_option_ids == ()


def test_marketing_status_is_never_a_lead_status() -> None:
    parsed = Person.from_api(
        person({TEXT: None}, marketing_status="subscribed"), lead_status_field=TEXT
    )
    assert parsed.lead_status is None
    assert parsed.marketing_status == "subscribed"


def test_the_fake_serves_person_fields_to_a_token_only(server: FakePipedriveServer) -> None:
    import requests

    answer = requests.get(f"{server.base_url}/v1/personFields", timeout=5)
    assert answer.status_code == 401
