"""Deletions are reconciled only for records Pipedrive confirms are gone.

A full listing finds what the mirror holds and a page did not list; how Pipedrive
pages is its own affair, so those ids are asked for by name before anything local
is deleted. The fake can page by position (an offset-style cursor), where persons
deleted while a listing runs make it skip as many live persons further on.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from pipedriven_desktop.pipedrive import (
    FakeAccount,
    FakePipedriveServer,
    Page,
    PipedriveClient,
)
from pipedriven_desktop.pipedrive.client import ENTITIES
from pipedriven_desktop.store.contacts import set_campaign
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.service import IDS_PER_REQUEST, SyncProgress
from tests.sync.conftest import TOKEN, Sleeps, SyncFn, assert_mirror_matches, rows

OPENAPI = Path(__file__).parents[1] / "pipedrive" / "openapi-v2.yaml"
SMALL_PAGE = 20
DELETED_MID_LISTING = 40


def _mirrored_persons(db: Database) -> set[int]:
    return {r[0] for r in rows(db, "SELECT pipedrive_person_id FROM contacts")}


def test_persons_deleted_while_a_full_listing_runs_cost_no_live_contact(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    sync()
    persons = sorted(account.persons)
    deleted = set(persons[:DELETED_MID_LISTING])
    # A live person the listing skips, whichever page is the first fetched after the deletion.
    flagged = persons[3 * SMALL_PAGE]
    (contact,) = rows(db, "SELECT id FROM contacts WHERE pipedrive_person_id = :p", p=flagged)
    assert set_campaign(db, contact.id, True)
    server.offset_cursors = True
    pages_written: list[SyncProgress] = []

    def delete_after_the_first_page(progress: SyncProgress) -> None:
        if progress.entity == "persons":
            pages_written.append(progress)
            if len(pages_written) == 1:
                # At most three pages are fetched by now (one written, one queued, one in
                # flight); every later one starts DELETED_MID_LISTING items further on.
                for pid in deleted:
                    account.delete_person(pid)

    server.reset_log()

    result = sync(full=True, page_size=SMALL_PAGE, progress=delete_after_the_first_page)

    mirrored = _mirrored_persons(db)
    assert set(account.persons) <= mirrored, "a live contact was deleted"
    assert mirrored - set(account.persons) <= deleted
    (row,) = rows(db, "SELECT added_to_campaign FROM contacts WHERE id = :c", c=contact.id)
    assert row.added_to_campaign == 1
    asked = [r for r in server.requests_to("/api/v2/persons") if "ids" in r.params]
    assert asked, "the absent persons were asked for"
    assert all(len(r.params["ids"].split(",")) <= IDS_PER_REQUEST for r in asked)

    # The next full listing meets no deletion while it runs: the deleted persons go.
    server.offset_cursors = False
    again = sync(full=True)

    assert result.deleted + again.deleted == DELETED_MID_LISTING
    assert_mirror_matches(db, account)


def test_absent_ids_are_asked_for_a_hundred_at_a_time_and_only_the_gone_are_deleted(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn
) -> None:
    sync()
    gone = sorted(account.activities)[40:290]  # 250 absent ids: three requests
    for aid in gone:
        account.delete_activity(aid)
    server.reset_log()

    result = sync(full=True)

    asked = [r for r in server.requests_to("/api/v2/activities") if "ids" in r.params]
    assert [len(r.params["ids"].split(",")) for r in asked] == [100, 100, 50]
    assert {int(i) for r in asked for i in r.params["ids"].split(",")} == set(gone)
    assert result.deleted == len(gone)
    assert_mirror_matches(db, account)


class HidingClient(PipedriveClient):
    """Leaves some records out of listings, yet returns them when asked for by id."""

    def __init__(self, *args: Any, hidden: dict[str, set[int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hidden = hidden

    def iter_pages(self, entity: Any, **kwargs: Any) -> Iterator[Page]:
        hidden = set() if "ids" in (kwargs.get("extra") or {}) else self.hidden.get(entity, set())
        for page in super().iter_pages(entity, **kwargs):
            items = [item for item in page.items if item.get("id") not in hidden]
            yield Page(page.entity, items, page.next_cursor, page.number)


def test_records_pipedrive_still_returns_by_id_are_kept_and_written(
    db: Database, account: FakeAccount, server: FakePipedriveServer, sync: SyncFn, sleeps: Sleeps
) -> None:
    """A listing that leaves records out (as a paging quirk would) deletes none of them."""
    sync()
    # Mid-listing and on the last page, of every entity reconciled by listing.
    activities, deals = sorted(account.activities), sorted(account.deals)
    hidden = {
        "organizations": {sorted(account.organizations)[7], max(account.organizations)},
        "persons": {sorted(account.persons)[150], max(account.persons)},
        "activities": {activities[250], activities[-1]},
        "deals": {deals[10], deals[-1]},
    }
    for aid in hidden["activities"]:
        account.update_activity(aid, subject=f"Changed while hidden {aid}")
    for did in hidden["deals"]:
        account.update_deal(did, title=f"Changed while hidden {did}")
    hiding = HidingClient(server.base_url, TOKEN, sleep=sleeps, hidden=hidden)

    result = sync(client=hiding, full=True)

    assert result.deleted == 0
    assert_mirror_matches(db, account)


def test_the_ids_filter_is_part_of_every_listing_pipedrive_describes() -> None:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    spec = yaml.load(OPENAPI.read_text(encoding="utf-8"), Loader=loader)
    for entity in ENTITIES:
        parameters = spec["paths"][f"/{entity}"]["get"]["parameters"]
        (ids,) = [p for p in parameters if p.get("name") == "ids"]
        assert "up to 100" in ids["description"]
