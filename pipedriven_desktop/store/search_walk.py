"""How far a broad search may walk the order's index, and which term it tests first.

A broad search's page is found either by walking the order's index and testing each
contact against the search index (a seek per term, 20–25 µs at 1,000,000 contacts), or
by reading every hit into a set and walking the order against it (0.3–0.45 µs per hit,
more with several terms). The walk pays while it tests fewer contacts than the set has
hits times the ratio of those costs: at 1,000,000 contacts a search matching one contact
in nine walks some 600 contacts (15 ms) instead of reading 110,000 hits (40 ms); at
100,000 the set is ten times smaller and the fixed budget of the walk decides, as before.

With several terms each contact is tested against the rarest term first and against the
others only when it matches that one, so most contacts cost one seek.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["HIT_MICROSECONDS", "TEST_MICROSECONDS", "TermShare", "Walk", "plan_walk"]

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
