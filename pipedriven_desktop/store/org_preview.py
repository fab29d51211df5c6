"""The sidebar's first screenful: the largest organizations, read by index, not by a pass
over every contact.

The sidebar's full list groups every contact in scope by organization, a pass that grows
with the mirror; it runs off the UI thread. Until it comes back, the organizations most
likely to head the list are shown: the largest by their stored contact count (an index
walk of a screenful), with the counts of the scope's contacts in just those.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace

from pipedriven_desktop.store.clock import parse_text
from pipedriven_desktop.store.rows import OrganizationRow

__all__ = ["largest_organizations", "narrowed"]

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
