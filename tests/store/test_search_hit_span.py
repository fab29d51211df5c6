"""A walk passes the contacts outside the rowids its search's hits span without a lookup,
and still finds the page the plain query orders first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipedriven_desktop.store import contact_service, search_walk
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_query import MY500_ORDER, ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from tests.store.search_oracle import plain_search_ids
from tests.synthetic import populate

SCOPES = (ContactFilter(owner_id=1), ContactFilter())
#: Contacts whose names hold the searched word: a span of the rowids, as if imported together.
SPAN = (300, 359)


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(Path(tmp_path_factory.mktemp("hit-span")) / "mirror.sqlite3")
    populate(db, contacts=900, activities_per_contact=0, owned_share=0.7, seed=5)
    conn = db.reader()
    conn.execute("UPDATE contacts SET name = 'Zyxwvut ' || name WHERE rowid BETWEEN ? AND ?", SPAN)
    conn.commit()
    yield db
    db.close()


def test_the_hit_span_is_the_first_and_last_hits_rowid(mirror: Database) -> None:
    service = ContactService(mirror)
    assert service._hit_span(mirror.reader(), "zyxw") == SPAN
    assert service._hit_span(mirror.reader(), "qqqqqq") == (0, -1)


@pytest.mark.parametrize("scope", SCOPES, ids=["my-500", "all"])
@pytest.mark.parametrize("search", ["zyxw", "zyxwvut 4", "zy"])
def test_a_walk_within_budget_only_thanks_to_the_span_finds_the_plain_querys_page(
    mirror: Database, monkeypatch: pytest.MonkeyPatch, scope: ContactFilter, search: str
) -> None:
    """One contact in fifteen matches, all inside the span: testing each contact would run
    out of a budget of 100 lookups before meeting 10 hits, passing those outside does not."""
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 3)
    monkeypatch.setattr(contact_service, "WALK_BUDGET", 100)
    monkeypatch.setattr(search_walk, "HIT_MICROSECONDS", 0.0)
    contact_filter = replace(scope, search=search)
    expected = plain_search_ids(mirror, contact_filter)
    assert len(expected) >= 20, search
    service = ContactService(mirror)
    conn = mirror.reader()
    for offset in (0, 10):
        walked = service._walk_in_order(conn, contact_filter, utcnow(), offset, 10)
        assert walked is not None
        ids = [
            row[0]
            for row in conn.execute(
                f"SELECT c.id FROM contacts c WHERE c.rowid IN ({','.join('?' * len(walked))})"
                f" ORDER BY {MY500_ORDER}",
                walked,
            )
        ]
        assert ids == expected[offset : offset + 10]
