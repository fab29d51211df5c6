"""Merged-away spellings in the contact search: "Acme Corporation" finds Acme Corp's people.

The search index (``contacts_fts``, migration 0003) holds each contact's organization
name, which its triggers copy from ``organizations.name``. A merge keeps every Pipedrive
spelling in ``organization_aliases``; here the spellings that add words to the name are
written beside it into the index, for the contacts of those organizations. The triggers
rewrite the name alone when a contact or the organization changes, so the spellings are
written again after every merge and undo and once per sync, after the persons.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from sqlalchemy import Connection

__all__ = ["refresh_alias_search"]

_WORDS = re.compile(r"\w+", re.UNICODE)

_ALIASES_SQL = (
    "SELECT o.id, o.name, a.name FROM organizations o"
    " LEFT JOIN organization_aliases a"
    " ON a.organization_id = o.id AND lower(a.name) <> lower(o.name)"
)
_SET_SQL = (
    "UPDATE contacts_fts SET org_name = ? WHERE rowid IN"
    " (SELECT rowid FROM contacts WHERE organization_id = ?) AND org_name IS NOT ?"
)


def _words(text: str) -> set[str]:
    return {word.casefold() for word in _WORDS.findall(text)}


def indexed_name(name: str, spellings: Collection[str]) -> str:
    """The name, then each spelling that has words the name (or an earlier one) lacks."""
    parts = [name]
    seen = _words(name)
    for spelling in sorted(spellings):
        words = _words(spelling)
        if not words <= seen:
            parts.append(spelling)
            seen |= words
    return " ".join(parts)


def refresh_alias_search(conn: Connection, org_ids: Collection[str] | None = None) -> int:
    """Write the merged-away spellings of ``org_ids`` (None: every organization that has
    any) into their contacts' search entries; returns how many organizations changed.

    Given ids are written even without such spellings, so an undone merge's words go.
    """
    if org_ids is None:
        sql = _ALIASES_SQL.replace("LEFT JOIN", "JOIN")
        params: tuple[str, ...] = ()
    else:
        ids = sorted(set(org_ids))
        if not ids:
            return 0
        sql = _ALIASES_SQL + f" WHERE o.id IN ({', '.join('?' * len(ids))})"
        params = tuple(ids)
    found: dict[str, tuple[str, list[str]]] = {}
    for org_id, name, spelling in conn.exec_driver_sql(sql, params):
        entry = found.setdefault(org_id, (name, []))
        if spelling:
            entry[1].append(spelling)
    changed = 0
    for org_id, (name, spellings) in found.items():
        text = indexed_name(name, spellings)
        if org_ids is None and text == name:
            continue
        changed += 1
        conn.exec_driver_sql(_SET_SQL, (text, org_id, text))
    return changed
