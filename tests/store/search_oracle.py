"""The plain search query the faster search paths are checked against."""

from __future__ import annotations

from pipedriven_desktop.store.contact_query import MY500_ORDER, ContactFilter, fts_query
from pipedriven_desktop.store.database import Database


def plain_search_ids(db: Database, contact_filter: ContactFilter) -> list[str]:
    """Every contact ``contact_filter``'s search matches, in My-500 order, read the plain
    way: the search index's hits, filtered by owner and sorted."""
    owner = "" if contact_filter.owner_id is None else "c.owner_id = ? AND "
    params: list[object] = [] if contact_filter.owner_id is None else [contact_filter.owner_id]
    found = db.reader().execute(
        f"SELECT c.id FROM contacts c WHERE {owner}c.rowid IN"
        " (SELECT rowid FROM contacts_fts WHERE contacts_fts MATCH ?)"
        f" ORDER BY {MY500_ORDER}",
        (*params, fts_query(contact_filter.search)),
    )
    return [row[0] for row in found]
