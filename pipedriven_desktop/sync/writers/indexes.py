"""Indexes a first listing drops and builds once at its end (``EntityWriter.deferred_indexes``)."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

log = logging.getLogger(__name__)

#: SQLite's generic error code: a statement that no longer fits the schema, not storage.
_SQLITE_ERROR = 1


def drop_indexes(conn: Connection, indexes: Mapping[str, str]) -> None:
    """Drop ``indexes`` (name → statement), inside the caller's transaction."""
    for name in indexes:
        conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')


def restore_indexes(conn: Connection, indexes: Mapping[str, str]) -> None:
    """Build again the dropped ``indexes`` (name → ``CREATE INDEX`` statement)."""
    for name, sql in indexes.items():
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", (name,)
        ).first()
        if exists is not None:
            continue
        try:
            conn.exec_driver_sql(sql)
        except DBAPIError as exc:
            if _primary_code(exc) != _SQLITE_ERROR:
                raise  # a full disk, a lock, I/O: the page fails, the index stays owed
            # The schema moved on since the index was dropped; its own migration decides.
            log.warning("Could not build index %s again: %s", name, exc.orig)


def _primary_code(exc: DBAPIError) -> int | None:
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF
