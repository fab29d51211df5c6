"""The readers' connection: a read pinned to an index still being built runs unpinned.

Reads of the contact list pin the index that walks their order (``INDEXED BY``, see
`store.contact_query.ordered_contacts`), so the planner never sorts the whole table
when its statistics mislead it. A first listing into empty tables builds those
indexes once at its end (`sync.writers.indexes`); until then such a read would fail
with "no such index". The window reads while the first sync runs, so rows can show
early: the read is run again without the pins, and the planner picks what exists.
"""

from __future__ import annotations

import re
import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite3 import _Parameters

__all__ = ["ReaderConnection", "unpinned"]

_PIN = re.compile(r"\s+INDEXED\s+BY\s+\"?\w+\"?", re.IGNORECASE)
_MISSING_INDEX = "no such index"


def unpinned(sql: str) -> str:
    """``sql`` without its ``INDEXED BY`` clauses."""
    return _PIN.sub("", sql)


class ReaderConnection(sqlite3.Connection):
    """A plain connection whose ``execute`` survives an index that is not there yet."""

    def execute(self, sql: str, parameters: _Parameters = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.OperationalError as exc:
            if not str(exc).startswith(_MISSING_INDEX) or "INDEXED" not in sql.upper():
                raise
            return super().execute(unpinned(sql), parameters)
