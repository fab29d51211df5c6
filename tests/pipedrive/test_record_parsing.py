"""Records parse the common shapes on their fast paths exactly as the general ones do."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.pipedrive.records import (
    Activity,
    Deal,
    Organization,
    Person,
    whole_constructor,
)

NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
RECORD_TYPES: list[tuple[type[Any], str]] = [
    (Person, "persons"),
    (Organization, "organizations"),
    (Activity, "activities"),
    (Deal, "deals"),
]


@pytest.fixture(scope="module")
def account() -> FakeAccount:
    return FakeAccount.generate(
        seed=7, persons=120, organizations=20, activities=300, deals=40, now=NOW
    )


@pytest.mark.parametrize(("record_type", "entity"), RECORD_TYPES)
def test_a_record_built_whole_is_the_dataclass_s_own(
    account: FakeAccount, record_type: type[Any], entity: Any
) -> None:
    for item in account.table(entity).values():
        record = record_type.from_api(item)
        values = {field.name: getattr(record, field.name) for field in dataclasses.fields(record)}
        own = record_type(**values)
        assert record == own
        assert hash(record) == hash(own)
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.id = 0


def test_the_whole_constructor_wants_every_field() -> None:
    build = whole_constructor(Deal)
    with pytest.raises(TypeError):
        build(id=1, title="Only two fields")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("2025-01-01T10:20:00Z", datetime(2025, 1, 1, 10, 20, tzinfo=UTC)),
        ("2025-01-01T12:20:00+02:00", datetime(2025, 1, 1, 10, 20, tzinfo=UTC)),
        ("2025-01-01 10:20:00", datetime(2025, 1, 1, 10, 20, tzinfo=UTC)),
        (" 2025-01-01T10:20:00z ", datetime(2025, 1, 1, 10, 20, tzinfo=UTC)),
        ("", None),
        (None, None),
    ],
)
def test_times_are_read_as_utc(sent: object, kept: datetime | None) -> None:
    activity = Activity.from_api({"id": 1, "update_time": sent, "add_time": sent})
    assert activity.update_time == kept
    assert activity.add_time == kept
    assert kept is None or activity.update_time.tzinfo is UTC  # type: ignore[union-attr]


@pytest.mark.parametrize("sent", ["yesterday", 1_700_000_000, "2025-13-01T00:00:00Z"])
def test_a_bad_time_names_its_field(sent: object) -> None:
    with pytest.raises(ValueError, match="marked_as_done_time"):
        Activity.from_api({"id": 1, "marked_as_done_time": sent})


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("2025-01-31", date(2025, 1, 31)),
        ("2025-01-31T10:00:00Z", date(2025, 1, 31)),
        (" 2025-01-31", date(2025, 1, 31)),
        ("", None),
        (None, None),
    ],
)
def test_due_dates(sent: object, kept: date | None) -> None:
    assert Activity.from_api({"id": 1, "due_date": sent}).due_date == kept


@pytest.mark.parametrize("sent", ["2025-13-01", "31/01/2025", 20250131])
def test_a_bad_due_date_is_refused(sent: object) -> None:
    with pytest.raises(ValueError, match="due_date"):
        Activity.from_api({"id": 1, "due_date": sent})


@pytest.mark.parametrize(
    ("item", "kept"),
    [
        ({"done": True, "is_deleted": False}, (True, False)),
        ({"done": 1, "is_deleted": 0}, (True, False)),
        ({}, (False, False)),
        ({"done": None, "is_deleted": True}, (False, True)),
    ],
)
def test_flags(item: dict[str, Any], kept: tuple[bool, bool]) -> None:
    activity = Activity.from_api({"id": 1, **item})
    assert (activity.done, activity.is_deleted) == kept


def test_a_flag_of_another_shape_is_refused() -> None:
    with pytest.raises(ValueError, match="done"):
        Activity.from_api({"id": 1, "done": "yes"})


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("Call Zoë", "Call Zoë"),
        ("Plain", "Plain"),
        ("Half \ud83d", "Half \ufffd"),
        (None, ""),
    ],
)
def test_text_is_kept_storable(sent: object, kept: str) -> None:
    assert Activity.from_api({"id": 1, "subject": sent}).subject == kept


@pytest.mark.parametrize(("sent", "kept"), [(None, None), ("", None), ("<p>Hi</p>", "Hi")])
def test_no_note_is_none(sent: object, kept: str | None) -> None:
    assert Activity.from_api({"id": 1, "note": sent}).note == kept
