"""The sidebar's reads that keep the UI thread's work and memory flat as the mirror grows.

The first screenful: the largest organizations, read by index, not by a pass over every
contact.

The sidebar's full list groups every contact in scope by organization, a pass that grows
with the mirror; it runs off the UI thread. Until it comes back, the organizations most
likely to head the list are shown: the largest by their stored contact count (an index
walk of a screenful), with the counts of the scope's contacts in just those. The full list
comes back compact (``GroupedCounts``), and names are read for the rows in view.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from dataclasses import dataclass, replace

from pipedriven_desktop.store.clock import parse_text
from pipedriven_desktop.store.rows import OrganizationRow

__all__ = [
    "GroupedCounts",
    "grouped_counts",
    "largest_organizations",
    "matching_rowids",
    "narrowed",
    "organization_names",
    "organization_rowid",
]

_LARGEST_SQL = """
    SELECT id, name, normalized_name, pipedrive_org_id, contact_count, last_activity
      FROM organizations ORDER BY contact_count DESC LIMIT ?
"""
# One seek per organization in the owner-and-organization index.
_OWNED_SQL = """
    SELECT page.value, (SELECT count(*) FROM contacts
                         WHERE owner_id = ? AND organization_id = page.value)
      FROM json_each(?) AS page
"""


def largest_organizations(
    conn: sqlite3.Connection, owner_id: int | None, limit: int
) -> tuple[OrganizationRow, ...]:
    """Up to ``limit`` of the largest organizations, largest first; with ``owner_id`` their
    counts are that owner's contacts and organizations without any are left out."""
    rows = [
        OrganizationRow(org_id, name, normalized or "", pipedrive_id, count, parse_text(last))
        for org_id, name, normalized, pipedrive_id, count, last in conn.execute(
            _LARGEST_SQL, (limit,)
        )
    ]
    if owner_id is not None:
        owned = dict(
            conn.execute(_OWNED_SQL, (owner_id, json.dumps([row.id for row in rows]))).fetchall()
        )
        rows = [replace(row, contact_count=owned.get(row.id, 0)) for row in rows]
        rows = [row for row in rows if row.contact_count > 0]
    rows.sort(key=lambda row: (-row.contact_count, row.normalized_name))
    return tuple(rows)


def narrowed(
    organizations: tuple[OrganizationRow, ...], search: str
) -> tuple[OrganizationRow, ...]:
    """The organizations whose normalized name holds ``search`` (as the sidebar filters)."""
    if not search.strip():
        return organizations
    from pipedriven_desktop.domain.orgnames import normalize_org_name

    needle = normalize_org_name(search)
    return tuple(org for org in organizations if needle in org.normalized_name)


# -- the full list, compact ------------------------------------------------------------------

_GROUPED_SQL = """
    SELECT o.rowid, g.organization_id, g.n
      FROM (SELECT organization_id, count(*) AS n FROM contacts {where}
             GROUP BY organization_id) AS g
      LEFT JOIN organizations o ON o.id = g.organization_id
     ORDER BY g.n DESC, o.normalized_name
"""
_NAMES_SQL = """
    SELECT rowid, id, name FROM organizations WHERE rowid IN (SELECT value FROM json_each(?))
"""
_MATCHING_SQL = "SELECT rowid FROM organizations WHERE normalized_name LIKE ? ESCAPE '\\'"
_ROWID_SQL = "SELECT rowid FROM organizations WHERE id = ?"


@dataclass(frozen=True)
class GroupedCounts:
    """The sidebar's full list as two arrays: organization rowids, largest first, and their
    counts in scope. At 200,000 organizations that is a few megabytes, where a row object
    per organization took 170 MiB; names are read for the rows shown."""

    all_count: int
    no_organization: int
    rowids: array[int]
    counts: array[int]


def grouped_counts(conn: sqlite3.Connection, owner_id: int | None) -> GroupedCounts:
    """Contacts in scope per organization (one grouped pass), as ``GroupedCounts``."""
    where, params = ("WHERE owner_id = ?", (owner_id,)) if owner_id is not None else ("", ())
    rowids: array[int] = array("q")
    counts: array[int] = array("q")
    total = no_org = 0
    for rowid, org_id, count in conn.execute(_GROUPED_SQL.format(where=where), params):
        total += count
        if org_id is None:
            no_org = count
        elif rowid is not None:
            rowids.append(rowid)
            counts.append(count)
    return GroupedCounts(total, no_org, rowids, counts)


def organization_names(conn: sqlite3.Connection, rowids: list[int]) -> dict[int, tuple[str, str]]:
    """(id, name) of each organization by rowid."""
    found = conn.execute(_NAMES_SQL, (json.dumps(rowids),))
    return {rowid: (org_id, name) for rowid, org_id, name in found}


def matching_rowids(conn: sqlite3.Connection, search: str) -> set[int]:
    """Rowids of the organizations whose normalized name holds ``search``."""
    from pipedriven_desktop.domain.orgnames import normalize_org_name

    needle = normalize_org_name(search).replace("\\", "\\\\")
    needle = needle.replace("%", "\\%").replace("_", "\\_")
    return {rowid for (rowid,) in conn.execute(_MATCHING_SQL, (f"%{needle}%",))}


def organization_rowid(conn: sqlite3.Connection, org_id: str) -> int | None:
    found = conn.execute(_ROWID_SQL, (org_id,)).fetchone()
    return None if found is None else int(found[0])
