"""The user's own data on a contact (the campaign flag) outlives the contact's absence.

Pipedrive knows nothing of it: a sync never overwrites it on a contact it updates, and
keeps it (in ``kept_contact_data``) when it deletes the contact, so a person deleted
and restored in Pipedrive comes back flagged.
"""

from __future__ import annotations

import pytest

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.contacts import set_campaign
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync import service
from tests.sync.conftest import SyncFn, assert_mirror_matches, later, rows


def _flag(db: Database, pid: int) -> int | None:
    found = rows(db, "SELECT added_to_campaign FROM contacts WHERE pipedrive_person_id = :p", p=pid)
    return found[0][0] if found else None


def _kept(db: Database) -> dict[int, int]:
    return dict(rows(db, "SELECT pipedrive_person_id, added_to_campaign FROM kept_contact_data"))


@pytest.mark.parametrize("how", ["absent from a listing", "listed as deleted"])
@pytest.mark.parametrize("restored_by", ["incremental", "full"])
def test_a_flagged_contact_deleted_and_restored_in_pipedrive_comes_back_flagged(
    db: Database, account: FakeAccount, sync: SyncFn, how: str, restored_by: str
) -> None:
    sync()
    persons = sorted(account.persons)
    flagged, plain = persons[10], persons[11]
    (contact,) = rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=flagged)
    assert set_campaign(db, contact.id, True)
    items = {pid: dict(account.persons[pid]) for pid in (flagged, plain)}
    for pid in items:
        if how == "listed as deleted":
            account.update_person(pid, is_deleted=True)
        else:
            account.delete_person(pid)

    result = sync(full=how == "absent from a listing")

    assert result.deleted == 2
    assert _flag(db, flagged) is None
    assert _kept(db) == {flagged: 1}, "only a contact with data of the user's is kept"

    for pid, item in items.items():
        account.put_raw("persons", item)
        account.update_person(pid, is_deleted=False)  # restored: a newer update time
    sync(full=restored_by == "full")

    assert _flag(db, flagged) == 1
    assert _flag(db, plain) == 0
    assert _kept(db) == {}
    assert_mirror_matches(db, account)


def test_a_sync_never_overwrites_the_flag_even_when_it_rewrites_every_row(
    db: Database, account: FakeAccount, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync()
    pid = sorted(account.persons)[4]
    (contact,) = rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=pid)
    assert set_campaign(db, contact.id, True)
    account.update_person(pid, name="Changed In Pipedrive")
    monkeypatch.setattr(service, "MAPPING_VERSION", service.MAPPING_VERSION + 1)

    sync(now=later(0.5))

    stamp = later(0.5)().replace(tzinfo=None).isoformat(" ", "microseconds")
    rewritten = rows(db, "SELECT count(*) FROM contacts WHERE updated_at = :s", s=stamp)
    assert rewritten == [(len(account.persons),)], "every row was written again"
    assert _flag(db, pid) == 1
    assert rows(db, "SELECT count(*) FROM contacts WHERE added_to_campaign = 1") == [(1,)]
