"""A broad search walks when its page is expected for less than its set of hits would cost
(not only within half of that), or well within a floor budget above that cost; the page
is the plain query's either way."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from pipedriven_desktop.store import contact_service, search_walk
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.search_walk import plan_walk, walk_allowance
from tests.store.search_oracle import plain_search_ids
from tests.synthetic import populate

PAGE = 15
SCOPES = (ContactFilter(owner_id=1), ContactFilter())


def test_the_whole_set_cost_is_allowed_and_half_of_a_floor_above_it() -> None:
    assert walk_allowance(budget=1500, set_cost=1500) == 1500
    assert walk_allowance(budget=800, set_cost=300) == 400
    assert walk_allowance(budget=800, set_cost=700) == 700
    # plan_walk's budgets with and without the floor, as the service asks for them
    share, contacts = 0.04, 1_000_000
    floored = plan_walk(share, contacts, [], floor=800).budget
    alone = plan_walk(share, contacts, [], floor=0).budget
    assert floored == 800 > alone
    assert walk_allowance(floored, alone) == alone


@pytest.fixture(scope="module")
def mirror(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    db = open_database(Path(tmp_path_factory.mktemp("walk-allowance")) / "mirror.sqlite3")
    populate(db, contacts=600, activities_per_contact=0, owned_share=0.7, seed=23)
    yield db
    db.close()


def _expected_tests(service: ContactService, db: Database, search: str) -> float:
    """The contacts the walk expects to test for the page, from the search's first hits."""
    hits = service._first_hits(db.reader(), search)
    assert hits is not None
    assert not hits.complete
    return PAGE * hits.last / hits.count


def _set_cost_in_tests(service: ContactService, db: Database, search: str) -> int:
    hits = service._first_hits(db.reader(), search)
    assert hits is not None
    return service._walk_plan(db.reader(), search, hits, floor=0).budget


@pytest.mark.parametrize("scope", SCOPES, ids=["my-500", "all"])
@pytest.mark.parametrize("search", ["anna", "a e", "müller"])
@pytest.mark.parametrize("set_over_walk", [1.3, 0.7])
def test_a_walk_expected_for_less_than_the_set_is_chosen_and_finds_the_plain_page(
    mirror: Database,
    monkeypatch: pytest.MonkeyPatch,
    scope: ContactFilter,
    search: str,
    set_over_walk: float,
) -> None:
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 3)
    monkeypatch.setattr(contact_service, "WALK_BUDGET", 0)  # the set's cost alone decides
    probe = ContactService(mirror)
    expected_tests = _expected_tests(probe, mirror, search)
    # Price a hit so that the set costs ``set_over_walk`` times the walk's expected tests.
    monkeypatch.setattr(search_walk, "HIT_MICROSECONDS", 1000.0)
    at_a_thousand = _set_cost_in_tests(probe, mirror, search)
    monkeypatch.setattr(
        search_walk, "HIT_MICROSECONDS", 1000.0 * set_over_walk * expected_tests / at_a_thousand
    )
    contact_filter = replace(scope, search=search)
    service = ContactService(mirror)
    statements: list[str] = []
    mirror.reader().set_trace_callback(statements.append)
    try:
        page = [row.id for row in service.window(contact_filter, 0, PAGE)]
    finally:
        mirror.reader().set_trace_callback(None)
    assert page == plain_search_ids(mirror, contact_filter)[:PAGE]
    walked = any("f.rowid = c.rowid" in sql for sql in statements)
    # 1.3: more than half the set's cost, which was once too much for a walk
    assert walked is (set_over_walk > 1)
