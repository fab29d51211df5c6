"""Triggers that fill a column of the row just inserted, set aside during a first listing.

``contacts_organization_name_insert`` (migration 0009) updates each contact it sees
inserted, to copy its organization's name: a second write of every row a first listing
of persons brings, in the order indexes on that name too. A first listing into an empty
table drops such triggers with its indexes and, with its last page, creates them again
and fills the column for every row in one statement, derived from the trigger's own
text (``sqlite_master``), so the column ends as the trigger would have left it. Until
then the rows the listing brought hold no value in that column.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlalchemy import Connection

#: ``CREATE TRIGGER <name> AFTER INSERT ON <t> [WHEN <cond>] BEGIN UPDATE <t> SET
#: <assignments> WHERE rowid = new.rowid; END``: a trigger that fills the new row alone.
FILLING_FORM = re.compile(
    r"^CREATE TRIGGER \"?(?P<name>\w+)\"? AFTER INSERT ON \"?(?P<table>\w+)\"?\s+"
    r"(?:WHEN (?P<when>.+?)\s+)?BEGIN\s+UPDATE \"?(?P=table)\"? SET (?P<sets>.+?)\s+"
    r"WHERE rowid = new\.rowid;\s*END$",
    re.DOTALL | re.IGNORECASE,
)
_NEW_ROW = re.compile(r"\bnew\.", re.IGNORECASE)


def filling_triggers(conn: Connection, table: str) -> dict[str, str]:
    """Name → statement of the triggers on ``table`` of the ``FILLING_FORM``."""
    return {
        str(name): str(sql)
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?",
            (table,),
        )
        if sql and FILLING_FORM.match(str(sql))
    }


def fill_statement(trigger_sql: str) -> str:
    """The ``UPDATE`` doing for every row of the table what the trigger does for one."""
    found = FILLING_FORM.match(trigger_sql)
    if found is None:
        raise ValueError("not a trigger filling the row it sees inserted")
    table = found["table"]
    sql = f"UPDATE {table} SET {_NEW_ROW.sub(f'{table}.', found['sets'])}"
    if found["when"]:
        sql += f" WHERE {_NEW_ROW.sub(f'{table}.', found['when'])}"
    return sql


def is_filling(sql: str) -> bool:
    return FILLING_FORM.match(sql) is not None


def restore_filling_triggers(conn: Connection, triggers: Mapping[str, str]) -> None:
    """Create the dropped ``triggers`` again (unless one of that name exists: a migration
    made it meanwhile) and fill their columns for every row."""
    for name, sql in triggers.items():
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
        ).first()
        conn.exec_driver_sql(fill_statement(sql))
        if exists is None:
            conn.exec_driver_sql(sql)
