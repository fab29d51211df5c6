"""Shared by the outbox tests: a small account served by a fake that checks write bodies,
and short ways to find a contact, act on it and read the outbox back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store import actions
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.scoring import score_contacts
from tests.pipedrive.request_schemas import validate_write
from tests.sync.conftest import NOW, TOKEN, rows

ACTIVITIES = "/api/v2/activities"
NOTES = "/v1/notes"


def small_account() -> FakeAccount:
    """A small account: the outbox tests are about a handful of writes, not paging."""
    return FakeAccount.generate(
        seed=5, now=NOW, persons=30, owned_persons=12, organizations=8, activities=60, deals=8
    )


def validating_server(account: FakeAccount) -> Iterator[FakePipedriveServer]:
    """The fake, refusing any write body Pipedrive's request schemas would not take."""
    with FakePipedriveServer(account, token=TOKEN) as fake:
        fake.request_validator = validate_write
        yield fake
    assert fake.errors == []


def my_contact(db: Database, account: FakeAccount, index: int = 0) -> tuple[str, int]:
    """A contact the user owns: (local id, Pipedrive person id)."""
    found = rows(
        db,
        "SELECT id, pipedrive_person_id FROM contacts WHERE owner_id = :me"
        " ORDER BY pipedrive_person_id LIMIT 1 OFFSET :index",
        me=account.me_id,
        index=index,
    )
    return found[0].id, found[0].pipedrive_person_id


def open_activity(db: Database) -> tuple[str, int]:
    found = rows(
        db,
        "SELECT id, pipedrive_activity_id FROM activities WHERE done = 0"
        " AND contact_id IS NOT NULL ORDER BY pipedrive_activity_id LIMIT 1",
    )
    return found[0].id, found[0].pipedrive_activity_id


def log_call(db: Database, contact_id: str, account: FakeAccount, **extra: Any) -> str:
    with actions.writing(db) as conn:
        return actions.log_activity(
            conn,
            contact_id,
            kind="call",
            subject=extra.pop("subject", "Intro call"),
            note="Wants a demo\nnext week <soon>",
            done_at=NOW - timedelta(minutes=20),
            owner_id=account.me_id,
            now=NOW,
            rescore=score_contacts,
            **extra,
        )


def in_account(account: FakeAccount, person_id: int, subject: str) -> list[dict[str, Any]]:
    return [
        item
        for item in account.activities.values()
        if item["person_id"] == person_id and item["subject"] == subject
    ]


def outbox(db: Database) -> list[Any]:
    return rows(db, "SELECT * FROM outbox ORDER BY id")
