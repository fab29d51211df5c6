"""A broad search walks as far as its set of hits would cost, testing its rarest term first,
and finds the page the plain query orders first."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipedriven_desktop.store import contact_service, search_walk
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.search_walk import (
    TermShare,
    most_budget,
    narrows,
    narrows_at_start,
    plan_walk,
)
from tests.store.search_oracle import plain_search_ids
from tests.synthetic import populate

SCOPES = (ContactFilter(owner_id=1), ContactFilter())
#: Searches of several terms, one rarer than the others, and of one.
SEARCHES = ("anna 4", "+49 170 00", "globex 1", "mü 0", "a e", "müller", "4 smith")


def test_the_budget_grows_with_the_hits_a_set_would_read() -> None:
    small = plan_walk(0.1, 100_000, [], floor=800)
    large = plan_walk(0.1, 1_000_000, [], floor=800)
    assert small.budget == 800  # the floor: 10,000 hits cost less than 800 tests
    assert large.budget > 1000
    assert plan_walk(0.2, 1_000_000, [], floor=800).budget > large.budget
    assert large.first is None


def test_the_rarest_term_is_tested_first_and_makes_each_test_cheaper() -> None:
    terms = [TermShare("4", 0.9), TermShare("anna", 0.09), TermShare("+49", 0.7)]
    walk = plan_walk(0.06, 1_000_000, terms, floor=0)
    assert walk.first == "anna"
    common = plan_walk(0.06, 1_000_000, [TermShare("4", 0.9), TermShare("x", 0.8)], floor=0)
    assert walk.budget > common.budget * 1.5  # three terms' set, and cheaper tests


def test_a_walk_first_tests_enough_contacts_to_meet_a_few_hits_and_no_more() -> None:
    dense = plan_walk(0.7, 1_000_000, [], floor=800)
    sparse = plan_walk(0.06, 1_000_000, [], floor=800)
    assert dense.first_step * 0.7 >= search_walk.FIRST_HITS
    assert dense.first_step < 64  # a page of 64 needs fewer than 100 contacts
    assert sparse.first_step > 5 * dense.first_step
    assert sparse.first_step <= sparse.budget // 8  # never most of its budget


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(Path(tmp_path_factory.mktemp("walk-plan")) / "mirror.sqlite3")
    populate(db, contacts=600, activities_per_contact=0, owned_share=0.7, seed=21)
    # First in My-500 order: numbers holding "004" inside, none of whose words starts "00".
    conn = db.reader()
    conn.execute(
        "UPDATE contacts SET phone = '+49 170 1004123', added_to_campaign = 1"
        " WHERE rowid BETWEEN 5 AND 9"
    )
    conn.commit()
    yield db
    db.close()


@pytest.mark.parametrize("scope", SCOPES, ids=["my-500", "all"])
@pytest.mark.parametrize("search", SEARCHES)
@pytest.mark.parametrize("walk", ["far", "short"])
def test_a_walked_page_is_the_plain_querys(
    mirror: Database,
    monkeypatch: pytest.MonkeyPatch,
    scope: ContactFilter,
    search: str,
    walk: str,
) -> None:
    """Walked as far as needed (a set of hits made to look dear) or giving up early (a
    budget of a few contacts), every page is the plain query's, at any offset."""
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 3)
    if walk == "far":
        monkeypatch.setattr(search_walk, "HIT_MICROSECONDS", 1000.0)
    else:
        monkeypatch.setattr(contact_service, "WALK_BUDGET", 0)
        monkeypatch.setattr(contact_service, "FIRST_PROBES", 4)
        monkeypatch.setattr(search_walk, "HIT_MICROSECONDS", 0.0)
        monkeypatch.setattr(ContactService, "_walk_pays", lambda *_args: True)
    contact_filter = replace(scope, search=search)
    expected = plain_search_ids(mirror, contact_filter)
    assert len(expected) > 3, search
    statements: list[str] = []
    service = ContactService(mirror)
    mirror.reader().set_trace_callback(statements.append)
    try:
        pages = [[row.id for row in service.window(contact_filter, at, 15)] for at in (0, 15, 30)]
    finally:
        mirror.reader().set_trace_callback(None)
    assert pages == [expected[0:15], expected[15:30], expected[30:45]]
    walked = any("f.rowid = c.rowid" in sql for sql in statements)
    rarest_first = any("CASE WHEN EXISTS" in sql for sql in statements)
    assert walked
    assert rarest_first == (len(search.split()) > 1)


