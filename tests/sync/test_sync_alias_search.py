"""After a merge, the merged-away spelling finds the merged organization's contacts, through
incremental and full syncs; after an undo, only its own again."""

from __future__ import annotations

import pytest

from pipedriven_desktop.pipedrive import FakeAccount
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_merge import merge_suggestion, undo_merge
from pipedriven_desktop.store.org_search import indexed_name
from tests.sync.conftest import SyncFn
from tests.sync.test_sync_organizations import (
    _local_org,
    _org_named,
    _people_of,
    _suggestion_between,
)


def found(db: Database, text: str) -> set[int]:
    page = ContactService(db).page(ContactFilter(search=text), 1, 1000, with_activities=False)
    return {row.pipedrive_person_id for row in page.rows if row.pipedrive_person_id is not None}


def test_the_old_spelling_finds_the_merged_contacts_through_syncs_until_undone(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    corp_pid = _org_named(account, "Acme Corp")
    corporation_pid = _org_named(account, "Acme Corporation")
    sync()
    corp, corporation = _local_org(db, corp_pid), _local_org(db, corporation_pid)
    corp_people = set(_people_of(account, db, corp))
    corporation_people = set(_people_of(account, db, corporation))
    assert corp_people
    assert corporation_people
    assert found(db, "Acme Corporation") == corporation_people
    before = found(db, "Corporation")
    assert not corp_people <= before

    with db.session() as session:
        merge_suggestion(session, _suggestion_between(db, corp, corporation).id, name="Acme Corp")
    assert found(db, "Acme Corporation") == corp_people | corporation_people
    assert found(db, "Acme Corp") >= corp_people | corporation_people

    # Pipedrive changes a merged contact (its search entry is rewritten) and renames the
    # surviving organization: the old spelling still finds everyone.
    someone = next(iter(corp_people))
    account.update_person(someone, name="Renamed Person")
    sync()
    sync(full=True)
    assert found(db, "Corporation") >= corp_people | corporation_people

    with db.session() as session:
        undo_merge(session, corp)
    assert found(db, "Acme Corporation") == corporation_people
    assert found(db, "Corporation") == before
    sync()
    assert found(db, "Corporation") == before


@pytest.mark.parametrize(
    ("name", "spellings", "expected"),
    [
        ("Acme Corp", ["ACME Corp."], "Acme Corp"),  # nothing new: the name alone
        ("Acme Corp", ["Acme Corporation"], "Acme Corp Acme Corporation"),
        ("Acme", ["Acme Inc", "ACME INC", "Globex"], "Acme ACME INC Globex"),
        ("Acme", [], "Acme"),
    ],
)
def test_indexed_name(name: str, spellings: list[str], expected: str) -> None:
    assert indexed_name(name, spellings) == expected
