"""Keyset paging: the rows after (or before) a given contact in a filter's order.

OFFSET makes SQLite step over every skipped row, so the last page of a million costs a
million steps. Here a page starts from the sort key of a row already shown and seeks
past it. Sort terms mix directions (the My-500 order is campaign DESC, warmness ASC,
...) and some hold NULLs, so one row-value comparison ``(k1, k2, id) > (?, ?, ?)`` cannot
say "after" for every order; the condition is spelled term by term instead:

    rows after v = k1..k(n-1) equal and kn after, then k1..k(n-2) equal and k(n-1) after, ...

Each of those is an *arm*: an equality prefix plus one range, which an index in the same
order answers with a seek and a short walk. When the order is an index's, arms run one by
one (deepest first) until the page is full; otherwise they are OR-ed into one condition
and SQLite keeps the top rows of one scan (no index to seek in anyway).

NULLs sort lowest in SQLite: first in ascending terms, last in descending ones. Reversing
every term's direction gives exactly the reverse order, so "before" is "after" reversed,
and the end of the list is the start of the reversed order.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from pipedriven_desktop.store.contact_query import (
    MY500_ORDER_TERMS,
    ContactFilter,
    SortKey,
    fts_query,
    ordered_contacts,
    sort_column,
    where_sql,
)

__all__ = [
    "SortTerm",
    "after_arms",
    "head_rowids",
    "order_by",
    "seek_rowids",
    "sort_terms",
    "starts_with_tie",
    "tail_rowids",
]


@dataclass(frozen=True)
class SortTerm:
    """One ORDER BY term: an SQL expression over ``c`` (and ``o``) and its direction."""

    expr: str
    descending: bool = False

    def reversed(self) -> SortTerm:
        return SortTerm(self.expr, not self.descending)

    def sql(self) -> str:
        return f"{self.expr} {'DESC' if self.descending else 'ASC'}"


def _my500_terms() -> tuple[SortTerm, ...]:
    terms = []
    for text in MY500_ORDER_TERMS:
        column, direction = text.rsplit(" ", 1)
        terms.append(SortTerm(f"c.{column}", direction.upper() == "DESC"))
    return (*terms, SortTerm("c.id"))


MY500_TERMS = _my500_terms()


def sort_terms(contact_filter: ContactFilter, *, reverse: bool = False) -> tuple[SortTerm, ...]:
    """The filter's order as terms, ``c.id`` last (the same order as ``order_sql``)."""
    terms = MY500_TERMS
    if contact_filter.sort is not SortKey.MY500:
        terms = (SortTerm(sort_column(contact_filter.sort), contact_filter.descending), *terms)
    return tuple(term.reversed() for term in terms) if reverse else terms


def order_by(terms: Sequence[SortTerm]) -> str:
    return ", ".join(term.sql() for term in terms)


def after_arms(
    terms: Sequence[SortTerm], values: Sequence[object]
) -> list[tuple[str, list[object]]]:
    """The conditions for "strictly after ``values``" in ``terms``' order, as disjoint arms
    in the order their rows come (each: SQL text and its parameters)."""
    arms: list[tuple[str, list[object]]] = []
    for depth in range(len(terms) - 1, -1, -1):
        prefix = [f"{term.expr} IS ?" for term in terms[:depth]]
        prefix_params = list(values[:depth])
        term, value = terms[depth], values[depth]
        beyond: list[tuple[str, list[object]]]
        if term.descending:
            # lower values, then the NULLs at the very end; nothing comes after a NULL
            beyond = [] if value is None else [(f"{term.expr} < ?", [value])]
            if value is not None:
                beyond.append((f"{term.expr} IS NULL", []))
        elif value is None:
            beyond = [(f"{term.expr} IS NOT NULL", [])]
        else:
            beyond = [(f"{term.expr} > ?", [value])]
        for condition, params in beyond:
            arms.append((" AND ".join([*prefix, condition]), [*prefix_params, *params]))
    return arms


