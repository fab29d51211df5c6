"""The name and organization orders walk their indexes; contacts keep their organization's name.

Without an index in the order, each page read and sorted every contact in scope (about a
second per page at 1,000,000 contacts). The organization order sorts on the contact's copy
of the organization's name, which triggers keep right.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from pipedriven_desktop.store import keyset
from pipedriven_desktop.store.contact_query import MY500_ORDER, ContactFilter, SortKey
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.models import Contact, Organization
from tests.store.test_keyset_paging import FILTERS, keyset_pages, offset_paging
from tests.store.test_keyset_paging import tied_db as tied_db  # the fixture
from tests.synthetic import populate

FIXTURES = Path(__file__).parent.parent / "fixtures"
NOW = datetime(2026, 11, 25, 12, 0, 0)
PAGE = 20
SORTS = [
    (sort, descending)
    for sort in (SortKey.NAME, SortKey.ORGANIZATION)
    for descending in (False, True)
]
SCOPES = {"All contacts": ContactFilter(), "My-500": ContactFilter(owner_id=1)}


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """Several owners, so My-500 is a part of the mirror; read only by the tests."""
    db = open_database(tmp_path_factory.mktemp("sorts") / "mirror.sqlite3")
    populate(db, contacts=600, activities_per_contact=1, owned_share=0.4, now=NOW)
    db.reader().execute("ANALYZE")  # as a used mirror has: the planner's real choice
    yield db
    db.close()


def plans_of_page_reads(db: Database, read: object) -> list[str]:
    """The query plans of the contacts' ordered reads that ``read()`` makes: for a page
    cut in a subquery, that subquery's plan (the outer query only re-sorts its rows)."""
    statements: list[str] = []
    conn = db.reader()
    conn.set_trace_callback(statements.append)
    try:
        read()  # type: ignore[operator]
    finally:
        conn.set_trace_callback(None)
    ordered = [
        sql
        for sql in statements
        if "ORDER BY" in sql
        and "FROM contacts c" in sql
        and "NOCASE IS NULL" not in sql  # a read of the tie of no value: see below
    ]
    assert ordered
    plans = []
    for sql in ordered:
        rows = list(conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        inner = {row[0] for row in rows if str(row[3]) == "CO-ROUTINE c"}
        for row in rows:  # the subquery's rows: descendants of its co-routine
            if row[1] in inner:
                inner.add(row[0])
        plans.append(" | ".join(str(row[3]) for row in rows if not inner or row[0] in inner))
    return plans


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(("sort", "descending"), SORTS)
def test_pages_in_the_name_and_organization_orders_walk_an_index_without_sorting_all(
    mirror: Database, scope: str, sort: SortKey, descending: bool
) -> None:
    service = ContactService(mirror)
    contact_filter = replace(SCOPES[scope], sort=sort, descending=descending)
    column = "name" if sort is SortKey.NAME else "organization_name"
    first = service.window(contact_filter, 0, PAGE, with_next=False)
    assert len(first) == PAGE

    plans = plans_of_page_reads(
        mirror,
        lambda: (
            ContactService(mirror).window(contact_filter, 0, PAGE, with_next=False),
            ContactService(mirror).after(contact_filter, first[-1].id, PAGE, with_next=False),
            ContactService(mirror).from_end(contact_filter, 0, PAGE, with_next=False),
        ),
    )
    for plan in plans:
        assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
        assert f"_{column}_nocase" in plan, plan


def organization_order(db: Database, contact_filter: ContactFilter) -> list[str]:
    """The organization order as it was read before migration 0009: through the join."""
    direction = "DESC" if contact_filter.descending else "ASC"
    where = "1" if contact_filter.owner_id is None else f"c.owner_id = {contact_filter.owner_id}"
    return [
        row[0]
        for row in db.reader().execute(
            "SELECT c.id FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id"
            f" WHERE {where} ORDER BY o.name COLLATE NOCASE {direction}, {MY500_ORDER}"
        )
    ]


def listed(db: Database, contact_filter: ContactFilter) -> list[str]:
    service = ContactService(db)
    ids: list[str] = []
    while rows := service.window(contact_filter, len(ids), 200, with_next=False):
        ids.extend(row.id for row in rows)
    return ids


@pytest.fixture
def small(tmp_path: Path) -> Iterator[Database]:
    db = open_database(tmp_path / "mirror.sqlite3")
    populate(db, contacts=80, organizations=12, activities_per_contact=0, now=NOW)
    yield db
    db.close()


def names_kept(db: Database) -> list[tuple[str, str | None, str | None]]:
    return [
        tuple(row)
        for row in db.reader().execute(
            "SELECT c.id, c.organization_name, o.name FROM contacts c"
            " LEFT JOIN organizations o ON o.id = c.organization_id ORDER BY c.id"
        )
    ]


def test_the_organization_order_is_the_joined_names_order_through_every_change(
    small: Database,
) -> None:
    by_org = ContactFilter(sort=SortKey.ORGANIZATION)
    conn = small.reader()
    org_ids = [row[0] for row in conn.execute("SELECT id FROM organizations ORDER BY id")]
    contact_ids = [row[0] for row in conn.execute("SELECT id FROM contacts ORDER BY id")]
    with conn:
        # renamed (to the front, with a case-only twin), moved, detached, deleted
        conn.execute("UPDATE organizations SET name = 'aaa first' WHERE id = ?", (org_ids[0],))
        conn.execute("UPDATE organizations SET name = 'AAA FIRST' WHERE id = ?", (org_ids[1],))
        conn.execute(
            "UPDATE contacts SET organization_id = ? WHERE id = ?", (org_ids[2], contact_ids[0])
        )
        conn.execute("UPDATE contacts SET organization_id = NULL WHERE id = ?", (contact_ids[1],))
        conn.execute("DELETE FROM organizations WHERE id = ?", (org_ids[3],))
    with small.session() as session:  # new contacts and organizations, through the models
        org = Organization(
            name="Zebra Ltd", normalized_name="zebra", created_at=NOW, updated_at=NOW
        )
        session.add(org)
        session.flush()
        session.add(
            Contact(
                name="New One", organization_id=org.id, owner_id=1, created_at=NOW, updated_at=NOW
            )
        )

    assert all(kept == joined for _, kept, joined in names_kept(small))
    for descending in (False, True):
        contact_filter = replace(by_org, descending=descending)
        assert listed(small, contact_filter) == organization_order(small, contact_filter)


def test_an_old_mirror_upgraded_holds_each_contacts_organization_name(tmp_path: Path) -> None:
    path = tmp_path / "mirror.sqlite3"
    shutil.copyfile(FIXTURES / "mirror-0.1.0.sqlite3", path)
    db = open_database(path)
    try:
        kept = names_kept(db)
        assert sum(1 for _, name, _ in kept if name is not None) > 100
        assert all(name == joined for _, name, joined in kept)
        by_org = ContactFilter(sort=SortKey.ORGANIZATION)
        assert listed(db, by_org) == organization_order(db, by_org)
    finally:
        db.close()
    conn = sqlite3.connect(path)
    searchable = conn.execute("SELECT count(*) FROM contacts_fts WHERE org_name IS NOT NULL")
    assert searchable.fetchone()[0] == sum(1 for _, name, _ in kept if name is not None)
    conn.close()


@pytest.fixture
def tie_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Contacts without an organization count as a large tie however few they are."""
    monkeypatch.setattr(keyset, "TIE_WALK_MIN", 1)


@pytest.mark.parametrize("scope", FILTERS)
@pytest.mark.parametrize("descending", [False, True])
def test_pages_through_the_contacts_without_an_organization_match_offset_pages(
    tied_db: Database, tie_walked: None, scope: str, descending: bool
) -> None:
    service = ContactService(tied_db)
    contact_filter = replace(FILTERS[scope], sort=SortKey.ORGANIZATION, descending=descending)
    expected = offset_paging(service, contact_filter)
    if not contact_filter.search:
        assert expected == organization_order(tied_db, contact_filter)
    first = service.window(contact_filter, 0, PAGE, with_next=False)
    forwards = [row.id for page in keyset_pages(service, contact_filter, first) for row in page]
    assert forwards == expected
    for offset in range(0, len(expected), PAGE - 4):  # pages across the tie's end too
        tail = service.from_end(contact_filter, offset, PAGE, with_next=False)
        assert [row.id for row in tail] == expected[::-1][offset : offset + PAGE]


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize("descending", [False, True])
def test_the_contacts_without_an_organization_are_walked_in_the_my500_index(
    mirror: Database, tie_walked: None, scope: str, descending: bool
) -> None:
    contact_filter = replace(SCOPES[scope], sort=SortKey.ORGANIZATION, descending=descending)
    conn = mirror.reader()
    where = "" if contact_filter.owner_id is None else f" AND owner_id = {contact_filter.owner_id}"
    (no_organization,) = conn.execute(
        f"SELECT id FROM contacts WHERE organization_id IS NULL{where} ORDER BY id LIMIT 1"
    ).fetchone()
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        service = ContactService(mirror)
        service.window(contact_filter, 0, PAGE, with_next=False)
        service.after(contact_filter, no_organization, PAGE, with_next=False)
        service.from_end(contact_filter, 0, PAGE, with_next=False)
    finally:
        conn.set_trace_callback(None)
    tie_reads = [sql for sql in statements if "ORDER BY" in sql and "NOCASE IS NULL" in sql]
    assert tie_reads
    index = "ix_contacts_all_order" if contact_filter.owner_id is None else "ix_contacts_my500"
    for sql in tie_reads:
        plan = " | ".join(str(row[3]) for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
        assert index in plan, plan
        assert "TEMP B-TREE" not in plan, plan
