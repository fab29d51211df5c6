"""Keyset paging gives the very rows OFFSET paging gives, in the same order, in every order.

The mirror is built for ties: few distinct scores, names that differ only in case,
many NULL emails, phones, organizations and last-contacted dates, a handful of creation
times. Any mistake in the seek's equality prefix or NULL handling skips or repeats rows.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from pipedriven_desktop.store import keyset
from pipedriven_desktop.store.contact_query import ContactFilter, SortKey
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.models import Contact, Organization
from pipedriven_desktop.store.rows import ContactRow

NOW = datetime(2026, 11, 25, 12, 0, 0)
CONTACTS = 230
PAGE = 17

ORDERS = [
    (key, descending)
    for key in SortKey
    for descending in ((False,) if key is SortKey.MY500 else (False, True))
]
FILTERS = {
    "everyone": ContactFilter(),
    "owner": ContactFilter(owner_id=1),
    "search": ContactFilter(search="ann"),
}


@pytest.fixture(scope="module")
def tied_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """Built once for the module: every test here only reads it."""
    db = open_database(tmp_path_factory.mktemp("keyset") / "mirror.sqlite3")
    rng = random.Random(7)
    with db.session() as session:
        orgs = [
            Organization(name=name, normalized_name=name.lower(), created_at=NOW, updated_at=NOW)
            for name in ("Acme", "acme", "Globex", "Initech")
        ]
        session.add_all(orgs)
        session.flush()
        for _index in range(CONTACTS):
            session.add(
                Contact(
                    name=rng.choice(["anna", "Anna", "ANNA", "Bob", "bob", "Zoë"]),
                    email=rng.choice([None, None, "a@x.io", "A@x.io", "b@x.io"]),
                    phone=rng.choice([None, None, "+49 1", "+49 2"]),
                    organization_id=rng.choice([None, None, *(org.id for org in orgs)]),
                    owner_id=rng.choice([1, 1, 2]),
                    warmness_score=rng.choice([0, 0, 3, 7]),
                    last_contacted=rng.choice([None, None, NOW - timedelta(days=2), NOW]),
                    added_to_campaign=rng.random() < 0.2,
                    created_at=NOW - timedelta(days=rng.choice([0, 1, 2])),
                    updated_at=NOW,
                )
            )
    yield db
    db.close()


def offset_paging(service: ContactService, contact_filter: ContactFilter) -> list[str]:
    ids: list[str] = []
    while rows := service.window(contact_filter, len(ids), PAGE, with_next=False):
        ids.extend(row.id for row in rows)
    return ids


def keyset_pages(
    service: ContactService, contact_filter: ContactFilter, first: tuple[ContactRow, ...]
) -> Iterator[tuple[ContactRow, ...]]:
    rows = first
    while rows:
        yield rows
        found = service.after(contact_filter, rows[-1].id, PAGE, with_next=False)
        assert found is not None
        rows = found


@pytest.mark.parametrize("scope", FILTERS)
@pytest.mark.parametrize(("sort", "descending"), ORDERS)
def test_keyset_pages_match_offset_pages_forwards_and_backwards(
    tied_db: Database, scope: str, sort: SortKey, descending: bool
) -> None:
    service = ContactService(tied_db)
    contact_filter = replace(FILTERS[scope], sort=sort, descending=descending)
    expected = offset_paging(service, contact_filter)
    assert len(expected) > 3 * PAGE  # several pages, across ties

    first = service.window(contact_filter, 0, PAGE, with_next=False)
    forwards = [row.id for page in keyset_pages(service, contact_filter, first) for row in page]
    assert forwards == expected

    # From the end: the reversed order's first page, then seeking backwards.
    backwards: list[str] = []
    rows = service.from_end(contact_filter, 0, PAGE, with_next=False)
    while rows:
        backwards.extend(row.id for row in rows)
        found = service.after(contact_filter, rows[-1].id, PAGE, backwards=True, with_next=False)
        assert found is not None
        rows = found
    assert backwards == expected[::-1]


def test_a_page_from_the_end_at_an_offset_is_that_slice_of_the_list(tied_db: Database) -> None:
    service = ContactService(tied_db)
    contact_filter = ContactFilter(sort=SortKey.EMAIL, descending=True)
    expected = offset_paging(service, contact_filter)
    tail = service.from_end(contact_filter, 5, PAGE, with_next=False)
    assert [row.id for row in tail] == expected[::-1][5 : 5 + PAGE]


def test_seeking_from_a_deleted_contact_says_so(tied_db: Database) -> None:
    service = ContactService(tied_db)
    assert service.after(ContactFilter(), "no-such-contact", PAGE) is None


def test_the_my500_order_seeks_in_its_index_and_never_uses_offset(tied_db: Database) -> None:
    service = ContactService(tied_db)
    first = service.window(ContactFilter(owner_id=1), 0, PAGE)
    statements: list[str] = []
    tied_db.reader().set_trace_callback(statements.append)
    service.after(ContactFilter(owner_id=1), first[-1].id, PAGE)
    service.from_end(ContactFilter(owner_id=1), 0, PAGE)
    tied_db.reader().set_trace_callback(None)
    seeks = [sql for sql in statements if "ORDER BY" in sql]
    assert seeks
    assert all("INDEXED BY ix_contacts_my500" in sql for sql in seeks)
    assert not any("OFFSET" in sql and "OFFSET 0" not in sql for sql in seeks)
    plans = [
        str(row)
        for row in tied_db.reader().execute("EXPLAIN QUERY PLAN " + seeks[0].replace("?", "NULL"))
    ]
    assert not any("TEMP B-TREE" in plan for plan in plans)  # walked in index order, no sort


def test_after_arms_cover_nulls_in_both_directions() -> None:
    terms = (keyset.SortTerm("a", descending=True), keyset.SortTerm("b"))
    assert keyset.after_arms(terms, (None, None)) == [("a IS ? AND b IS NOT NULL", [None])]
    assert keyset.after_arms(terms, (1, 2)) == [
        ("a IS ? AND b > ?", [1, 2]),
        ("a < ?", [1]),
        ("a IS NULL", []),
    ]
