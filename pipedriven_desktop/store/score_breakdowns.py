"""Score breakdowns, each text kept once and pointed to by the contacts that share it.

Contacts with the same facts share a breakdown (about 7,700 distinct texts among
100,000 contacts), so a contact row holds ``score_breakdown_id`` and the text lives in
``score_breakdowns``. Rows written before migration 0008 still hold their text in
``contacts.warmness_breakdown`` until the next scoring pass writes them; readers take
whichever is there (`BREAKDOWN_SQL`).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Final

from pipedriven_desktop.store.meta import get_meta, set_meta

__all__ = [
    "BREAKDOWN_SQL",
    "BreakdownIds",
    "SharedTexts",
    "prune_unused",
    "prune_when_grown",
    "stored_breakdown",
]

#: A contact's breakdown text (alias ``c``), shared or still in its own row.
BREAKDOWN_SQL: Final = (
    "coalesce((SELECT b.breakdown FROM score_breakdowns b WHERE b.id = c.score_breakdown_id),"
    " c.warmness_breakdown)"
)
#: Below this many rows the table is never pruned: a pass would only read contacts.
_PRUNE_ABOVE = 20_000
#: A table is pruned again once it holds this many times the rows it kept last time.
_PRUNE_GROWTH = 1.5


class SharedTexts:
    """Ids by text and texts by id of a table of texts kept once each, for one pass.

    A pass over many contacts reads them all at once (``complete``: thousands of rows,
    a few megabytes, cheaper to hold than to look up per contact); scoring a few
    contacts (a logged call) looks up only the ones it meets.
    """

    #: The table (``id``, unique text column) the texts live in.
    table: str = ""
    column: str = ""

    def __init__(self, raw: sqlite3.Connection, *, complete: bool = True) -> None:
        self.raw = raw
        self.complete = complete
        self.by_text: dict[str, int] = {}
        self.by_id: dict[int, str] = {}
        if complete:
            for text_id, text in raw.execute(f"SELECT id, {self.column} FROM {self.table}"):
                self.by_text[text] = text_id
                self.by_id[text_id] = text

    def load_ids(self, ids: Iterable[int | None]) -> None:
        """Read the texts of ``ids`` not known yet, in one statement."""
        wanted = [text_id for text_id in set(ids) if text_id is not None]
        wanted = [text_id for text_id in wanted if text_id not in self.by_id]
        if not wanted:
            return
        for text_id, text in self.raw.execute(
            f"SELECT id, {self.column} FROM {self.table}"
            " WHERE id IN (SELECT value FROM json_each(?))",
            (json.dumps(wanted),),
        ):
            self.by_text[text] = text_id
            self.by_id[text_id] = text

    def id_of(self, text: str) -> int | None:
        """The id of ``text`` (None: not stored yet)."""
        found = self.by_text.get(text)
        if found is None and not self.complete:
            row = self._look_up(self.column, text)
            found = None if row is None else row[0]
        return found

    def text_of(self, breakdown_id: int) -> str | None:
        """The text of ``breakdown_id`` (None: no such breakdown)."""
        found = self.by_id.get(breakdown_id)
        if found is None and not self.complete:
            row = self._look_up("id", breakdown_id)
            found = None if row is None else row[1]
        return found

    def _look_up(self, column: str, value: str | int) -> tuple[int, str] | None:
        """The stored (id, text) whose ``column`` is ``value``, remembered both ways."""
        row = self.raw.execute(
            f"SELECT id, {self.column} FROM {self.table} WHERE {column} = ?", (value,)
        ).fetchone()
        if row is None:
            return None
        breakdown_id, text = int(row[0]), str(row[1])
        self.by_text[text] = breakdown_id
        self.by_id[breakdown_id] = text
        return breakdown_id, text

    def ensure(self, raw: sqlite3.Connection, texts: Iterable[str]) -> None:
        """Give each of ``texts`` an id, adding the new ones, in the caller's transaction."""
        new = [text for text in dict.fromkeys(texts) if text not in self.by_text]
        if not new:
            return
        raw.executemany(
            f"INSERT OR IGNORE INTO {self.table} ({self.column}) VALUES (?)",
            [(text,) for text in new],
        )
        # Some may be stored already (added by another writer, or not looked up yet):
        # read the ids back rather than trust lastrowid.
        for start in range(0, len(new), 500):
            part = new[start : start + 500]
            marks = ", ".join("?" * len(part))
            for text_id, text in raw.execute(
                f"SELECT id, {self.column} FROM {self.table} WHERE {self.column} IN ({marks})",
                part,
            ):
                self.by_text[text] = text_id
                self.by_id[text_id] = text


class BreakdownIds(SharedTexts):
    """The mirror's breakdown ids by text and texts by id, for one scoring pass."""

    table = "score_breakdowns"
    column = "breakdown"


def prune_unused(
    raw: sqlite3.Connection,
    above: int = _PRUNE_ABOVE,
    table: str = "score_breakdowns",
    column: str = "score_breakdown_id",
) -> int:
    """Remove rows of ``table`` no contact points to any more by ``column``, once there
    are more than ``above``; how many were removed.

    Called after a pass that visited every contact, in the caller's transaction.
    """
    (count,) = raw.execute(f"SELECT count(*) FROM {table}").fetchone()
    if count <= above:
        return 0
    cursor = raw.execute(
        f"DELETE FROM {table} WHERE id NOT IN"
        f" (SELECT {column} FROM contacts WHERE {column} IS NOT NULL)"
    )
    return int(cursor.rowcount)


def prune_when_grown(
    raw: sqlite3.Connection,
    table: str = "score_breakdowns",
    column: str = "score_breakdown_id",
    above: int | None = None,
) -> int:
    """Prune ``table`` once it has grown past ``above`` rows and half again the rows it
    kept at its last pruning (``app_meta`` key ``<table>_kept``); how many were removed.

    Each pass adds the texts of the contacts it changed and drops none, so without this
    the table would only grow; pruning reads every contact, so it waits for the growth.
    """
    (count,) = raw.execute(f"SELECT count(*) FROM {table}").fetchone()
    key = f"{table}_kept"
    last = get_meta(raw, key)
    kept = int(last) if last is not None and last.isdigit() else 0
    if count <= (_PRUNE_ABOVE if above is None else above) or count <= _PRUNE_GROWTH * kept:
        return 0
    removed = prune_unused(raw, above=0, table=table, column=column)
    set_meta(raw, key, str(count - removed))
    return removed


def stored_breakdown(raw: sqlite3.Connection, contact_id: str) -> str | None:
    """The breakdown text stored for one contact (None: never scored)."""
    row = raw.execute(f"SELECT {BREAKDOWN_SQL} FROM contacts c WHERE c.id = ?", (contact_id,))
    found = row.fetchone()
    return None if found is None else found[0]
