"""The name index finds every pair the matcher would suggest, without comparing every pair."""

from __future__ import annotations

import pytest

from pipedriven_desktop.domain.org_index import NameIndex
from pipedriven_desktop.domain.orgnames import (
    OrgCandidate,
    compare,
    site_name,
    website_domain,
)
from tests.domain.org_matching_eval import load_pairs


@pytest.fixture(scope="module")
def organizations() -> list[OrgCandidate]:
    """Both sides of every labelled pair: duplicates, near misses and traps side by side."""
    return [side for pair in load_pairs() for side in (pair.left, pair.right)]


def site_names(org: OrgCandidate) -> frozenset[str]:
    site = website_domain(org.website)
    return frozenset(site_name(d) for d in (*org.email_domains, *([site] if site else [])))


def suggested(queries: list[OrgCandidate], everyone: list[OrgCandidate]) -> set[frozenset[str]]:
    return {
        frozenset((query.id, other.id))
        for query in queries
        for other in everyone
        if other.id != query.id and compare(query, other) is not None
    }


def found(pairs: list[tuple[str, str]]) -> set[frozenset[str]]:
    return {frozenset(pair) for pair in pairs}


def test_every_suggestion_by_names_is_among_the_plausible_pairs(
    organizations: list[OrgCandidate],
) -> None:
    bare = [OrgCandidate(org.id, org.name) for org in organizations]
    queries = bare[::80]
    wanted = suggested(queries, bare)
    assert len(wanted) >= 10  # the set has duplicates enough to make this meaningful
    index = NameIndex((org.id, org.name) for org in bare)
    assert wanted <= found(index.plausible_pairs(org.id for org in queries))


def test_with_evidence_the_stricter_search_still_finds_every_suggestion(
    organizations: list[OrgCandidate],
) -> None:
    queries = organizations[::80]
    wanted = suggested(queries, organizations)
    index = NameIndex((org.id, org.name) for org in organizations)
    evidence = {org.id: site_names(org) for org in organizations}
    strict = found(index.plausible_pairs((org.id for org in queries), evidence))
    assert wanted <= strict
    loose = found(index.plausible_pairs(org.id for org in queries))
    assert strict <= loose


def test_each_pair_once_and_never_with_itself() -> None:
    index = NameIndex([("a", "Acme Corp"), ("b", "ACME Corporation"), ("c", "Acme Inc")])
    pairs = index.plausible_pairs(["a", "b", "c"])
    assert sorted(frozenset(p) for p in pairs) == sorted(
        frozenset(p) for p in [("a", "b"), ("a", "c"), ("b", "c")]
    )
    assert len(pairs) == 3


def test_a_typo_in_the_first_word_and_a_join_are_found() -> None:
    index = NameIndex(
        [
            ("a", "Microsoft Corp"),
            ("b", "Micrsoft"),
            ("c", "Hewlett Packard"),
            ("d", "HewlettPackard"),
        ]
    )
    assert found(index.plausible_pairs(["b", "d"])) == {
        frozenset(("a", "b")),
        frozenset(("c", "d")),
    }


def test_unknown_and_empty_names_give_nothing() -> None:
    index = NameIndex([("a", ""), ("b", "Acme")])
    assert index.plausible_pairs(["a", "missing"]) == []


def test_when_every_name_asks_each_pair_is_scored_once_and_none_is_lost(
    organizations: list[OrgCandidate],
) -> None:
    """A first sync: every organization is new; the index scores each pair from one side."""
    everyone = organizations[:160]
    wanted = suggested(everyone, everyone)
    assert len(wanted) >= 20
    index = NameIndex((org.id, org.name) for org in everyone)
    evidence = {org.id: site_names(org) for org in everyone}
    all_ids = [org.id for org in everyone]
    assert wanted <= found(index.plausible_pairs(all_ids))
    assert wanted <= found(index.plausible_pairs(all_ids, evidence))
    pairs = index.plausible_pairs(all_ids)
    assert len(pairs) == len(found(pairs))  # each pair once
