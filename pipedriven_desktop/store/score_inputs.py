"""Where the score's facts live in the mirror, read set-wise for the scoring pass.

The pass reads a contact's facts as a few plain values, reduced in SQL to what the
rules can tell apart, so contacts with the same values share one computation:

- `contact_facts_sql`: per contact the four base fields as bits (`BASE_BITS`; the
  organization only when the mirror knows it, by a named row), the lead status, the
  bracket of days since the last activity (`recency_bounds`), and the mail facts:
  per-direction counts, and the days of the last mail received and sent with whether
  the reply came last (``contacts`` columns `MAIL_COLUMNS`, as the person listing's
  ``include_fields`` gave them; None: no mail data);
- `activity_facts_sql`: per contact, its activities in the score's window: how many,
  how many scheduled (due after today), and per bonus type whether one was due in the
  window up to today and the first due date among the scheduled ones;
- `DEAL_FACTS_SQL`: per contact, the open and won deals' value and the lost deals'
  count (lost deals are named in the breakdown, never added to the deal value);
- which lead statuses count: ``store.meta.lead_status_values``.

`mail_facts` turns the stored mail columns into `ContactFacts` arguments, for callers
that build one contact's facts in full.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Final

from pipedriven_desktop.store.clock import parse_text, to_text

__all__ = [
    "ALL_LOST_DEALS_SQL",
    "BASE_BITS",
    "DEAL_FACTS_SQL",
    "LOST_DEALS_SQL",
    "MAIL_COLUMNS",
    "activity_facts_sql",
    "contact_facts_sql",
    "deal_facts_sql",
    "mail_facts",
    "recency_bounds",
]

#: ``contacts`` columns of the mail facts, in the order `mail_facts` takes them.
MAIL_COLUMNS: Final = ("email_messages_count", "last_incoming_mail_time", "last_outgoing_mail_time")
#: Lost deals per contact, for every contact / for an ``IN`` list of ids.
ALL_LOST_DEALS_SQL: Final = (
    "SELECT contact_id, count(*) FROM deals"
    " WHERE contact_id IS NOT NULL AND status = 'lost' GROUP BY contact_id"
)
LOST_DEALS_SQL: Final = (
    "SELECT contact_id, count(*) FROM deals"
    " WHERE contact_id IN ({ids}) AND status = 'lost' GROUP BY contact_id"
)
#: The bits of `contact_facts_sql`'s base column, in the rules' order.
BASE_BITS: Final = ("email", "phone", "organization", "job_title")

_BASE = (
    "(coalesce(c.email, '') <> '')"
    " + 2 * (coalesce(c.phone, '') <> '')"
    " + 4 * (c.organization_id IS NOT NULL AND EXISTS (SELECT 1 FROM organizations o"
    " WHERE o.id = c.organization_id AND trim(coalesce(o.name, '')) <> ''))"
    " + 8 * (coalesce(c.job_title, '') <> '')"
)
_, _LAST_IN, _LAST_OUT = MAIL_COLUMNS
#: 0: under 7 days, 1: under 30, 2: 30 to 90, 3: over 90 days since the last activity
#: (the bounds are moments: `recency_bounds`); NULL without one.
_RECENCY = (
    "CASE WHEN c.last_contacted IS NULL THEN NULL WHEN c.last_contacted > ? THEN 0"
    " WHEN c.last_contacted > ? THEN 1 WHEN c.last_contacted > ? THEN 2 ELSE 3 END"
)
_CONTACT_FACTS = (
    f"SELECT c.rowid, c.id, {_BASE}, c.lead_status, {_RECENCY},"
    " c.incoming_mail_count, c.outgoing_mail_count,"
    f" substr(c.{_LAST_IN}, 1, 10), substr(c.{_LAST_OUT}, 1, 10), c.{_LAST_IN} >= c.{_LAST_OUT},"
    " c.warmness_score, c.warmness_breakdown, c.score_computed_at IS NULL FROM contacts c"
)

DEAL_FACTS_SQL: Final = (
    "SELECT contact_id, coalesce(sum(CASE WHEN status IN ({live}) THEN value END), 0.0),"
    " count(CASE WHEN status = 'lost' THEN 1 END) FROM deals WHERE {where} GROUP BY contact_id"
)


def recency_bounds(now: datetime, days: Sequence[int]) -> tuple[str, ...]:
    """The stored-text moments ``now`` minus each of ``days`` (7, 30, 91): a last activity
    after the first is under 7 whole days ago, and so on (whole days rounded down)."""
    return tuple(to_text(now - timedelta(days=d)) for d in days)


def contact_facts_sql(ids: int | None = None) -> str:
    """Every contact's facts (``ids`` None) or those of an ``IN`` list of ``ids`` ids.

    Parameters: the three `recency_bounds`, then the ids.
    """
    return _CONTACT_FACTS + ("" if ids is None else f" WHERE c.id IN ({_marks(ids)})")


def activity_facts_sql(kinds: Sequence[str], ids: int | None = None) -> str:
    """Per contact: its activities due from the window's first day on, scheduled ones,
    then per bonus type in ``kinds`` (lower-case) one due up to today (0/1), then per
    type the first due date after today (NULL: none).

    Parameters: today, then per kind today twice, then the window's first day, then
    the ids (``ids`` None: every contact with such an activity).
    """
    past = [f"max(due_date <= ? AND lower(type) = '{_plain(kind)}')" for kind in kinds]
    ahead = [
        f"min(CASE WHEN due_date > ? AND lower(type) = '{_plain(kind)}' THEN due_date END)"
        for kind in kinds
    ]
    where = "contact_id IS NOT NULL" if ids is None else f"contact_id IN ({_marks(ids)})"
    return (
        f"SELECT contact_id, count(*), count(CASE WHEN due_date > ? THEN 1 END),"
        f" {', '.join(past + ahead)} FROM activities"
        f" WHERE due_date >= ? AND {where} GROUP BY contact_id"
    )


def deal_facts_sql(live_statuses: Sequence[str], ids: int | None = None) -> str:
    """Per contact with deals: open and won value, lost count. Parameters: the live
    statuses, then the ids (``ids`` None: every contact)."""
    where = "contact_id IS NOT NULL" if ids is None else f"contact_id IN ({_marks(ids)})"
    return DEAL_FACTS_SQL.format(live=_marks(len(live_statuses)), where=where)


def mail_facts(count: Any, last_incoming: Any, last_outgoing: Any) -> dict[str, Any]:
    """`ContactFacts` keyword arguments from the stored ``MAIL_COLUMNS`` values."""
    return {
        "email_messages_count": count,
        "last_incoming_mail": parse_text(last_incoming),
        "last_outgoing_mail": parse_text(last_outgoing),
    }


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _plain(kind: str) -> str:
    """A bonus type as a SQL literal's body (the rules' own words: letters only)."""
    if not kind.isalpha():
        raise ValueError(f"activity type {kind!r} cannot be a literal")
    return kind
