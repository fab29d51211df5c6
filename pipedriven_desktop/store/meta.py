"""``app_meta``: small facts about the mirror, read and written in one place.

Works on a SQLAlchemy ``Connection`` (the sync, inside its page transactions) and on
a plain ``sqlite3`` connection (the read path, which paints before SQLAlchemy is
imported), so this module imports no SQLAlchemy itself.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = [
    "LEAD_STATUS_FIELD_KEY",
    "MAPPING_KEY",
    "OWNER_KEY",
    "SCORES_DAY_KEY",
    "SUGGESTIONS_QUEUE_KEY",
    "get_meta",
    "set_meta",
]

#: The signed-in Pipedrive user's id: whose contacts My-500 lists.
OWNER_KEY = "owner_id"
#: The persons' custom field that holds the lead status, if any.
LEAD_STATUS_FIELD_KEY = "lead_status_field"
#: The record-to-row mapping the mirror's rows were written with.
MAPPING_KEY = "sync_mapping"
#: The day the scores were last recomputed for everyone (time alone moves them).
SCORES_DAY_KEY = "scores_day"
#: Organizations waiting for their duplicate suggestions.
SUGGESTIONS_QUEUE_KEY = "orgs_pending_suggestions"

_GET = "SELECT value FROM app_meta WHERE key = ?"
_SET = (
    "INSERT INTO app_meta (key, value) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_DELETE = "DELETE FROM app_meta WHERE key = ?"


def get_meta(conn: Connection | sqlite3.Connection, key: str) -> str | None:
    """The value stored under ``key``, or None."""
    row = _execute(conn, _GET, (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(conn: Connection | sqlite3.Connection, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` in the caller's transaction; None removes the key."""
    if value is None:
        _execute(conn, _DELETE, (key,))
    else:
        _execute(conn, _SET, (key, value))


def _execute(conn: Connection | sqlite3.Connection, sql: str, params: tuple[str, ...]) -> Any:
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, params)
    return conn.exec_driver_sql(sql, params)
