"""Text a record holds can always be stored: lone UTF-16 surrogates are repaired on parse."""

from __future__ import annotations

import json

import pytest

from pipedriven_desktop.pipedrive.records import Activity, Deal, Organization, Person, clean_text


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Ana \ud83d", "Ana \ufffd"),
        ("\ude00 tail", "\ufffd tail"),
        ("\ud83d\ude00", "\U0001f600"),  # a whole pair, left unjoined: joined
        ("Zoë 😀", "Zoë 😀"),
        ("plain", "plain"),
    ],
)
def test_clean_text_replaces_only_lone_surrogates(given: str, expected: str) -> None:
    assert clean_text(given) == expected
    clean_text(given).encode("utf-8")


def test_every_text_field_of_a_record_from_json_escapes_is_storable() -> None:
    half = "\\ud83d"
    person = Person.from_api(
        json.loads(
            "{"
            f'"id": 1, "name": "Ana {half}", "job_title": "{half}CEO",'
            f' "emails": [{{"value": "a{half}@x.example", "primary": true}}],'
            f' "phones": ["+49 {half}"], "marketing_status": "{half}",'
            f' "custom_fields": {{"k": "hot {half}"}}'
            "}"
        ),
        lead_status_field="k",
    )
    org = Organization.from_api(
        json.loads(f'{{"id": 2, "name": "{half}Acme", "address": "Main St {half}"}}')
    )
    activity = Activity.from_api(
        json.loads(f'{{"id": 3, "type": "call{half}", "subject": "Hi {half}"}}')
    )
    deal = Deal.from_api(json.loads(f'{{"id": 4, "title": "{half}", "currency": "EUR"}}'))
    texts = [
        person.name,
        person.job_title,
        *person.emails,
        *person.phones,
        person.marketing_status,
        person.lead_status,
        org.name,
        org.address,
        activity.type,
        activity.subject,
        deal.title,
    ]
    assert person.name == "Ana \ufffd"
    for text in texts:
        assert text is not None
        text.encode("utf-8")
