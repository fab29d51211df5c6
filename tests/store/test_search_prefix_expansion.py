"""A long search prefix spelled as the words it starts finds exactly what the prefix finds.

The search index keeps prefixes of up to four characters; a longer one is spelled as the
index's words that start with it, so a walk can test contacts by exact word. Every check
here compares against the plain prefix query on generated data.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipedriven_desktop.store import contact_service, search_words
from pipedriven_desktop.store.contact_query import (
    MY500_ORDER,
    ContactFilter,
    fts_query,
    fts_terms_indexed,
    long_prefixes,
)
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.reader_connection import ReaderConnection
from pipedriven_desktop.store.search_words import fold, indexed_search, words_starting
from tests.synthetic import populate

#: Names given to a few contacts so that long prefixes start several words, with and
#: without diacritics.
NAMES = (
    "Jan Müllerová",
    "Jana Müllerson",
    "Eva Mullerton",
    "Anna Müller-Lüdenscheidt",
    "Anna Smithson",
    "Ola Smithers",
)
SEARCHES = (
    "mülle",
    "müller",
    "MÜLLERS",
    "mullert",
    "smith",
    "smithe",
    "anna.4",
    "anna smit",
    "globex 1",
    "globex 12",
    "example",
    "exam",
    "0042",
    "170 0001",
    "lüden",
    "mülle anna",
    "nowhere",
)
SCOPES = (ContactFilter(owner_id=1), ContactFilter())


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(Path(tmp_path_factory.mktemp("long-prefixes")) / "mirror.sqlite3")
    populate(db, contacts=500, activities_per_contact=0, owned_share=0.7, seed=15)
    conn = db.reader()
    for rowid, name in enumerate(NAMES, start=7):
        conn.execute("UPDATE contacts SET name = ? WHERE rowid = ?", (name, rowid * 31))
    conn.commit()
    yield db
    db.close()


def _hits(conn: sqlite3.Connection, match: str | None) -> list[int]:
    return [
        rowid
        for (rowid,) in conn.execute(
            "SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ? ORDER BY rowid", (match,)
        )
    ]


def test_folding_is_the_tokenizers() -> None:
    """Every character ``fold`` knows is folded as the search index's tokenizer does."""
    letters = sorted(search_words._FOLDED) + [
        chr(code) for code in range(128) if chr(code).isalnum()
    ]
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize = 'unicode61 remove_diacritics 2')")
    conn.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, instance)")
    conn.executemany(
        "INSERT INTO t(rowid, x) VALUES (?, ?)",
        [(index, f"q{letter}q") for index, letter in enumerate(letters, start=1)],
    )
    stored = dict(conn.execute("SELECT doc, term FROM v"))
    assert len(letters) > 150
    for index, letter in enumerate(letters, start=1):
        assert f"q{fold(letter)}q" == stored[index], letter


def test_a_character_of_unknown_folding_is_not_spelled_out(mirror: Database) -> None:
    assert fold("mülle") == "mulle"
    assert fold("\u0298ANNA") == "\u0298anna"
    assert fold("ǡbcde") is None  # two diacritics: the tokenizer keeps it whole
    assert fold("anna_b") is None  # a separator for the tokenizer
    match, indexed = indexed_search(mirror.reader(), "ǡbcde", {})
    assert match == fts_query("ǡbcde")
    assert not indexed


@pytest.mark.parametrize("search", SEARCHES)
def test_a_spelled_query_finds_the_plain_querys_hits(mirror: Database, search: str) -> None:
    conn = mirror.reader()
    match, indexed = indexed_search(conn, search, {})
    assert _hits(conn, match) == _hits(conn, fts_query(search))
    if long_prefixes(search) and indexed:
        assert match != fts_query(search)  # something was spelled out


def test_several_words_are_spelled_out(mirror: Database) -> None:
    conn = mirror.reader()
    words = words_starting(conn, "mulle", {})
    assert words is not None
    assert {"muller", "mullerova", "mullerson", "mullerton"} <= set(words)
    match, indexed = indexed_search(conn, "mülle", {})
    assert indexed
    assert match is not None
    assert '"mullerton"' in match
    assert len(_hits(conn, match)) > len(NAMES) - 2


