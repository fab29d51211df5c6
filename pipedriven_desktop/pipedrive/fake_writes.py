"""The writes the fake Pipedrive accepts: activities (API v2) and notes (API v1).

Request bodies are checked the way Pipedrive checks them: a field of the wrong type, a
date or time in the wrong form, a person or user that does not exist is refused with a
400 or 404 error envelope and changes nothing. Unknown fields are refused too (Pipedrive
ignores them, but here they would hide a client bug). Tests may add a stricter check (the
OpenAPI description's request schema) through `FakePipedriveServer.request_validator`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from pipedriven_desktop.pipedrive.fake_data import FakeAccount

__all__ = [
    "FakeRequestError",
    "create_activity",
    "create_note",
    "note_answer",
    "notes_page",
    "update_activity",
]

#: Activity body fields and the JSON types each takes (v2 `POST`/`PATCH /activities`).
_ACTIVITY_FIELDS: Final[Mapping[str, tuple[type, ...]]] = {
    "subject": (str,),
    "type": (str,),
    "owner_id": (int,),
    "deal_id": (int,),
    "lead_id": (str,),
    "person_id": (int,),
    "org_id": (int,),
    "project_id": (int,),
    "due_date": (str,),
    "due_time": (str,),
    "duration": (str,),
    "busy": (bool,),
    "done": (bool,),
    "participants": (list,),
    "public_description": (str,),
    "priority": (int,),
    "note": (str,),
}
#: Note body fields (v1 `POST /notes`).
_NOTE_FIELDS: Final[Mapping[str, tuple[type, ...]]] = {
    "content": (str,),
    "person_id": (int,),
    "org_id": (int,),
    "deal_id": (int,),
    "lead_id": (str,),
    "user_id": (int,),
    "add_time": (str,),
    "pinned_to_person_flag": (bool, int),
    "pinned_to_organization_flag": (bool, int),
    "pinned_to_deal_flag": (bool, int),
}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?")
_NOTE_SORTS: Final = frozenset({"id", "add_time", "update_time"})
_MAX_LIMIT: Final = 500


class FakeRequestError(Exception):
    """Refuse the request with `status` and Pipedrive's error text."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def create_activity(account: FakeAccount, body: Mapping[str, Any]) -> dict[str, Any]:
    """`POST /api/v2/activities`: the stored activity, or FakeRequestError."""
    _check_fields(body, _ACTIVITY_FIELDS)
    fields = _activity_fields(account, body)
    person_id = fields.pop("person_id", None)
    if person_id is None:
        person_id = _primary_participant(body.get("participants"))
    org_id = fields.pop("org_id", None)
    if org_id is None and person_id is not None:
        org_id = account.persons[person_id].get("org_id")
    with account.lock:
        return account.add_activity(
            fields.pop("subject", ""),
            type=fields.pop("type", "task"),
            person_id=person_id,
            org_id=org_id,
            due_date=fields.pop("due_date", account.clock.date().isoformat()),
            done=bool(fields.pop("done", False)),
            **fields,
        )


def update_activity(
    account: FakeAccount, activity_id: int, body: Mapping[str, Any]
) -> dict[str, Any]:
    """`PATCH /api/v2/activities/{id}`: the activity after the change, or FakeRequestError."""
    _check_fields(body, _ACTIVITY_FIELDS)
    with account.lock:
        if activity_id not in account.activities:
            raise FakeRequestError("Activity not found", 404)
        fields = _activity_fields(account, body)
        if "person_id" in fields:
            fields["participants"] = [{"person_id": fields["person_id"], "primary": True}]
        return account.update_activity(activity_id, **fields)


def create_note(account: FakeAccount, body: Mapping[str, Any]) -> dict[str, Any]:
    """`POST /v1/notes`: the stored note, or FakeRequestError."""
    _check_fields(body, _NOTE_FIELDS)
    content = body.get("content")
    if not isinstance(content, str) or not content.strip():
        raise FakeRequestError("Content is required")
    links = {key: body.get(key) for key in ("person_id", "org_id", "deal_id", "lead_id")}
    if all(value is None for value in links.values()):
        raise FakeRequestError(
            "Note must be associated with a deal, person, organization, lead or project"
        )
    with account.lock:
        person_id = links["person_id"]
        if person_id is not None and person_id not in account.persons:
            raise FakeRequestError("Person not found", 404)
        user_id = body.get("user_id")
        if user_id is not None and user_id not in account.users:
            raise FakeRequestError("User not found")
        return account.add_note(
            content, person_id=person_id, org_id=links["org_id"], deal_id=links["deal_id"]
        )


