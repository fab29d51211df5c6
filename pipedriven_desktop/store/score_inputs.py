"""Where the score's facts live in the mirror, read set-wise for the scoring pass.

The pass reads a contact's facts as a few plain values, reduced in SQL to what the
rules can tell apart, so contacts with the same values share one computation:

- `contact_facts_sql`: per contact the base fields as bits (email, phone, job title:
  1, 2, 8; the organization point, 4, only for an organization the mirror knows by a
  named row: `NAMED_ORGANIZATIONS_SQL`), the lead status, the
  bracket of days since the last activity (`recency_bounds`), and the mail facts:
  per-direction counts, and the days of the last mail received and sent with whether
  the reply came last (``contacts`` columns `MAIL_COLUMNS`, as the person listing's
  ``include_fields`` gave them; None: no mail data);
- `activity_facts_sql`: per contact, its activities in the score's window: how many,
  how many scheduled (due after today), and per bonus type whether one was due in the
  window up to today and the first due date among the scheduled ones;
- `DEAL_FACTS_SQL`: per contact, the open and won deals' value in the currency with
  the largest total, that currency and how many currencies there are (amounts in
  different currencies are never added), and the lost deals' count (lost deals are
  named in the breakdown, never added to the deal value);
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
    "DEAL_FACTS_SQL",
    "LOST_DEALS_SQL",
    "MAIL_COLUMNS",
    "NAMED_ORGANIZATIONS_SQL",
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

_BASE = (
    "(coalesce(c.email, '') <> '') + 2 * (coalesce(c.phone, '') <> '')"
    " + 8 * (coalesce(c.job_title, '') <> '')"
)
#: Organizations the mirror knows by a name: the organization point's condition.
NAMED_ORGANIZATIONS_SQL: Final = "SELECT id FROM organizations WHERE trim(coalesce(name, '')) <> ''"
#: For a few contacts, the organization only when it is named: its name is kept on the
#: contact row by triggers (migration 0009), so no lookup per contact.
_NAMED_ORGANIZATION = (
    "CASE WHEN trim(coalesce(c.organization_name, '')) <> '' THEN c.organization_id END"
)
_, _LAST_IN, _LAST_OUT = MAIL_COLUMNS
#: 0: under 7 days, 1: under 30, 2: 30 to 90, 3: over 90 days since the last activity
#: (the bounds are moments: `recency_bounds`); NULL without one.
_RECENCY = (
    "CASE WHEN c.last_contacted IS NULL THEN NULL WHEN c.last_contacted > ? THEN 0"
    " WHEN c.last_contacted > ? THEN 1 WHEN c.last_contacted > ? THEN 2 ELSE 3 END"
)
_CONTACT_FACTS = (
    "SELECT c.rowid, c.id, {organization}, " + _BASE + ", c.lead_status, " + _RECENCY + ","
    " c.incoming_mail_count, c.outgoing_mail_count,"
    f" substr(c.{_LAST_IN}, 1, 10), substr(c.{_LAST_OUT}, 1, 10), c.{_LAST_IN} >= c.{_LAST_OUT},"
    " c.warmness_score, c.score_breakdown_id,"
    " CASE WHEN c.score_breakdown_id IS NULL THEN c.warmness_breakdown END,"
    " c.score_computed_at IS NULL, c.score_facts_id FROM contacts c"
)

#: Amounts in different currencies are never added: per contact, the largest one
#: currency's open and won total, the lost deals, that currency (None without an open or
#: won deal, or when the deals name none; on a tie, the first code alphabetically) and
#: how many currencies hold open or won deals.
DEAL_FACTS_SQL: Final = (
    "SELECT contact_id, coalesce(live, 0.0), lost,"
    " CASE WHEN live > 0 THEN nullif(currency, '') END, currencies"
    " FROM (SELECT contact_id, currency, live, sum(lost_here) OVER whole AS lost,"
    " count(live) OVER whole AS currencies, row_number() OVER"
    " (PARTITION BY contact_id ORDER BY live DESC NULLS LAST, currency) AS rank"
    " FROM (SELECT contact_id, upper(trim(coalesce(currency, ''))) AS currency,"
    " sum(CASE WHEN status IN ({live}) THEN value END) AS live,"
    " count(CASE WHEN status = 'lost' THEN 1 END) AS lost_here"
    " FROM deals WHERE {where} GROUP BY contact_id, 2)"
    " WINDOW whole AS (PARTITION BY contact_id))"
    " WHERE rank = 1"
)


def recency_bounds(now: datetime, days: Sequence[int]) -> tuple[str, ...]:
    """The stored-text moments ``now`` minus each of ``days`` (7, 30, 91): a last activity
    after the first is under 7 whole days ago, and so on (whole days rounded down)."""
    return tuple(to_text(now - timedelta(days=d)) for d in days)


def contact_facts_sql(ids: int | None = None) -> str:
    """Every contact's facts (``ids`` None) or those of an ``IN`` list of ``ids`` ids.

    The organization column is the contact's organization id: for every contact as
    stored (the caller checks it against `NAMED_ORGANIZATIONS_SQL`'s, read once, rather
    than a lookup per contact); for an ``IN`` list only when it is named.
    Parameters: the three `recency_bounds`, then the ids.
    """
    if ids is None:
        return _CONTACT_FACTS.format(organization="c.organization_id")
    return _CONTACT_FACTS.format(organization=_NAMED_ORGANIZATION) + (
        f" WHERE c.id IN ({_marks(ids)})"
    )


def activity_facts_sql(kinds: Sequence[str], ids: int | None = None) -> str:
    """Per contact: its activities due from the window's first day on, scheduled ones,
    then per bonus type in ``kinds`` (lower-case) one due up to today (0/1), then per
    type the first due date after today (NULL: none).

    Parameters: today, then per kind today twice, then the window's first day, then
    the ids (``ids`` None: every contact with such an activity).
    """
    past = [f"max(due_date <= ? AND lower(type) = '{_plain(kind)}')" for kind in kinds]
    # A type's first scheduled date only matters when none was due up to today (its
    # bonus then names it); leaving it out otherwise lets more contacts share a case.
    ahead = [
        f"CASE WHEN {past_kind} THEN NULL ELSE"
        f" min(CASE WHEN due_date > ? AND lower(type) = '{_plain(kind)}' THEN due_date END) END"
        for past_kind, kind in zip(past, kinds, strict=True)
    ]
    # Every contact: the window's rows from the due date index alone (the planner would
    # rather walk the contact index for the GROUP BY, reading every activity); a few:
    # their own activities by contact.
    source = "activities INDEXED BY ix_activities_due_date_contact_id_type"
    where = "contact_id IS NOT NULL"
    if ids is not None:
        source, where = "activities", f"contact_id IN ({_marks(ids)})"
    return (
        f"SELECT contact_id, count(*), count(CASE WHEN due_date > ? THEN 1 END),"
        f" {', '.join(past + ahead)} FROM {source}"
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
