"""A broad search with a term longer than the index's prefixes reads its hits once.

Testing contact after contact (``rowid = ? AND MATCH``) expands such a term over the
whole index on every test; the page must be the same whichever way it is found.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pipedriven_desktop.store import contact_service, search_words
from pipedriven_desktop.store.contact_query import (
    MY500_ORDER,
    ContactFilter,
    fts_query,
    fts_terms_indexed,
)
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from tests.synthetic import populate

#: Each probe of the search index for one contact, as the walk in the order issues it.
PROBE = "f.rowid = c.rowid"
#: A broad search's threshold scaled down with the mirror, so the test stays small.
BROAD = 60


@pytest.fixture(scope="module")
def broad_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """Several times more contacts than a broad search's (lowered) threshold; nearly all
    with an example.com email."""
    db = open_database(Path(tmp_path_factory.mktemp("broad")) / "mirror.sqlite3")
    populate(db, contacts=8 * BROAD, activities_per_contact=0, seed=8)
    yield db
    db.close()


@pytest.fixture(autouse=True)
def _small_broad_threshold(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", BROAD)


def _first_ids(db: Database, search: str, limit: int) -> list[str]:
    """The first ``limit`` hits in the My-500 order, read straight from the index's hits."""
    found = db.reader().execute(
        "SELECT c.id FROM contacts c WHERE c.rowid IN"
        " (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)"
        f" ORDER BY {MY500_ORDER} LIMIT ?",
        (fts_query(search), limit),
    )
    return [row[0] for row in found]


def _page(db: Database, search: str, limit: int) -> tuple[list[str], list[str]]:
    """The page's ids, and the statements it ran."""
    statements: list[str] = []
    db.reader().set_trace_callback(statements.append)
    try:
        rows = ContactService(db).page(ContactFilter(search=search), 1, limit).rows
    finally:
        db.reader().set_trace_callback(None)
    return [row.id for row in rows], statements


@pytest.mark.parametrize(
    ("search", "indexed"),
    [
        ("m", True),
        ("mü", True),
        ("mul", True),  # 3 characters: also sought inside parts, one mark longer
        ("mull", False),
        ("example", False),
        ("+49 170", True),
        ("anna 4711", False),
    ],
)
def test_terms_up_to_the_indexed_prefix_length_are_indexed(search: str, indexed: bool) -> None:
    assert fts_terms_indexed(search) is indexed


def test_a_long_broad_term_starting_many_words_reads_its_hits_once_with_the_same_page(
    broad_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_words, "MAX_WORDS", 0)  # every long prefix starts too many
    ids, statements = _page(broad_db, "example", 20)
    assert ContactService(broad_db).count(ContactFilter(search="example")) > 4 * BROAD
    assert ids == _first_ids(broad_db, "example", 20)
    assert not any(PROBE in sql for sql in statements)


def test_a_long_broad_term_starting_few_words_walks_the_order_with_the_same_page(
    broad_db: Database,
) -> None:
    ids, statements = _page(broad_db, "example", 20)
    assert ids == _first_ids(broad_db, "example", 20)
    assert any(PROBE in sql for sql in statements)


def test_a_short_broad_term_still_walks_the_order(broad_db: Database) -> None:
    ids, statements = _page(broad_db, "e", 20)
    assert ContactService(broad_db).count(ContactFilter(search="e")) > 4 * BROAD
    assert ids == _first_ids(broad_db, "e", 20)
    assert any(PROBE in sql for sql in statements)
