"""Full and incremental syncs against the fake Pipedrive over real HTTP."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store.contacts import set_campaign
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import OWNER_KEY
from pipedriven_desktop.sync.service import SCORES, SyncCancelledError, SyncProgress
from tests.sync.conftest import (
    NOW,
    PAGE,
    Sleeps,
    SyncFn,
    assert_mirror_matches,
    later,
    rows,
)


def test_full_sync_mirrors_the_account_exactly(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    result = sync()

    assert_mirror_matches(db, account)
    assert result.kind == "full"
    assert result.failed == 0
    assert result.deleted == 0
    live_deals = sum(d["status"] != "deleted" for d in account.deals.values())
    assert result.created == (
        len(account.organizations) + len(account.persons) + len(account.activities) + live_deals
    )
    assert rows(db, "SELECT value FROM app_meta WHERE key = :k", k=OWNER_KEY) == [
        (str(account.me_id),)
    ]
    states = rows(db, "SELECT entity, full_run_id, full_cursor, completed_at FROM sync_state")
    assert {s.entity for s in states} == {"organizations", "persons", "activities", "deals"}
    assert all(s.full_run_id is None and s.full_cursor is None and s.completed_at for s in states)
    (run,) = rows(db, "SELECT * FROM sync_runs")
    assert (run.kind, run.error, run.created, run.requests) == (
        "full",
        None,
        result.created,
        result.requests,
    )
    assert run.finished is not None


def test_incremental_sync_of_ten_changed_persons_is_a_handful_of_requests(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    sync()
    changed = sorted(account.persons)[5:200:19][:10]
    for number, pid in enumerate(changed):
        account.update_person(pid, name=f"Renamed Person {number}", job_title="Head of Tests")
    server.reset_log()

    result = sync()

    assert result.kind == "incremental"
    assert result.updated == 10
    assert result.created == result.deleted == result.failed == 0
    assert result.requests <= 8
    assert server.request_count == result.requests
    (persons_request,) = server.requests_to("/api/v2/persons")
    assert persons_request.params["sort_by"] == "update_time"
    assert "updated_since" in persons_request.params
    assert_mirror_matches(db, account)
    for number, pid in enumerate(changed):
        (row,) = rows(db, "SELECT name FROM contacts WHERE pipedrive_person_id = :p", p=pid)
        assert row.name == f"Renamed Person {number}"


def test_a_sync_without_changes_changes_nothing(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    result = sync()
    assert (result.created, result.updated, result.deleted, result.failed) == (0, 0, 0, 0)
    assert result.requests <= 8


def test_incremental_sync_brings_new_rows_of_every_entity_and_links_them(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    org = account.add_organization("Brand New Widgets GmbH", city="Köln", country="Germany")
    person = account.add_person(
        "Zoë Neumann", org_id=org["id"], email="zoe@widgets.example", phone="+49 1"
    )
    done = account.add_activity(
        "Kick-off", type="meeting", person_id=person["id"], org_id=org["id"], due_date="2025-06-01"
    )
    account.update_activity(done["id"], done=True)
    account.add_deal("Widgets – pilot", value=25_000, person_id=person["id"], org_id=org["id"])
    first = sorted(account.activities)[0]
    account.update_activity(first, subject="Moved to next week")

    result = sync()

    assert result.created == 4
    assert result.updated == 1
    assert_mirror_matches(db, account)
    (contact,) = rows(db, "SELECT * FROM contacts WHERE pipedrive_person_id = :p", p=person["id"])
    assert contact.last_contacted is not None
    (organization,) = rows(
        db, "SELECT * FROM organizations WHERE id = :o", o=contact.organization_id
    )
    assert organization.contact_count == 1
    assert organization.last_activity is not None


def test_an_activity_that_arrives_before_its_person_is_linked_when_the_person_comes(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    person = account.add_person("Late Arrival", email="late@example.org")
    account.add_activity(
        "Call", type="call", person_id=person["id"], due_date="2025-06-01", done=True
    )
    # The person is not listed yet (as when the token cannot see it for a while).
    hidden = account.persons.pop(person["id"])
    account.versions["persons"] += 1
    sync()
    (orphan,) = rows(
        db, "SELECT contact_id FROM activities WHERE pipedrive_person_id = :p", p=person["id"]
    )
    assert orphan.contact_id is None

    account.persons[person["id"]] = hidden
    account.update_person(person["id"], job_title="Buyer")
    sync()

    assert_mirror_matches(db, account)


def test_the_campaign_flag_survives_syncs_that_change_the_contact(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    pid = sorted(account.persons)[3]
    (contact,) = rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=pid)
    assert set_campaign(db, contact.id, True)
    account.update_person(pid, name="Campaign Person", job_title="CEO")

    sync()
    sync(full=True)

    (row,) = rows(db, "SELECT name, added_to_campaign FROM contacts WHERE id = :c", c=contact.id)
    assert row.name == "Campaign Person"
    assert row.added_to_campaign == 1


def test_progress_is_reported_after_every_page_in_sync_order(
    account: FakeAccount, sync: SyncFn
) -> None:
    seen: list[SyncProgress] = []
    sync(progress=seen.append)

    entities = [p.entity for p in seen]
    order = ["organizations", "persons", "activities", "deals", SCORES]
    assert [e for i, e in enumerate(entities) if i == 0 or entities[i - 1] != e] == order
    persons = [p.done for p in seen if p.entity == "persons"]
    assert persons == sorted(persons)
    assert persons[-1] >= len(account.persons)
    assert len(persons) >= len(account.persons) // PAGE
    assert all(p.total is None for p in seen if p.entity != SCORES)
    assert seen[-1] == SyncProgress(SCORES, len(account.persons), len(account.persons))


def test_scores_are_recomputed_for_everyone_when_the_day_changes(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    sync(now=later(0.1))
    assert rows(db, "SELECT DISTINCT score_computed_at FROM contacts") == [
        (NOW.replace(tzinfo=None).isoformat(" ", "microseconds"),)
    ], "the same day: nothing to rescore"

    result = sync(now=later(1))

    assert result.updated == 0
    assert_mirror_matches(db, account, now=later(1)())


def test_deleted_deals_leave_the_mirror_even_on_an_incremental_sync(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    deal_id = next(i for i, d in account.deals.items() if d["status"] == "open")
    account.delete_deal(deal_id)

    result = sync()

    assert result.kind == "incremental"
    assert result.deleted == 1
    assert rows(db, "SELECT id FROM deals WHERE pipedrive_deal_id = :d", d=deal_id) == []
    assert_mirror_matches(db, account)


def test_a_full_sync_removes_what_pipedrive_no_longer_lists(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    persons = sorted(account.persons)
    gone_persons = [persons[0], persons[120], persons[-1]]
    for pid in gone_persons:
        account.delete_person(pid)
    gone_activities = sorted(account.activities)[10:13]
    for aid in gone_activities:
        account.delete_activity(aid)
    lonely = account.add_organization("Short Lived Holdings")
    sync()
    account.delete_organization(lonely["id"])
    deal_id = next(i for i, d in account.deals.items() if d["status"] == "won")
    account.delete_deal(deal_id)
    # Pipedrive lists deleted deals for 30 days only; this one is past that.
    old_deleted = next(i for i, d in account.deals.items() if d["status"] == "deleted")
    del account.deals[old_deleted]
    account.versions["deals"] += 1

    incremental = sync()
    assert incremental.deleted == 1  # the deal: deleted persons are not listed as such
    assert rows(db, "SELECT count(*) FROM contacts")[0][0] == len(account.persons) + 3

    full = sync(full=True)

    assert full.kind == "full"
    assert full.deleted == 3 + 3 + 1  # persons, activities, the organization
    assert_mirror_matches(db, account)


@pytest.mark.parametrize("kind", ["429", "500", "503", "drop"])
def test_rate_limits_and_server_errors_are_ridden_out(
    db: Database,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
    sleeps: Sleeps,
    kind: str,
) -> None:
    server.faults.add(kind, 2, path_prefix="/api/v2/persons")  # type: ignore[arg-type]
    server.faults.add(kind, 1, path_prefix="/api/v2/activities")  # type: ignore[arg-type]

    result = sync()

    assert result.failed == 0
    assert server.faults.pending == 0
    assert len(sleeps.calls) >= 3
    assert_mirror_matches(db, account)


@pytest.mark.parametrize(
    "corruption",
    [
        "UPDATE contacts SET email = 'x@y.example' WHERE rowid = 7",
        "UPDATE contacts SET last_contacted = NULL WHERE last_contacted IS NOT NULL",
        "UPDATE contacts SET warmness_score = warmness_score + 1 WHERE rowid = 3",
        "UPDATE activities SET contact_id = NULL WHERE contact_id IS NOT NULL",
        "UPDATE organizations SET contact_count = contact_count + 1",
        "DELETE FROM deals WHERE rowid = 2",
    ],
)
def test_the_mirror_check_notices_any_difference(
    db: Database, account: FakeAccount, sync: SyncFn, corruption: str
) -> None:
    sync()
    with db.engine.begin() as conn:
        conn.exec_driver_sql(corruption)
    with pytest.raises(AssertionError):
        assert_mirror_matches(db, account)


def test_an_incremental_run_cancelled_after_the_organizations_writes_nothing_further(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    """Every entity's changes are asked for at once, but written in order: a cancel after
    the organizations leaves the persons' changes unwritten, and no fetching behind."""
    sync()
    org = account.add_organization("Cancelled Widgets Ltd")
    person_id = sorted(account.persons)[3]
    account.update_person(person_id, name="Not Yet Written")
    before = {t for t in threading.enumerate() if t.name == "sync-prefetch"}
    seen: list[SyncProgress] = []

    with pytest.raises(SyncCancelledError):
        sync(
            now=later(0.01),
            progress=seen.append,
            should_cancel=lambda: any(p.entity == "organizations" for p in seen),
        )

    assert {p.entity for p in seen} == {"organizations"}
    assert rows(
        db, "SELECT count(*) FROM organization_aliases WHERE pipedrive_org_id = :o", o=org["id"]
    ) == [(1,)]
    (row,) = rows(db, "SELECT name FROM contacts WHERE pipedrive_person_id = :p", p=person_id)
    assert row.name != "Not Yet Written"
    assert {t for t in threading.enumerate() if t.name == "sync-prefetch"} <= before

    sync(now=later(0.02))
    assert_mirror_matches(db, account, now=NOW + timedelta(days=0.02))
