"""The contacts' search index during a first listing of persons: filled once, not row by row.

The search index (``contacts_fts``) is kept by triggers on ``contacts``, one FTS
insert per row written. A first listing into an empty ``contacts`` table drops those
triggers with its first transaction (their statements are kept with the listing's
cursor, as its dropped indexes are) and, with its last page, creates them again and
fills the index from the table in one statement. Tokenizing the same rows in one pass
costs less than per row, and the pages' commits no longer flush the index's pending
terms each time.

What the triggers keep is read from the schema as it stands (``sqlite_master``), so
the index is rebuilt by its own definition. Until the listing ends, search finds none
of the contacts it brought; a listing that stops part-way leaves the triggers owed to
the run that resumes it, like its indexes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import Connection

#: The table whose rows the search index holds.
_TABLE = "contacts"
#: ``CREATE TRIGGER <name> AFTER INSERT ON contacts BEGIN INSERT INTO <fts>(<columns>)
#: SELECT <values from new.*>; END``: the one trigger that says what a row's entry is.
INSERT_TRIGGER_FORM = re.compile(
    r"^CREATE TRIGGER \"?\w+\"? AFTER INSERT ON \"?contacts\"? BEGIN\s+"
    r"INSERT INTO (?P<fts>\w+)\s*\((?P<columns>[^)]*)\)\s*SELECT (?P<values>.*);\s*END$",
    re.DOTALL | re.IGNORECASE,
)
_NEW_ROW = re.compile(r"\bnew\.", re.IGNORECASE)


def search_triggers(conn: Connection) -> dict[str, str]:
    """Name → statement of the triggers on ``contacts`` that write an FTS table, if the
    insert trigger among them has the form ``rebuild_search_index`` can replay."""
    found = _live_triggers(conn)
    if not any(INSERT_TRIGGER_FORM.match(sql) for sql in found.values()):
        return {}  # a form this module does not know: keep the triggers working
    return found


def _live_triggers(conn: Connection) -> dict[str, str]:
    fts = _fts_tables(conn)
    return {
        str(name): str(sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (_TABLE,),
        )
        if sql and fts & _mentioned_tables(str(sql))
    }


def drop_triggers(conn: Connection, triggers: Mapping[str, str]) -> None:
    for name in triggers:
        conn.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')


def restore_search_triggers(conn: Connection, triggers: Mapping[str, str]) -> None:
    """Create the dropped ``triggers`` again and fill their index from ``contacts``.

    If triggers keep the index again already (a migration rebuilt it meanwhile, and
    filled it), they are left as they are, whatever their names: two sets would write
    each contact's entry twice.
    """
    if _live_triggers(conn):
        return
    for sql in triggers.values():
        conn.exec_driver_sql(sql)
    for sql in triggers.values():
        found = INSERT_TRIGGER_FORM.match(sql)
        if found is not None:
            rebuild_search_index(conn, found.group("fts"), found.group("columns"), found["values"])


def rebuild_search_index(conn: Connection, fts: str, columns: str, values: str) -> None:
    """Every contact's entry, as the insert trigger writes it, for all rows at once.

    Then merged into one segment (FTS5's ``optimize``): left as the build wrote it, the
    next few small writes would merge the new segments into it piecemeal, up to half a
    second each on 10,000 contacts.
    """
    conn.exec_driver_sql(f"DELETE FROM {fts}")
    select = _NEW_ROW.sub(f"{_TABLE}.", values)
    conn.exec_driver_sql(f"INSERT INTO {fts}({columns}) SELECT {select} FROM {_TABLE}")
    conn.exec_driver_sql(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")


def _fts_tables(conn: Connection) -> set[str]:
    return {
        str(row[0]).lower()
        for row in conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%USING fts5%'"
        )
    }


def _mentioned_tables(sql: str) -> set[str]:
    return {word.lower() for word in re.findall(r"\w+", sql)}
