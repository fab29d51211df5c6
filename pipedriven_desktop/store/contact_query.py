"""What the contact table asks for: filters, order and search, as SQL text.

Filtering and sorting happen in SQLite (indexes and FTS5), never in Python, so a
keystroke at 100,000 contacts costs milliseconds. Plain SQL with bound
parameters, not SQLAlchemy: the read path must not pay SQLAlchemy's import
before the window first paints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from pipedriven_desktop.domain.warmness import STALE_AFTER_DAYS, WarmnessBand
from pipedriven_desktop.store.clock import to_text

__all__ = ["STALE_AFTER_DAYS", "ContactFilter", "SortKey", "WarmnessBand"]

#: The FTS columns a search term looks in, as a word start; ``owner`` only scopes counts.
SEARCHED_COLUMNS = ("name", "email", "phone", "phone_digits", "org_name")
#: Also searched by terms of ``SUBSTRING_MIN`` characters or more: every suffix of the
#: phone's digits and of the email, so a term found at a suffix's start is found anywhere
#: inside the number or the address.
PARTS_COLUMN = "parts"
SUBSTRING_MIN = 3
#: What every token of ``parts`` starts with (see migration 0003).
PART_MARK = "\u0298"
#: The longest prefix the search index keeps ready (migration 0003: ``prefix = '1 2 3 4'``).
#: A query term up to this long is one entry of the index; a longer one is expanded over
#: every word it starts, again by every statement that uses it.
LONGEST_INDEXED_PREFIX = 4

_TOKEN = re.compile(r"\w+", re.UNICODE)


class SortKey(Enum):
    MY500 = "my500"
    NAME = "name"
    ORGANIZATION = "organization"
    WARMNESS = "warmness"
    LAST_CONTACTED = "last_contacted"
    EMAIL = "email"
    PHONE = "phone"
    CAMPAIGN = "campaign"


@dataclass(frozen=True)
class ContactFilter:
    """Everything that narrows or orders the contact list; hashable for the cache."""

    owner_id: int | None = None
    search: str = ""
    organization_id: str | None = None
    no_organization: bool = False
    band: WarmnessBand | None = None
    in_campaign: bool = False
    stale_only: bool = False
    sort: SortKey = SortKey.MY500
    descending: bool = False


#: The My-500 order over the contacts' columns: campaign first, coldest, longest since
#: last contact (never contacted first: SQLite sorts NULL lowest), newest. The models'
#: indexes are built from it (released migrations keep their own frozen copy).
MY500_ORDER_TERMS = (
    "added_to_campaign DESC",
    "warmness_score ASC",
    "last_contacted ASC",
    "created_at DESC",
)
#: The My-500 order as SQL; ``c.id`` last makes paging stable and is part of the index.
MY500_ORDER = ", ".join([*(f"c.{term}" for term in MY500_ORDER_TERMS), "c.id"])

_SORT_COLUMNS = {
    SortKey.NAME: "c.name COLLATE NOCASE",
    # The contact's copy of its organization's name (migration 0009), which an index holds.
    SortKey.ORGANIZATION: "c.organization_name COLLATE NOCASE",
    SortKey.WARMNESS: "c.warmness_score",
    SortKey.LAST_CONTACTED: "c.last_contacted",
    SortKey.EMAIL: "c.email COLLATE NOCASE",
    SortKey.PHONE: "c.phone",
    SortKey.CAMPAIGN: "c.added_to_campaign",
}


def sort_column(key: SortKey) -> str:
    """The SQL expression a header sort orders by (not for ``SortKey.MY500``)."""
    return _SORT_COLUMNS[key]


def fts_query(
    search: str,
    owner_id: int | None = None,
    *,
    words: Mapping[str, Sequence[str]] | None = None,
    inside_only: bool = False,
) -> str | None:
    """Turn what the user typed into a safe FTS5 query (None: match all).

    Every word must match the start of some word in name, email, phone or
    organization; a word of ``SUBSTRING_MIN`` characters or more may also match
    anywhere inside the phone's digits or the email address. Quotes and operators
    typed by the user are never interpreted. With ``owner_id`` the owner's token is
    required too, so the FTS index alone can count a search within My-500.

    ``words``: for a prefix of the query (as ``long_prefixes`` names it), every word of
    the index that starts with it; the prefix is then spelled as those words, which
    matches the same contacts (see ``store.search_words``). ``inside_only``: a term of
    ``SUBSTRING_MIN`` characters or more is sought inside phones and emails alone, for
    contacts already known to have no word starting with it.
    """
    tokens = _TOKEN.findall(search)
    if not tokens:
        return None
    starts = f"{{{' '.join(SEARCHED_COLUMNS)}}}"
    known = words or {}

    def spelled(columns: str, prefix: str) -> str | None:
        """The prefix in ``columns``; None when no word of the index starts with it."""
        found = known.get(prefix)
        if found is None:
            return f'{columns} : "{prefix}"*'
        if not found:
            return None
        quoted = " OR ".join('"' + word.replace('"', '""') + '"' for word in found)
        return f"{columns} : ({quoted})"

    def term(token: str) -> str:
        at_start = spelled(starts, token)
        if len(token) < SUBSTRING_MIN:
            return at_start or f'{starts} : "{token}"*'
        inside = spelled(PARTS_COLUMN, f"{PART_MARK}{token}")
        if inside_only:
            return inside or f'{PARTS_COLUMN} : "{PART_MARK}{token}"*'
        if at_start is None or inside is None:
            # A prefix no word starts with matches nothing: as cheap to ask plainly.
            return at_start or inside or f'{starts} : "{token}"*'
        return f"({at_start} OR {inside})"

    query = " AND ".join(term(token) for token in tokens)
    if owner_id is not None:
        query += f' AND owner : "owner{int(owner_id)}"'
    return query


def search_terms(search: str) -> list[str]:
    """The terms of what the user typed, as ``fts_query`` reads them (each must match)."""
    return _TOKEN.findall(search)


def long_prefixes(search: str) -> list[str]:
    """The prefixes ``fts_query(search)`` asks for that are longer than the search
    index's prefixes (each a term, or ``PART_MARK`` and a term), as the query spells them."""
    found: list[str] = []
    for token in _TOKEN.findall(search):
        prefixes = [token, f"{PART_MARK}{token}"] if len(token) >= SUBSTRING_MIN else [token]
        for prefix in prefixes:
            if len(prefix) > LONGEST_INDEXED_PREFIX and prefix not in found:
                found.append(prefix)
    return found


