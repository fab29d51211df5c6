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

__all__ = ["get_meta", "set_meta"]

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
