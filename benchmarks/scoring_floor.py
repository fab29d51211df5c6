"""The least SQLite work a rescore does in the mirror's schema: its reads and writes alone.

A pass's figure includes working the scores out in Python. This measures what no
Python could save, on copies of the mirror as it was before the pass:

- reads: the SELECT statements the pass ran, captured as it ran them (values bound),
  each run again to its last row;
- writes: the rows the pass changed, written with its own statements (the new texts,
  the contacts' score columns, around a rebuild of the score's indexes where the pass
  rebuilt them, the history's new entries), then committed.

Where this floor is above a target, no scoring code meets that target in this schema.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event

from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.sync import scoring

Rescore = Callable[..., int]

_CHANGED_ROWS = (
    "SELECT c.rowid, a.warmness_score, a.score_breakdown_id, a.score_computed_at,"
    " a.score_facts_id, a.warmness_score IS NOT c.warmness_score"
    " FROM main.contacts c JOIN after.contacts a ON a.rowid = c.rowid"
    " WHERE a.score_computed_at IS NOT c.score_computed_at"
)
_NEW_TEXTS = "SELECT id, {column} FROM after.{table} WHERE id NOT IN (SELECT id FROM main.{table})"
_NEW_HISTORY = (
    "SELECT contact_id, changed_on, old_score, new_score, why FROM after.score_history"
    " WHERE id > (SELECT coalesce(max(id), 0) FROM main.score_history)"
)
_HISTORY = (
    "INSERT INTO score_history (contact_id, changed_on, old_score, new_score, why)"
    " VALUES (?, ?, ?, ?, ?)"
)


@dataclass(frozen=True)
class Floor:
    """Seconds of the pass's reads and writes replayed alone (wall clock, and this
    process's processor time, which a busy machine inflates less), and what they covered."""

    reads: float
    writes: float
    statements: int
    rows_written: int
    rebuilt: bool
    processor: float

    @property
    def total(self) -> float:
        return self.reads + self.writes


def floor_of_pass(
    before: Path, tmp: Path, rescore: Rescore, now: datetime, prepare: Callable[[Path], None]
) -> Floor:
    """Run ``rescore`` once on a copy of ``before`` (after ``prepare``), then replay its
    reads and its writes on fresh copies."""
    after = tmp / "floor-after.sqlite3"
    shutil.copy(before, after)
    prepare(after)
    start = tmp / "floor-before.sqlite3"
    shutil.copy(after, start)
    reads = _captured_selects(after, rescore, now)
    work = tmp / "floor-work.sqlite3"
    shutil.copy(start, work)
    os.sync()
    read_seconds, read_processor = _replayed(work, reads)
    work.unlink()
    shutil.copy(start, work)
    os.sync()
    write_seconds, write_processor, rows, rebuilt = _writes_replayed(work, after)
    for path in (after, start, work):
        for extra in ("", "-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
    return Floor(
        read_seconds, write_seconds, len(reads), rows, rebuilt, read_processor + write_processor
    )


def _captured_selects(path: Path, rescore: Rescore, now: datetime) -> list[str]:
    """The SELECT statements of one pass, as SQLite ran them (values bound)."""
    statements: list[str] = []
    db = open_database(path)
    try:
        with _traced(db.engine, statements):
            rescore(db, now)
    finally:
        db.close()
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


@contextmanager
def _traced(engine: Any, statements: list[str]) -> Iterator[None]:
    """Every statement of ``engine``'s connections while inside, new ones included."""
    engine.dispose()

    def on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    event.listen(engine, "connect", on_connect)
    try:
        yield
    finally:
        event.remove(engine, "connect", on_connect)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA cache_size = {-scoring.WRITE_CACHE_KIB}")
    return conn


def _replayed(path: Path, statements: list[str]) -> tuple[float, float]:
    conn = _connect(path)
    try:
        started, processor = time.perf_counter(), time.process_time()
        for sql in statements:
            conn.execute(sql).fetchall()
        return time.perf_counter() - started, time.process_time() - processor
    finally:
        conn.close()


def _writes_replayed(work: Path, after: Path) -> tuple[float, float, int, bool]:
    """Seconds to write into ``work`` the rows that differ in ``after``, as a pass writes
    them (wall and processor time); how many rows; whether the score's indexes were
    rebuilt around them."""
    conn = _connect(work)
    try:
        conn.execute("ATTACH ? AS after", (str(after),))
        changed = conn.execute(_CHANGED_ROWS).fetchall()
        texts = {
            table: conn.execute(_NEW_TEXTS.format(table=table, column=column)).fetchall()
            for table, column in (("score_breakdowns", "breakdown"), ("score_facts", "facts"))
        }
        history = conn.execute(_NEW_HISTORY).fetchall()
        (contacts,) = conn.execute("SELECT max(rowid) FROM contacts").fetchone()
        conn.execute("DETACH after")
        moved = [(s, b, at, f, rowid) for rowid, s, b, at, f, move in changed if move]
        kept = [(b, at, f, rowid) for rowid, _s, b, at, f, move in changed if not move]
        rebuild = (
            len(changed) >= scoring.REBUILD_MIN and len(changed) > scoring.REBUILD_SHARE * contacts
        )
        started, processor = time.perf_counter(), time.process_time()
        conn.execute("BEGIN")
        for table, column in (("score_breakdowns", "breakdown"), ("score_facts", "facts")):
            conn.executemany(f"INSERT INTO {table} (id, {column}) VALUES (?, ?)", texts[table])
        indexes = conn.execute(scoring._SCORE_INDEXES_SQL).fetchall() if rebuild else []
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.executemany(scoring._UPDATE_SQL, moved)
        conn.executemany(scoring._KEEP_SCORE_SQL, kept)
        for _name, sql in indexes:
            conn.execute(sql)
        conn.executemany(_HISTORY, history)
        conn.execute("COMMIT")
        seconds, used = time.perf_counter() - started, time.process_time() - processor
        return seconds, used, len(changed), rebuild
    finally:
        conn.close()
