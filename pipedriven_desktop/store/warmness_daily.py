"""``warmness_daily``: how many contacts sat at each score (0-10), one row per day.

The scoring pass records today's mix after each pass (`record_today`), for the
signed-in owner's contacts (My-500) and for everyone, counted in one grouped read;
a later pass the same day replaces the row, so it holds the day's last mix. The
Insights view reads the days since a date (`mix_since`). Works on a SQLAlchemy
``Connection`` and on a plain ``sqlite3`` connection (the read path).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

from pipedriven_desktop.domain.warmness import SCORE_MAX, SCORE_MIN
from pipedriven_desktop.store.clock import parse_text, to_text
from pipedriven_desktop.store.meta import OWNER_KEY, get_meta

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = ["SCORES", "DailyMix", "mix_since", "record_today", "todays_mix"]

#: The scores a mix counts, in list order: index i holds the contacts scoring i.
SCORES: Final = range(SCORE_MIN, SCORE_MAX + 1)

#: Per score: everyone's contacts and the owner's, in one pass over the contacts.
#: Grouped as the My-500 index orders its entries, so one walk of that index counts
#: them (grouping by the score alone sorted every contact on each pass).
_COUNTS = (
    "SELECT warmness_score, count(*), owner_id IS ? FROM contacts"
    " GROUP BY owner_id, added_to_campaign, warmness_score"
)
_UPSERT = (
    "INSERT INTO warmness_daily (day, my500, all_contacts, recorded_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (day) DO UPDATE SET my500 = excluded.my500,"
    " all_contacts = excluded.all_contacts, recorded_at = excluded.recorded_at"
)
_SINCE = (
    "SELECT day, my500, all_contacts, recorded_at FROM warmness_daily WHERE day >= ? ORDER BY day"
)


@dataclass(frozen=True, slots=True)
class DailyMix:
    """One day's counts per score (index = score), for My-500 and for all contacts."""

    day: date
    my500: tuple[int, ...]
    all_contacts: tuple[int, ...]
    recorded_at: datetime


def todays_mix(conn: Connection | sqlite3.Connection) -> tuple[list[int], list[int]]:
    """The counts per score now: (the owner's contacts, all contacts).

    Scores outside 0-10 (never written by the scoring pass) are counted at the
    nearest end, so the totals always equal the number of contacts.
    """
    owner = get_meta(conn, OWNER_KEY)
    owner_id = int(owner) if owner is not None and owner.lstrip("-").isdigit() else None
    mine = [0] * len(SCORES)
    everyone = [0] * len(SCORES)
    for score, count, owned in _execute(conn, _COUNTS, (owner_id,)).fetchall():
        index = min(max(int(score or 0), SCORE_MIN), SCORE_MAX) - SCORE_MIN
        everyone[index] += count
        if owned and owner_id is not None:
            mine[index] += count
    return mine, everyone


def record_today(conn: Connection | sqlite3.Connection, now: datetime) -> DailyMix:
    """Write (or replace) the row of ``now``'s UTC day in the caller's transaction."""
    moment = now.astimezone(UTC) if now.tzinfo is not None else now.replace(tzinfo=UTC)
    mine, everyone = todays_mix(conn)
    day = moment.date()
    _execute(
        conn,
        _UPSERT,
        (day.isoformat(), json.dumps(mine), json.dumps(everyone), to_text(moment)),
    )
    return DailyMix(day, tuple(mine), tuple(everyone), moment.replace(tzinfo=None))


def mix_since(conn: Connection | sqlite3.Connection, day: date) -> list[DailyMix]:
    """The recorded days from ``day`` on (inclusive), oldest first; days without a pass
    have no row."""
    return [
        DailyMix(
            date.fromisoformat(str(stored_day)[:10]),
            _counts(my500),
            _counts(all_contacts),
            parse_text(recorded_at) or datetime.min,
        )
        for stored_day, my500, all_contacts, recorded_at in _execute(
            conn, _SINCE, (day.isoformat(),)
        ).fetchall()
    ]


def _counts(raw: Any) -> tuple[int, ...]:
    """A stored list of counts, padded or cut to one count per score."""
    try:
        values = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        values = None
    if not isinstance(values, list):
        values = []
    counts = [int(v) if isinstance(v, int | float) else 0 for v in values[: len(SCORES)]]
    return tuple(counts + [0] * (len(SCORES) - len(counts)))


def _execute(conn: Connection | sqlite3.Connection, sql: str, params: tuple[Any, ...]) -> Any:
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, params)
    return conn.exec_driver_sql(sql, params)
