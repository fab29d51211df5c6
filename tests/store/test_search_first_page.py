"""A search's first page is found from its first hits, never from its exact count, and is
the same page whichever way it is found: broad or narrow, in either scope and any order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipedriven_desktop.store import contact_service
from pipedriven_desktop.store.contact_query import ContactFilter, SortKey, fts_query, order_sql
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from tests.synthetic import populate

TERMS = ("a", "mü", "+49", "+49 170", "globex", "anna 4", "smith j")
SCOPES = (ContactFilter(owner_id=1), ContactFilter())
ORDERS = (
    (SortKey.MY500, False),
    (SortKey.NAME, False),
    (SortKey.WARMNESS, True),
    (SortKey.LAST_CONTACTED, False),
    (SortKey.PHONE, True),
    (SortKey.ORGANIZATION, False),
)
PAGE = 20


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(Path(tmp_path_factory.mktemp("first-page")) / "mirror.sqlite3")
    populate(db, contacts=500, activities_per_contact=0, owned_share=0.7, seed=11)
    yield db
    db.close()


def _oracle(db: Database, contact_filter: ContactFilter, limit: int) -> list[str]:
    """Every hit read from the index, ordered and cut in one plain statement."""
    owner = "" if contact_filter.owner_id is None else "c.owner_id = ? AND "
    params: list[object] = [] if contact_filter.owner_id is None else [contact_filter.owner_id]
    found = db.reader().execute(
        "SELECT c.id FROM contacts c LEFT JOIN organizations o ON o.id = c.organization_id"
        f" WHERE {owner}c.rowid IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)"
        f" ORDER BY {order_sql(contact_filter)} LIMIT ?",
        (*params, fts_query(contact_filter.search), limit),
    )
    return [row[0] for row in found]


@pytest.mark.parametrize("scope", SCOPES, ids=["my-500", "all"])
@pytest.mark.parametrize(("sort", "descending"), ORDERS, ids=[key.value for key, _ in ORDERS])
@pytest.mark.parametrize("threshold", [0, 3, 10**9], ids=["broad", "some-broad", "narrow"])
def test_the_first_pages_are_the_indexs_hits_in_order(
    mirror: Database,
    monkeypatch: pytest.MonkeyPatch,
    scope: ContactFilter,
    sort: SortKey,
    descending: bool,
    threshold: int,
) -> None:
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", threshold)
    for term in TERMS:
        contact_filter = replace(scope, search=term, sort=sort, descending=descending)
        expected = _oracle(mirror, contact_filter, 2 * PAGE)
        service = ContactService(mirror)
        first = [row.id for row in service.window(contact_filter, 0, PAGE)]
        assert first == expected[:PAGE], term
        if len(first) == PAGE:  # the next page, sought from the first one's last row
            after = service.after(contact_filter, first[-1], PAGE)
            assert after is not None
            assert [row.id for row in after] == expected[PAGE:], term


@pytest.mark.parametrize("scope", SCOPES, ids=["my-500", "all"])
def test_a_broad_searchs_page_reads_no_count_and_a_narrow_ones_count_comes_with_it(
    mirror: Database, monkeypatch: pytest.MonkeyPatch, scope: ContactFilter
) -> None:
    """A broad search's page stops reading hits at the threshold; a narrow search's hits are
    all read for the page, so its count costs no second read of the index."""
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 10)
    statements: list[str] = []
    broad = replace(scope, search="a")
    narrow = replace(scope, search="smith j")
    service = ContactService(mirror)
    mirror.reader().set_trace_callback(statements.append)
    try:
        service.window(broad, 0, PAGE)
        assert service.count_if_cheap(broad) is None
        broad_statements = list(statements)
        statements.clear()
        service.window(narrow, 0, PAGE)
        narrow_count = service.count_if_cheap(narrow)
    finally:
        mirror.reader().set_trace_callback(None)
    # hits are read (and counted) up to one past the threshold, never all of them
    # (besides the first and the last hit a walk reads for its span, one row each)
    hit_reads = [
        sql
        for sql in broad_statements
        if "SELECT rowid FROM contacts_fts" in sql and "ORDER BY rowid" not in sql
    ]
    assert [sql for sql in broad_statements if "count(" in sql] == hit_reads
    assert hit_reads
    assert all("LIMIT 11" in sql for sql in hit_reads), hit_reads
    # the rest only probe contact by contact or cut a page
    assert all(
        "f.rowid = c.rowid" in sql or "LIMIT" in sql for sql in broad_statements if "MATCH" in sql
    ), broad_statements
    assert narrow_count == len(_oracle(mirror, narrow, 1000)) <= 10
    # (statements starting "--" are the word list's own lookups inside SQLite)
    reads = [sql for sql in statements if "MATCH" in sql and not sql.startswith("--")]
    assert len(reads) == 1, statements


def test_a_narrow_search_in_a_one_owner_mirror_is_counted_from_its_hits_alone(
    tmp_path: Path,
) -> None:
    """The owner owns every contact: My-500's count of a narrow search is the number of
    its hits, with no second read of the contacts."""
    db = open_database(tmp_path / "one-owner.sqlite3")
    populate(db, contacts=300, activities_per_contact=0, seed=12)
    mine = ContactFilter(owner_id=1, search="smith")
    service = ContactService(db)
    service.window(mine, 0, PAGE)
    statements: list[str] = []
    db.reader().set_trace_callback(statements.append)
    try:
        counted = service.count_if_cheap(mine)
    finally:
        db.reader().set_trace_callback(None)
    expected = len(_oracle(db, mine, 1000))
    db.close()
    assert 0 < expected <= contact_service.BROAD_SEARCH_HITS
    assert counted == expected
    assert not [sql for sql in statements if "count(" in sql or "MATCH" in sql], statements