def fts_terms_indexed(search: str, words: Mapping[str, Sequence[str]] | None = None) -> bool:
    """Whether every term of ``fts_query(search, words=words)`` is read from a prefix
    index or spelled as whole words.

    Then testing one contact against the search (``rowid = ? AND MATCH``) is a seek. A
    longer term makes each such test expand it over the whole index, a millisecond or
    more apiece at 100,000 contacts, so its hits are better read once.
    """
    known = words or {}
    return all(prefix in known for prefix in long_prefixes(search))


def order_sql(contact_filter: ContactFilter) -> str:
    """ORDER BY body over ``c`` (contacts) and ``o`` (organizations)."""
    if contact_filter.sort is SortKey.MY500:
        return MY500_ORDER
    direction = "DESC" if contact_filter.descending else "ASC"
    return f"{_SORT_COLUMNS[contact_filter.sort]} {direction}, {MY500_ORDER}"


def where_sql(
    contact_filter: ContactFilter,
    now: datetime,
    *,
    scan_in_order: bool = False,
    hit_rowids: str | None = None,
    match: str | None = None,
) -> tuple[str, list[object]]:
    """WHERE body over ``c`` (contacts) and its bound parameters; "1" matches all.

    ``scan_in_order`` tells SQLite to walk the contacts in index order and test each
    against the search hits, instead of fetching every hit and sorting them: far
    cheaper when a search matches thousands of contacts and only a page is wanted.
    ``hit_rowids``: every hit of the search already read, as a JSON array of rowids; the
    search is then looked up by rowid instead of asking the search index again.
    ``match``: the search's FTS5 query as already spelled (see ``store.search_words``),
    in place of ``fts_query(contact_filter.search)``.
    """
    conditions: list[str] = []
    params: list[object] = []
    if contact_filter.owner_id is not None:
        conditions.append("c.owner_id = ?")
        params.append(contact_filter.owner_id)
    if contact_filter.no_organization:
        conditions.append("c.organization_id IS NULL")
    elif contact_filter.organization_id is not None:
        conditions.append("c.organization_id = ?")
        params.append(contact_filter.organization_id)
    if contact_filter.band is not None:
        conditions.append("c.warmness_score BETWEEN ? AND ?")
        params.extend((contact_filter.band.low, contact_filter.band.high))
    if contact_filter.in_campaign:
        conditions.append("c.added_to_campaign = 1")
    if contact_filter.stale_only:
        conditions.append("(c.last_contacted IS NULL OR c.last_contacted < ?)")
        params.append(to_text(now - timedelta(days=STALE_AFTER_DAYS)))
    if match is None:
        match = fts_query(contact_filter.search)
    if match is not None and hit_rowids is not None:
        conditions.append("c.rowid IN (SELECT value FROM json_each(?))")
        params.append(hit_rowids)
    elif match is not None:
        rowid = "+c.rowid" if scan_in_order else "c.rowid"
        conditions.append(f"{rowid} IN (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)")
        params.append(match)
    return (" AND ".join(conditions) or "1"), params


