"""The organization store as the headless ``orgs`` command lists it: one grouped query.

Each organization with its details, its contacts (the user's and everyone's) and every
Pipedrive organization id merged into it, largest first.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from typing import Any

from pipedriven_desktop.store.clock import parse_text
from pipedriven_desktop.store.meta import OWNER_KEY, get_meta
from pipedriven_desktop.store.org_labels import industry_label, industry_labels

__all__ = ["ORG_LISTING_FIELDS", "organization_listing"]

ORG_LISTING_FIELDS = (
    "id",
    "name",
    "normalized_name",
    "pipedrive_org_id",
    "contact_count",
    "last_activity",
    "industry",
    "website",
    "city",
    "country",
    "contacts_mine",
    "contacts_all",
    "pipedrive_org_ids",
)

_SQL = """
SELECT o.id, o.name, o.normalized_name, o.pipedrive_org_id, o.contact_count, o.last_activity,
       o.industry, o.website, o.city, o.country,
       coalesce(c.mine, 0), coalesce(c.everyone, 0),
       (SELECT json_group_array(pipedrive_org_id) FROM
          (SELECT pipedrive_org_id FROM organization_aliases
            WHERE organization_id = o.id ORDER BY pipedrive_org_id))
  FROM organizations o
  LEFT JOIN (SELECT organization_id, count(*) AS everyone,
                    sum(owner_id IS NOT NULL AND owner_id = ?) AS mine
               FROM contacts WHERE organization_id IS NOT NULL GROUP BY organization_id) c
    ON c.organization_id = o.id
 ORDER BY o.contact_count DESC, o.name, o.id
"""


def organization_listing(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every organization as a record of ``ORG_LISTING_FIELDS``; "mine" is My-500's owner's."""
    owner = get_meta(conn, OWNER_KEY)
    owner_id = int(owner) if owner is not None and owner.lstrip("-").isdigit() else None
    labels = industry_labels(conn)
    for row in conn.execute(_SQL, (owner_id,)):
        record = dict(zip(ORG_LISTING_FIELDS, row, strict=True))
        record["industry"] = industry_label(record["industry"], labels)
        record["pipedrive_org_ids"] = json.loads(record["pipedrive_org_ids"])
        last = parse_text(record["last_activity"])
        record["last_activity"] = None if last is None else last.isoformat()
        yield record
