"""How far a broad search may walk the order's index, and which term it tests first.

A broad search's page is found either by walking the order's index and testing each
contact against the search index (a seek per term, 20–25 µs at 1,000,000 contacts), or
by reading every hit into a set and walking the order against it (0.3–0.45 µs per hit,
more with several terms). The walk pays while it tests fewer contacts than the set has
hits times the ratio of those costs: at 1,000,000 contacts a search matching one contact
in nine walks some 600 contacts (15 ms) instead of reading 110,000 hits (40 ms); at
100,000 the set is ten times smaller and the fixed budget of the walk decides, as before.

With several terms each contact is tested against the rarest term first and against the
others only when it matches that one, so most contacts cost one seek. A search typed
further narrows the one before: the contacts its walk found not to match need no test.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pipedriven_desktop.store.contact_query import SUBSTRING_MIN, search_terms
from pipedriven_desktop.store.search_words import fold

__all__ = [
    "HIT_MICROSECONDS",
    "TEST_MICROSECONDS",
    "TermShare",
    "Walk",
    "most_budget",
    "narrows",
    "narrows_at_start",
    "plan_walk",
    "walk_allowance",
]

#: Testing one contact against one term of the search index, in microseconds (measured
#: 20–25 µs at 1,000,000 contacts, the index in one segment).
TEST_MICROSECONDS = 25.0
#: Reading one hit of one term into the set of hits (measured 0.3–0.45 µs).
HIT_MICROSECONDS = 0.4
#: Hits a walk expects to meet before it first judges its pace.
FIRST_HITS = 8


@dataclass(frozen=True)
class TermShare:
    """One term of a search (as typed) and the share of contacts it matches."""

    term: str
    share: float


@dataclass(frozen=True)
class Walk:
    """How a walk goes: the contacts it may test before giving way to the set of hits, the
    term tested first (None: the whole search at once), and how many contacts it tests
    before it first judges its pace: enough to meet a few hits, if the share is right."""

    budget: int
    first: str | None
    first_step: int


def most_budget(share: float, contacts: int, terms: int, floor: int) -> int:
    """The largest budget ``plan_walk`` can give a search of ``terms`` terms, whatever
    their shares: enough to rule a walk out before each term's share is read."""
    return max(floor, int(HIT_MICROSECONDS * share * contacts * max(1, terms) / TEST_MICROSECONDS))


def plan_walk(share: float, contacts: int, terms: list[TermShare], floor: int) -> Walk:
    """The walk for a search matching ``share`` of ``contacts`` contacts (estimated from its
    first hits), of ``terms`` (each with its own share); never a budget under ``floor``."""
    rarest = min(terms, key=lambda term: term.share) if len(terms) > 1 else None
    # Every term is a seek for a contact matching the first; the first alone otherwise.
    per_contact = TEST_MICROSECONDS * (
        1.0 if rarest is None else 1.0 + (len(terms) - 1) * rarest.share
    )
    hits_set = HIT_MICROSECONDS * share * contacts * max(1, len(terms))
    budget = max(floor, int(hits_set / per_contact))
    first_step = min(budget // 8, math.ceil(FIRST_HITS / share)) if share > 0 else budget // 8
    return Walk(budget, None if rarest is None else rarest.term, first_step)


def walk_allowance(budget: int, set_cost: int) -> float:
    """How many contacts a walk may be expected to test (from the first hits) and still be
    chosen, for a ``budget`` (``plan_walk``'s, with its floor) and what its set of hits
    would cost, in tests (``plan_walk`` with no floor).

    Up to the whole set's cost, walking is expected to cost less than reading the set
    (at 1,000,000 contacts ``004``: some 600 tests, 10 ms, against a set of 80,000 hits,
    30 ms). Where the floor lifts the budget above that (smaller mirrors), a walk must be
    expected within half of it: the estimate may be off, and a walk that runs out of budget
    pays for the set on top.
    """
    return max(budget / 2, float(set_cost))


def narrows(search: str, earlier: str) -> bool:
    """Whether every contact ``search`` matches is matched by ``earlier`` too.

    So it is when each term of ``earlier`` starts some term of ``search`` (as the index
    folds them) and looks inside phones and emails (``SUBSTRING_MIN``) only if that term
    does: ``müll`` narrows ``mül`` and ``anna.4`` narrows ``anna``, but ``004`` does not
    narrow ``00``, being found inside a number where ``00`` must start a word.
    """
    terms = [fold(term) for term in search_terms(search)]
    before = [fold(term) for term in search_terms(earlier)]
    if not before or any(term is None for term in (*terms, *before)):
        return False
    return all(
        any(
            term is not None
            and term.startswith(old)
            and (len(old) >= SUBSTRING_MIN or len(term) < SUBSTRING_MIN)
            for term in terms
        )
        for old in before
        if old is not None
    )


def narrows_at_start(search: str, earlier: str) -> bool:
    """Whether a contact ``earlier`` misses can match ``search`` only inside a phone or an
    email: one term each, the earlier too short to be sought there (``mü`` then ``mül``).
    A word starting with ``mül`` starts with ``mü``, so only the inside is left to test."""
    terms = [fold(term) for term in search_terms(search)]
    before = [fold(term) for term in search_terms(earlier)]
    if len(terms) != 1 or len(before) != 1 or terms[0] is None or before[0] is None:
        return False
    return terms[0].startswith(before[0]) and len(before[0]) < SUBSTRING_MIN <= len(terms[0])
