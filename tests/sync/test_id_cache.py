"""The links a sync looks up are kept from page to page: the same answers as a lookup per
page, fewer statements, and read again once their table is written."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

import pytest
from sqlalchemy import Connection, event

from pipedriven_desktop.pipedrive import FakeAccount, PipedriveClient
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync import service
from pipedriven_desktop.sync.writers import PersonWriter
from pipedriven_desktop.sync.writers.common import (
    CONTACT_IDS,
    DEAL_IDS,
    ORG_IDS,
    IdCache,
    IdLookup,
    lookup,
)
from tests.sync.conftest import NOW, SyncFn, assert_mirror_matches, later, rows


@contextmanager
def _statements(conn: Connection) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(conn, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(conn, "before_cursor_execute", count)


def _answers(
    found: Mapping[int | None, str | None], values: Iterable[int | None]
) -> dict[Any, Any]:
    return {value: found.get(value) for value in values}


def test_the_cache_answers_each_page_as_a_lookup_of_that_page_would(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    person_ids: list[int | None] = [*sorted(account.persons)]
    org_ids: list[int | None] = [*sorted(account.organizations)]
    deal_ids: list[int | None] = [*sorted(account.deals)]
    strange: list[int | None] = [None, -1, 0, 2**70, -(2**70), 999_999_999]
    pages: dict[IdLookup, list[list[int | None]]] = {
        CONTACT_IDS: [[*person_ids[:40], *strange], [*person_ids[20:70], *strange], person_ids],
        ORG_IDS: [[*org_ids[:10], *strange], [*org_ids[5:30], None], org_ids],
        DEAL_IDS: [[*deal_ids[:10], *strange], deal_ids[5:], []],
    }
    cache = IdCache()
    with db.engine.connect() as conn:
        for ids, walk in pages.items():
            for page in walk:
                expected = _answers(lookup(conn, ids, page), page)
                assert _answers(cache.lookup(conn, ids, page), page) == expected
        every = _answers(cache.lookup(conn, CONTACT_IDS, person_ids), person_ids)
        assert None not in every.values(), "each listed person has a contact"
        # Every id answered once already: the pages ask the mirror nothing more.
        with _statements(conn) as seen:
            for ids, walk in pages.items():
                for page in walk:
                    cache.lookup(conn, ids, page)
        assert seen == []


def test_a_forgotten_table_is_read_again_and_the_others_are_kept(
    db: Database, account: FakeAccount, sync: SyncFn
) -> None:
    sync()
    newcomer = max(account.persons) + 1
    org_id = min(account.organizations)
    cache = IdCache()
    with db.engine.begin() as conn:
        assert cache.lookup(conn, CONTACT_IDS, [newcomer]).get(newcomer) is None
        known_org = cache.lookup(conn, ORG_IDS, [org_id]).get(org_id)
        assert known_org is not None
        conn.exec_driver_sql(
            "INSERT INTO contacts (id, pipedrive_person_id, name, created_at, updated_at,"
            " added_to_campaign) VALUES ('new-contact', ?, 'New', ?, ?, 0)",
            (newcomer, "2025-06-01 00:00:00.000000", "2025-06-01 00:00:00.000000"),
        )
        # Not forgotten: the answer read before the write stands.
        assert cache.lookup(conn, CONTACT_IDS, [newcomer]).get(newcomer) is None
        cache.forget("contacts")
        with _statements(conn) as seen:
            assert cache.lookup(conn, CONTACT_IDS, [newcomer]).get(newcomer) == "new-contact"
            assert cache.lookup(conn, ORG_IDS, [org_id]).get(org_id) == known_org
        assert len(seen) == 1, "only the forgotten table is read again"


class _CheckingCache(IdCache):
    """Compares every answer with a lookup of the mirror as it stands at that moment."""

    mismatches: ClassVar[list[tuple[str, int | None]]] = []
    answered: ClassVar[int] = 0

    def lookup(
        self, conn: Connection, ids: IdLookup, values: Iterable[int | None]
    ) -> Mapping[int | None, str | None]:
        values = list(values)
        found = super().lookup(conn, ids, values)
        truth = lookup(conn, ids, values)
        type(self).answered += len(values)
        type(self).mismatches.extend(
            (ids.table, value) for value in values if found.get(value) != truth.get(value)
        )
        return found


def test_every_link_a_run_uses_is_what_the_mirror_holds_at_its_page(
    db: Database, account: FakeAccount, sync: SyncFn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "IdCache", _CheckingCache)
    monkeypatch.setattr(_CheckingCache, "mismatches", [])
    sync()
    # Between runs: a new organization with a new person and an activity for them, a
    # person gone, an activity moved to another person.
    account.advance(60)
    org = account.add_organization("Newly Founded GmbH")
    person = account.add_person("Nora Newcomer", org_id=org["id"])
    account.add_activity("Welcome call", person_id=person["id"], org_id=org["id"])
    gone = min(account.persons)
    account.delete_person(gone)
    moved = min(account.activities)
    account.update_activity(moved, person_id=person["id"])
    sync(now=later(1))
    sync(full=True, now=later(2))

    assert _CheckingCache.mismatches == []
    assert _CheckingCache.answered > 0
    assert_mirror_matches(db, account, later(2)())
    new_contact = rows(db, f"SELECT id FROM contacts WHERE pipedrive_person_id = {person['id']}")[
        0
    ][0]
    linked = rows(db, f"SELECT contact_id FROM activities WHERE pipedrive_activity_id = {moved}")
    assert linked == [(new_contact,)]


def test_a_page_written_drops_what_the_run_knew_of_its_writer_s_table(
    db: Database, account: FakeAccount, client: PipedriveClient
) -> None:
    run = service._Run(
        db,
        client,
        full=False,
        progress=None,
        should_cancel=None,
        clock=lambda: NOW,
        lead_status_field=None,
        page_size=100,
    )
    item = account.add_person("Nora Newcomer")
    writer = PersonWriter()
    record = writer.parse(item)
    org_id = min(account.organizations)
    with db.engine.begin() as conn:
        assert run.ids.lookup(conn, CONTACT_IDS, [record.id]).get(record.id) is None
        run.ids.lookup(conn, ORG_IDS, [org_id])
    parsed = service._Parsed(live=[(record, writer.prepare(record, "2025-06-02 09:30:00.000000"))])
    with db.session() as session:
        run._write_page(writer, session, parsed, listing=False, rewrite=False)
    with db.engine.connect() as conn, _statements(conn) as seen:
        assert run.ids.lookup(conn, CONTACT_IDS, [record.id]).get(record.id) is not None
        run.ids.lookup(conn, ORG_IDS, [org_id])
    assert len(seen) == 1