def only_searches(contact_filter: ContactFilter) -> bool:
    """True when search and owner are the filter's only conditions.

    Then the FTS index alone (with the owner's token) can count the result.
    """
    return contact_filter == ContactFilter(
        owner_id=contact_filter.owner_id,
        search=contact_filter.search,
        sort=contact_filter.sort,
        descending=contact_filter.descending,
    )


#: The indexes holding an order (all contacts, one owner's): My-500's, and the name and
#: organization header sorts' (migration 0009).
_ORDER_INDEXES = {
    SortKey.MY500: ("ix_contacts_all_order", "ix_contacts_my500"),
    SortKey.NAME: ("ix_contacts_name_nocase", "ix_contacts_owner_id_name_nocase"),
    SortKey.ORGANIZATION: (
        "ix_contacts_organization_name_nocase",
        "ix_contacts_owner_id_organization_name_nocase",
    ),
}
#: Every index a read of the contact list pins: kept current through a first listing,
#: whose pages the window reads on its thread while it runs.
ORDER_INDEX_NAMES: frozenset[str] = frozenset(
    name for names in _ORDER_INDEXES.values() for name in names
)


def ordered_contacts(contact_filter: ContactFilter, *, narrow_search: bool = False) -> str:
    """``contacts c``, pinned to the order's index when one serves the query.

    A page in My-500 (or name, or organization) order walks the index and stops after a
    page; left to its statistics the planner may pick another index (owner and
    organization) and sort the whole scope.
    An organization's few contacts are still found by their own index; a narrow search's
    few hits (``narrow_search``) are looked up by rowid and sorted, never by an index walk.
    """
    if narrow_search:
        return "contacts c NOT INDEXED"
    indexes = _ORDER_INDEXES.get(contact_filter.sort)
    if (
        indexes is None
        or contact_filter.organization_id is not None
        or contact_filter.no_organization
    ):
        return "contacts c"
    index = indexes[0] if contact_filter.owner_id is None else indexes[1]
    return f"contacts c INDEXED BY {index}"


def joins_organization(contact_filter: ContactFilter) -> bool:
    """Whether the order needs the organization joined: no longer (the organization
    order reads the contact's copy of the name, migration 0009)."""
    return False
