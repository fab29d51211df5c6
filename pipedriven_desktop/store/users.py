"""``users``: Pipedrive's users, mirrored so a contact's owner id reads as a name.

The sync lists every user once per run and writes them here in the caller's
transaction. Users Pipedrive no longer lists are kept: contacts may still name them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from pipedriven_desktop.store.clock import to_text

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = ["UserEntry", "save_users"]

_UPSERT = (
    "INSERT INTO users (id, name, email, active, updated_at) VALUES (?, ?, ?, ?, ?)"
    " ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email,"
    " active = excluded.active, updated_at = excluded.updated_at"
)


class UserEntry(NamedTuple):
    """One Pipedrive user as the mirror keeps it."""

    id: int
    name: str
    email: str | None
    active: bool


def save_users(conn: Connection, users: Iterable[UserEntry], now: datetime) -> int:
    """Insert or refresh ``users``; returns how many were written."""
    stamp = to_text(now)
    rows = [(user.id, user.name, user.email, int(user.active), stamp) for user in users]
    if rows:
        conn.exec_driver_sql(_UPSERT, rows)
    return len(rows)