@pytest.mark.parametrize(
    ("search", "earlier", "expected"),
    [
        ("müll", "mül", True),
        ("MÜLLER", "mül", True),
        ("anna.4", "anna", True),
        ("4 anna", "anna", True),
        ("+49 170 00", "+49 170", True),
        ("00", "0", True),
        ("0042", "004", True),
        ("mül", "mü", False),  # "mül" is also sought inside emails and phones
        ("004", "00", False),
        ("+49 170 0001", "+49 170 00", False),
        ("anna", "anna 4", False),
        ("anne", "anna", False),
        ("ǡbcd", "ǡbc", False),  # a folding not known here
        ("anna", "", False),
    ],
)
def test_a_search_typed_further_narrows_the_one_before(
    search: str, earlier: str, expected: bool
) -> None:
    assert narrows(search, earlier) is expected


TYPED = (
    ("0", "00", "004", "0042"),
    ("a", "an", "ann", "anna", "anna.", "anna.4"),
    ("+49", "+49 170", "+49 170 00", "+49 170 0001"),
    ("m", "mü", "mül", "müll", "müller"),
)


@pytest.mark.parametrize("scope", SCOPES, ids=["my-500", "all"])
@pytest.mark.parametrize("typed", TYPED, ids=[keys[-1] for keys in TYPED])
def test_typing_further_passes_over_known_misses_and_finds_the_plain_querys_page(
    mirror: Database, monkeypatch: pytest.MonkeyPatch, scope: ContactFilter, typed: tuple[str, ...]
) -> None:
    """Each keystroke's page, walked after the one before (its misses passed over where it
    narrows), is the plain query's page."""
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 3)
    monkeypatch.setattr(search_walk, "HIT_MICROSECONDS", 1000.0)  # always walk
    service = ContactService(mirror)
    walked: list[bool] = []
    passed_over: list[bool] = []
    inside_only: list[bool] = []
    for search in typed:
        contact_filter = replace(scope, search=search)
        statements: list[str] = []
        mirror.reader().set_trace_callback(statements.append)
        try:
            page = [row.id for row in service.window(contact_filter, 0, 15)]
        finally:
            mirror.reader().set_trace_callback(None)
        assert page == plain_search_ids(mirror, contact_filter)[:15], search
        walked.append(any("f.rowid = c.rowid" in sql for sql in statements))
        passed_over.append(any("THEN -1" in sql for sql in statements))
        inside_only.append(any(")) THEN EXISTS" in sql for sql in statements))
    expected = [False] + [
        walked[at - 1] and walked[at] and narrows(typed[at], typed[at - 1])
        for at in range(1, len(typed))
    ]
    assert passed_over == expected
    assert any(passed_over)
    expected_inside = [False] + [
        walked[at - 1] and walked[at] and narrows_at_start(typed[at], typed[at - 1])
        for at in range(1, len(typed))
    ]
    assert inside_only == expected_inside


@pytest.mark.parametrize(
    ("search", "earlier", "expected"),
    [
        ("mül", "mü", True),
        ("004", "00", True),
        ("0042", "00", True),
        ("müll", "mül", False),  # narrows it: nothing left to test
        ("mül", "m ü", False),
        ("mül x", "mü", False),
        ("möl", "mü", False),
    ],
)
def test_a_term_typed_past_the_inside_search_length_is_tested_inside_only_where_known_missing(
    search: str, earlier: str, expected: bool
) -> None:
    assert narrows_at_start(search, earlier) is expected


@pytest.mark.parametrize("terms", [1, 2, 3])
@pytest.mark.parametrize("share", [0.001, 0.05, 0.3, 0.9])
def test_no_plan_budgets_more_than_the_most_budget(terms: int, share: float) -> None:
    most = most_budget(share, 1_000_000, terms, floor=800)
    for rarest in (0.0, 0.01, share, 1.0):
        shares = [TermShare(str(at), rarest if at == 0 else 1.0) for at in range(terms)]
        assert plan_walk(share, 1_000_000, shares if terms > 1 else [], floor=800).budget <= most


def test_a_search_too_sparse_to_walk_reads_no_terms_share(
    mirror: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 3)
    monkeypatch.setattr(contact_service, "WALK_BUDGET", 0)
    monkeypatch.setattr(search_walk, "HIT_MICROSECONDS", 0.0)
    statements: list[str] = []
    mirror.reader().set_trace_callback(statements.append)
    try:
        page = [row.id for row in ContactService(mirror).window(ContactFilter(search="a e"), 0, 15)]
    finally:
        mirror.reader().set_trace_callback(None)
    assert page == plain_search_ids(mirror, ContactFilter(search="a e"))[:15]
    hit_reads = [sql for sql in statements if "LIMIT 4)" in sql]
    assert len(hit_reads) == 1, hit_reads  # the search's own first hits, no term's