def test_a_prefix_starting_too_many_words_stays_a_prefix(
    mirror: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_words, "MAX_WORDS", 2)
    conn = mirror.reader()
    assert words_starting(conn, "mulle", {}) is None
    match, indexed = indexed_search(conn, "mülle", {})
    assert match is not None
    assert '"mülle"*' in match  # (no word at all starts "ʘmulle")
    assert _hits(conn, match) == _hits(conn, fts_query("mülle"))
    assert not indexed
    assert not fts_terms_indexed("mülle")


def test_a_longer_prefix_is_answered_from_its_shorter_ones_words(mirror: Database) -> None:
    conn = mirror.reader()
    known: dict[str, tuple[str, ...] | None] = {}
    words_starting(conn, "mulle", known)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        remembered = words_starting(conn, "mullers", known)
    finally:
        conn.set_trace_callback(None)
    assert not statements
    assert remembered == words_starting(conn, "mullers", {})
    assert remembered == ("mullerson",)


@pytest.mark.parametrize("scope", SCOPES, ids=["my-500", "all"])
@pytest.mark.parametrize("search", SEARCHES)
def test_the_first_page_and_count_are_the_plain_querys(
    mirror: Database, monkeypatch: pytest.MonkeyPatch, scope: ContactFilter, search: str
) -> None:
    """Broad or not (the threshold lowered), a long search's page walks or reads its hits
    and gives the rows the plain query orders first."""
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 5)
    contact_filter = replace(scope, search=search)
    owner = "" if scope.owner_id is None else "c.owner_id = ? AND "
    params: list[object] = [] if scope.owner_id is None else [scope.owner_id]
    conn = mirror.reader()
    expected = [
        row[0]
        for row in conn.execute(
            f"SELECT c.id FROM contacts c WHERE {owner}c.rowid IN"
            " (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)"
            f" ORDER BY {MY500_ORDER}",
            (*params, fts_query(search)),
        )
    ]
    service = ContactService(mirror)
    assert [row.id for row in service.window(contact_filter, 0, 20)] == expected[:20]
    assert service.count(contact_filter) == len(expected)


def test_a_word_added_after_a_search_is_found_by_the_next_one(tmp_path: Path) -> None:
    db = open_database(tmp_path / "mirror.sqlite3")
    try:
        populate(db, contacts=60, activities_per_contact=0, seed=3)
        service = ContactService(db)
        search = ContactFilter(search="müller")
        before = [row.id for row in service.window(search, 0, 100)]
        assert before
        conn = db.reader()
        added = next(
            row_id for (row_id,) in conn.execute("SELECT id FROM contacts") if row_id not in before
        )
        conn.execute("UPDATE contacts SET name = 'Ida Müllerstein' WHERE id = ?", (added,))
        conn.commit()
        after = [row.id for row in service.window(search, 0, 100)]
        assert set(after) == {*before, added}
    finally:
        db.close()


def test_words_read_on_one_connection_survive_a_count_on_another(
    mirror: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A count off the UI thread reads on that thread's own connection; the UI thread's
    words stay known, so the search typed further reads no word list again."""
    service = ContactService(mirror)
    service.window(ContactFilter(search="mülle"), 0, 20)
    other = sqlite3.connect(mirror.path, factory=ReaderConnection)
    try:
        with monkeypatch.context() as patch:
            patch.setattr(mirror, "reader", lambda: other)
            service.count(ContactFilter(search="smith"))
    finally:
        other.close()
    statements: list[str] = []
    mirror.reader().set_trace_callback(statements.append)
    try:
        service.window(ContactFilter(search="müller"), 0, 20)
    finally:
        mirror.reader().set_trace_callback(None)
    assert statements
    assert not [sql for sql in statements if search_words.VOCABULARY in sql]