def notes_page(account: FakeAccount, params: Mapping[str, str]) -> dict[str, Any]:
    """`GET /v1/notes`: filtered by person/org/deal/user and add date, v1 offset paging."""
    try:
        start = max(0, int(params.get("start", "0")))
        limit = min(_MAX_LIMIT, max(1, int(params.get("limit", "100"))))
        wanted = {
            key: int(params[key])
            for key in ("person_id", "org_id", "deal_id", "user_id")
            if params.get(key)
        }
    except ValueError:
        raise FakeRequestError("start, limit and ids must be whole numbers") from None
    start_date = _param_date(params, "start_date")
    end_date = _param_date(params, "end_date")
    sort_field, _, direction = (params.get("sort") or "id ASC").strip().partition(" ")
    if sort_field not in _NOTE_SORTS or direction.upper() not in ("", "ASC", "DESC"):
        raise FakeRequestError("sort must be a field (id, add_time, update_time) and ASC/DESC")
    with account.lock:
        notes = [
            dict(note)
            for note in account.notes.values()
            if all(note.get(key) == value for key, value in wanted.items())
            and (start_date is None or note["add_time"][:10] >= start_date)
            and (end_date is None or note["add_time"][:10] <= end_date)
        ]
    notes.sort(key=lambda note: (note[sort_field], note["id"]), reverse=direction.upper() == "DESC")
    page = notes[start : start + limit]
    more = start + limit < len(notes)
    pagination: dict[str, Any] = {"start": start, "limit": limit, "more_items_in_collection": more}
    if more:
        pagination["next_start"] = start + limit
    return {
        "success": True,
        "data": page or None,
        "additional_data": {"pagination": pagination},
    }


def note_answer(account: FakeAccount, note_id: int) -> dict[str, Any]:
    """`GET /v1/notes/{id}`."""
    with account.lock:
        note = account.notes.get(note_id)
    if note is None:
        raise FakeRequestError("Note not found", 404)
    return {"success": True, "data": dict(note)}


# --- Checks ------------------------------------------------------------------------------------


def _check_fields(body: Mapping[str, Any], allowed: Mapping[str, tuple[type, ...]]) -> None:
    for key, value in body.items():
        kinds = allowed.get(key)
        if kinds is None:
            raise FakeRequestError(f"Unknown field {key}")
        if value is None:
            continue
        # JSON true is not an integer here, though Python's bool is one.
        if isinstance(value, bool) and bool not in kinds:
            raise FakeRequestError(f"{key} must be of type {kinds[0].__name__}")
        if not isinstance(value, kinds):
            raise FakeRequestError(f"{key} must be of type {kinds[0].__name__}")


def _activity_fields(account: FakeAccount, body: Mapping[str, Any]) -> dict[str, Any]:
    """The body's fields as the activity stores them, checked against the account."""
    fields = {key: value for key, value in body.items() if value is not None}
    due_date = fields.get("due_date")
    if due_date is not None:
        if not _DATE.fullmatch(due_date):
            raise FakeRequestError("due_date must be in format YYYY-MM-DD")
        try:
            date.fromisoformat(due_date)
        except ValueError:
            raise FakeRequestError("due_date is not a valid date") from None
    due_time = fields.get("due_time")
    if due_time is not None:
        if not _TIME.fullmatch(due_time):
            raise FakeRequestError("due_time must be in format HH:MM")
        fields["due_time"] = due_time if len(due_time) == 8 else f"{due_time}:00"
    participants = fields.get("participants")
    if participants is not None:
        if not all(
            isinstance(p, dict) and isinstance(p.get("person_id"), int) for p in participants
        ):
            raise FakeRequestError("participants must be objects with a person_id")
        for participant in participants:
            _known_person(account, participant["person_id"])
    if "person_id" in fields:
        _known_person(account, fields["person_id"])
    owner = fields.get("owner_id")
    if owner is not None and owner not in account.users:
        raise FakeRequestError("owner_id does not match any user")
    if "type" in fields and not fields["type"].strip():
        raise FakeRequestError("type must not be empty")
    return fields


def _known_person(account: FakeAccount, person_id: int) -> None:
    with account.lock:
        if person_id not in account.persons:
            raise FakeRequestError("Person not found", 404)


def _primary_participant(participants: object) -> int | None:
    if not isinstance(participants, list):
        return None
    for participant in participants:
        if isinstance(participant, dict) and participant.get("primary") is True:
            person_id = participant.get("person_id")
            if isinstance(person_id, int):
                return person_id
    return None


def _param_date(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name)
    if not value:
        return None
    if not _DATE.fullmatch(value):
        raise FakeRequestError(f"{name} must be in format YYYY-MM-DD")
    return value
