"""``score_history``: each change of a contact's score, kept small.

The scoring pass appends the changes it made in one statement per batch
(`record_changes`); each contact keeps its last `KEEP_PER_CONTACT` changes, none older
than `KEEP_DAYS` days. The detail pane reads a contact's latest ones
(`recent_changes`). Works on a SQLAlchemy ``Connection`` (the scoring pass, inside its
transaction) and on a plain ``sqlite3`` connection (the read path).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Final, NamedTuple

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = [
    "KEEP_DAYS",
    "KEEP_PER_CONTACT",
    "ScoreChange",
    "ScoreChangeRow",
    "recent_changes",
    "record_changes",
    "score_moves_since",
]

#: Changes kept per contact, and the age after which any change is dropped.
KEEP_PER_CONTACT: Final = 20
KEEP_DAYS: Final = 180
#: Rows per statement: SQLite allows 32,766 host parameters; five per row.
_BATCH: Final = 5000


class ScoreChangeRow(NamedTuple):
    """A change to append: whose score, the day, old (None: first score), new, why."""

    contact_id: str
    changed_on: date
    old_score: int | None
    new_score: int
    why: str


@dataclass(frozen=True, slots=True)
class ScoreChange:
    """A kept change, as the detail pane shows it ("4 → 7 on 3 Dec: meeting logged")."""

    changed_on: date
    old_score: int | None
    new_score: int
    why: str


_INSERT = "INSERT INTO score_history (contact_id, changed_on, old_score, new_score, why) VALUES "
_TRIM_OLD = "DELETE FROM score_history WHERE changed_on < ?"
#: Everything of one contact but its newest KEEP_PER_CONTACT rows.
_TRIM_EXTRA = (
    "DELETE FROM score_history WHERE contact_id = ? AND id <= (SELECT id FROM score_history"
    f" WHERE contact_id = ? ORDER BY id DESC LIMIT 1 OFFSET {KEEP_PER_CONTACT})"
)
#: Contacts holding more changes than they keep, from the contact index alone.
_OVER_BOUND = (
    "SELECT contact_id FROM score_history INDEXED BY ix_score_history_contact_id_id"
    f" GROUP BY contact_id HAVING count(*) > {KEEP_PER_CONTACT}"
)
#: Above this many contacts changed at once, one read of the whole contact index finds
#: those over the bound sooner than a trim statement per contact (a pass moving every
#: score: 57,000 trims took about half a second at 100,000 contacts).
_SCAN_ABOVE: Final = 2000
#: Per contact of an ``IN`` list, its score before its first change since a day, and now.
_SINCE = (
    "SELECT h.contact_id, h.old_score, c.warmness_score FROM score_history h"
    " JOIN contacts c ON c.id = h.contact_id"
    " WHERE h.contact_id IN ({ids}) AND h.id = (SELECT min(f.id) FROM score_history f"
    " WHERE f.contact_id = h.contact_id AND f.changed_on >= ?)"
)
_RECENT = (
    "SELECT changed_on, old_score, new_score, why FROM score_history"
    " WHERE contact_id = ? ORDER BY id DESC LIMIT ?"
)


def record_changes(
    conn: Connection | sqlite3.Connection,
    rows: Sequence[ScoreChangeRow | tuple[str, date, int | None, int, str]],
    today: date | None = None,
) -> None:
    """Append ``rows`` in the caller's transaction, then trim what is beyond the bounds.

    Only changes (old != new) belong here; the caller decides. ``today`` (default: the
    newest ``changed_on`` given) dates the 180-day bound. Rows go in sorted by contact,
    so the index is walked in order rather than at random (measured: 100,000 changes
    over a 2,000,000-row history take about 0.45 s to insert and 0.5 s to trim).
    """
    if not rows:
        return
    ordered = sorted(rows, key=lambda row: row[0])
    for start in range(0, len(ordered), _BATCH):
        part = ordered[start : start + _BATCH]
        params: list[Any] = []
        for contact_id, changed_on, old, new, why in part:
            params += [contact_id, changed_on.isoformat(), old, new, why]
        _execute(conn, _INSERT + ", ".join(["(?, ?, ?, ?, ?)"] * len(part)), tuple(params))
    newest = today or max(row[1] for row in rows)
    _execute(conn, _TRIM_OLD, ((newest - timedelta(days=KEEP_DAYS)).isoformat(),))
    touched = sorted({row[0] for row in rows})
    if len(touched) > _SCAN_ABOVE:
        touched = [row[0] for row in _execute(conn, _OVER_BOUND, ()).fetchall()]
    _execute_many(conn, _TRIM_EXTRA, [(contact_id, contact_id) for contact_id in touched])


def recent_changes(
    conn: Connection | sqlite3.Connection, contact_id: str, limit: int = 5
) -> list[ScoreChange]:
    """The contact's latest ``limit`` changes, newest first."""
    return [
        ScoreChange(date.fromisoformat(str(day)), old, new, why)
        for day, old, new, why in _execute(conn, _RECENT, (contact_id, limit)).fetchall()
    ]


def score_moves_since(
    conn: Connection | sqlite3.Connection, contact_ids: Sequence[str], day: date
) -> dict[str, int]:
    """How far each contact's score moved since ``day`` began (My-500's weekly arrow).

    The score then is the old score of its first change on or after ``day``; contacts
    without such a change, or first scored since, did not move and are left out, as are
    those whose changes cancelled out. One statement per page of ids.
    """
    moves: dict[str, int] = {}
    ids = list(dict.fromkeys(contact_ids))
    for start in range(0, len(ids), _BATCH):
        part = ids[start : start + _BATCH]
        sql = _SINCE.format(ids=", ".join("?" * len(part)))
        for contact_id, then, now in _execute(conn, sql, (*part, day.isoformat())).fetchall():
            if then is not None and now != then:
                moves[contact_id] = int(now) - int(then)
    return moves


def _execute_many(
    conn: Connection | sqlite3.Connection, sql: str, params: list[tuple[Any, ...]]
) -> None:
    if isinstance(conn, sqlite3.Connection):
        conn.executemany(sql, params)
    else:
        conn.exec_driver_sql(sql, params)


def _execute(conn: Connection | sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Any:
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, params)
    return conn.exec_driver_sql(sql, params)
