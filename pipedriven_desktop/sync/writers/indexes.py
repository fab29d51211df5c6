"""Indexes (and triggers) a first listing drops and builds once at its end.

See ``EntityWriter.deferred_indexes``, ``search_index`` and ``filling_triggers``; all
are kept by name → ``CREATE`` statement with the listing's cursor.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError

from pipedriven_desktop.sync.writers.filling_triggers import is_filling, restore_filling_triggers
from pipedriven_desktop.sync.writers.search_index import drop_triggers, restore_search_triggers

log = logging.getLogger(__name__)

#: SQLite's generic error code: a statement that no longer fits the schema, not storage.
_SQLITE_ERROR = 1


def drop_indexes(conn: Connection, indexes: Mapping[str, str]) -> None:
    """Drop ``indexes`` (name → statement), inside the caller's transaction."""
    _begin(conn)
    drop_triggers(conn, {name: sql for name, sql in indexes.items() if _is_trigger(sql)})
    for name, sql in indexes.items():
        if not _is_trigger(sql):
            conn.exec_driver_sql(f'DROP INDEX IF EXISTS "{name}"')


def restore_indexes(conn: Connection, indexes: Mapping[str, str]) -> None:
    """Build again the dropped ``indexes`` (name → ``CREATE INDEX`` statement); triggers
    among them are created again and what they keep (a column, the search index) filled."""
    _begin(conn)
    for name, sql in indexes.items():
        if _is_trigger(sql):
            continue
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

    triggers = {name: sql for name, sql in indexes.items() if _is_trigger(sql)}
    filling = {name: sql for name, sql in triggers.items() if is_filling(sql)}
    if filling:
        restore_filling_triggers(conn, filling)
    search = {name: sql for name, sql in triggers.items() if name not in filling}
    if search:
        restore_search_triggers(conn, search)


def _begin(conn: Connection) -> None:
    """Open the transaction now if no write has: the driver runs DDL outside one, where
    a failure part-way would leave the schema half changed."""
    driver = conn.connection.driver_connection
    if driver is not None and not driver.in_transaction:
        conn.exec_driver_sql("BEGIN")


def _is_trigger(sql: str) -> bool:
    return sql.lstrip().upper().startswith("CREATE TRIGGER")


def _primary_code(exc: DBAPIError) -> int | None:
    code = getattr(exc.orig, "sqlite_errorcode", None)
    return None if code is None else int(code) & 0xFF


@contextmanager
def indexes_set_aside(conn: Connection, table: str, column: str) -> Iterator[None]:
    """Drop the indexes of ``table`` on ``column`` for the block, then build them again.

    For a statement that changes the column in most rows: one sorted build per index
    costs less than moving an entry in each of them for every row. All inside the
    caller's transaction, so a failure leaves the indexes as they were. Unique indexes
    stay: they keep the table's rules.
    """
    word = re.compile(rf"\b{re.escape(column)}\b")
    indexes = {
        str(name): str(sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
            " AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %'",
            (table,),
        )
        if word.search(str(sql))
    }
    _begin(conn)
    drop_indexes(conn, indexes)
    yield
    for sql in indexes.values():
        conn.exec_driver_sql(sql)