def sort_values(
    conn: sqlite3.Connection, contact_filter: ContactFilter, contact_id: str
) -> tuple[object, ...] | None:
    """The contact's current values of the order's terms; None when it is gone."""
    terms = sort_terms(contact_filter)
    found = conn.execute(
        f"SELECT {', '.join(term.expr for term in terms)} FROM contacts c WHERE c.id = ?",
        (contact_id,),
    ).fetchone()
    return None if found is None else tuple(found)


@dataclass(frozen=True)
class _Source:
    """Where the ordered rowids come from, and whether an index walks them in order."""

    table: str
    where: str
    params: list[object]
    index_walk: bool


def _source(contact_filter: ContactFilter, now: datetime, *, broad: bool, narrow: bool) -> _Source:
    where, params = where_sql(contact_filter, now, scan_in_order=broad)
    table = ordered_contacts(contact_filter, narrow_search=narrow)
    return _Source(table, where, params, index_walk="INDEXED BY" in table)


#: From this many contacts without a value in the sorted column, that tie is walked in the
#: My-500 index rather than read whole and sorted (see ``_tie_table``).
TIE_WALK_MIN = 10_000


def _tie_table(
    conn: sqlite3.Connection, contact_filter: ContactFilter, source: _Source, *, narrow: bool
) -> str:
    """The table to read the contacts without a value in the sorted column from.

    They are one tie (those without an organization: about 15% of a mirror), which the
    sort's index, holding that column alone, does not order: each page of it would read
    and sort the whole tie, seconds at 1,000,000 contacts. The rest of the order is
    My-500's, so a large tie is walked in the My-500 index instead; a small one (a walk
    would pass over the rest of the mirror to find it) is read through the sort's index.
    """
    first = sort_terms(contact_filter)[0].expr
    (size,) = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM {source.table} WHERE {source.where}"
        f" AND {first} IS NULL LIMIT {TIE_WALK_MIN})",
        source.params,
    ).fetchone()
    table = ordered_contacts(replace(contact_filter, sort=SortKey.MY500), narrow_search=narrow)
    return table if size >= TIE_WALK_MIN and "INDEXED BY" in table else source.table


def seek_rowids(
    conn: sqlite3.Connection,
    contact_filter: ContactFilter,
    now: datetime,
    contact_id: str,
    limit: int,
    *,
    backwards: bool = False,
    broad: bool = False,
) -> list[int] | None:
    """Rowids of up to ``limit`` contacts right after ``contact_id`` in the filter's order
    (right before it, nearest first, with ``backwards``); None when it is gone."""
    values = sort_values(conn, contact_filter, contact_id)
    if values is None:
        return None
    terms = sort_terms(contact_filter, reverse=backwards)
    narrow = bool(contact_filter.search) and fts_query(contact_filter.search) is not None
    source = _source(contact_filter, now, broad=broad, narrow=narrow and not broad)
    arms = after_arms(terms, values)
    order = order_by(terms)
    found: list[int] = []
    if source.index_walk:
        # In the tie of no value (a header sort's NULLs), the arms holding that NULL in
        # their prefix read the tie in the rest of the order (see ``_tie_table``).
        in_tie = 0
        tie = source.table
        if values[0] is None and contact_filter.sort is not SortKey.MY500:
            in_tie = len(arms) - len(after_arms(terms[:1], values[:1]))
            tie = _tie_table(conn, contact_filter, source, narrow=narrow and not broad)
        # Deepest arm first: each is a seek in the order's index, walked for the rows wanted.
        for number, (condition, params) in enumerate(arms):
            table, arm_order = (
                (tie, order_by(terms[1:])) if number < in_tie else (source.table, order)
            )
            found.extend(
                rowid
                for (rowid,) in conn.execute(
                    f"SELECT c.rowid FROM {table} WHERE {source.where} AND {condition}"
                    f" ORDER BY {arm_order} LIMIT ?",
                    (*source.params, *params, limit - len(found)),
                )
            )
            if len(found) >= limit:
                break
        return found
    condition = " OR ".join(f"({arm})" for arm, _ in arms) or "0"
    params = [param for _, arm_params in arms for param in arm_params]
    return [
        rowid
        for (rowid,) in conn.execute(
            f"SELECT c.rowid FROM {source.table} WHERE {source.where} AND ({condition})"
            f" ORDER BY {order} LIMIT ?",
            (*source.params, *params, limit),
        )
    ]


def tail_rowids(
    conn: sqlite3.Connection,
    contact_filter: ContactFilter,
    now: datetime,
    offset: int,
    limit: int,
    *,
    broad: bool = False,
) -> list[int]:
    """Rowids of ``limit`` contacts ``offset`` rows from the end, last first: the reversed
    order walked from its start, so the end of the list costs what its start does."""
    return _from_start(conn, contact_filter, now, offset, limit, reverse=True, broad=broad)


def head_rowids(
    conn: sqlite3.Connection,
    contact_filter: ContactFilter,
    now: datetime,
    offset: int,
    limit: int,
) -> list[int]:
    """Rowids of ``limit`` contacts ``offset`` rows from the start, for an order that
    begins with a large tie of no value (see ``starts_with_tie``)."""
    return _from_start(conn, contact_filter, now, offset, limit, reverse=False, broad=False)


def starts_with_tie(contact_filter: ContactFilter) -> bool:
    """Whether the order may begin with a tie of no value that ``head_rowids`` reads in
    the My-500 index: the organization order ascending (the contacts without one first,
    as NULL sorts first; a name is never NULL), walked in its index, without a search."""
    return (
        contact_filter.sort is SortKey.ORGANIZATION
        and not contact_filter.descending
        and not contact_filter.search
        and "INDEXED BY" in ordered_contacts(contact_filter)
    )


def _from_start(
    conn: sqlite3.Connection,
    contact_filter: ContactFilter,
    now: datetime,
    offset: int,
    limit: int,
    *,
    reverse: bool,
    broad: bool,
) -> list[int]:
    narrow = bool(contact_filter.search) and fts_query(contact_filter.search) is not None
    source = _source(contact_filter, now, broad=broad, narrow=narrow and not broad)
    terms = sort_terms(contact_filter, reverse=reverse)

    def rows(table: str, where: str, order: str, count: int, skip: int) -> list[int]:
        return [
            rowid
            for (rowid,) in conn.execute(
                f"SELECT c.rowid FROM {table} WHERE {where} ORDER BY {order} LIMIT ? OFFSET ?",
                (*source.params, count, skip),
            )
        ]

    if (
        not source.index_walk
        or contact_filter.sort is SortKey.MY500
        or terms[0].descending  # the tie of no value (NULL sorts first) comes last
    ):
        return rows(source.table, source.where, order_by(terms), limit, offset)
    # A header sort's order (or its reverse) starts with the tie of no value: read in the
    # rest of the order (see ``_tie_table``), then what follows it in the sort's index.
    first = terms[0].expr
    tie = _tie_table(conn, contact_filter, source, narrow=narrow and not broad)
    found = rows(tie, f"{source.where} AND {first} IS NULL", order_by(terms[1:]), limit, offset)
    if len(found) == limit:
        return found
    skipped = 0
    if not found:  # the tie ends before the offset: how much of the offset it holds
        (skipped,) = conn.execute(
            f"SELECT count(*) FROM {source.table} WHERE {source.where} AND {first} IS NULL",
            source.params,
        ).fetchone()
    rest = rows(
        source.table,
        f"{source.where} AND {first} IS NOT NULL",
        order_by(terms),
        limit - len(found),
        0 if found else max(0, offset - int(skipped)),
    )
    return found + rest
