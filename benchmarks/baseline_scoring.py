"""The scoring pass as it was before the lean one: the benchmark's baseline.

Every contact is re-read, re-scored and re-serialised in chunks of 2,000 whenever
the day moves on. Kept only to be measured beside ``sync.scoring``; the activity
window follows the current rules (scheduled activities count) so both give the
same scores.

Originally: warmness scores for the contacts whose facts changed, and for all when a day passed.

A contact needs a score when ``score_computed_at`` is NULL (the page that changed its
facts cleared it, in the same transaction). When the UTC day has moved on since the
last complete pass (``app_meta`` key ``scores_day``), every contact is looked at again,
because "days since the last activity" and "due in the last 30 days" move with the
calendar alone; only rows whose score or breakdown actually changed are written, so
the daily pass costs little more than reading. Both marks live in the database, so a
sync killed before scoring still scores next time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from pipedriven_desktop.domain.warmness import (
    RECENT_WINDOW_DAYS,
    ActivityFact,
    ContactFacts,
    compute_many,
)
from pipedriven_desktop.store.clock import date_to_text, parse_date_text, parse_text, to_text
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import SCORES_DAY_KEY, get_meta, set_meta
from pipedriven_desktop.sync.mapping import LIVE_DEAL_STATUSES, chunked, placeholders

CHUNK = 2000

_CONTACTS_SQL = (
    "SELECT id, email, phone, organization_id, pipedrive_org_id, job_title, lead_status,"
    " last_contacted, incoming_mail_count, outgoing_mail_count,"
    " warmness_score, warmness_breakdown, score_computed_at IS NULL"
    " FROM contacts WHERE id IN ({ids})"
)
#: Only activities due inside the score's "recent" window can change a score.
_ACTIVITIES_SQL = (
    "SELECT contact_id, type, due_date, done FROM activities"
    " WHERE contact_id IN ({ids}) AND due_date >= ?"
)
_DEALS_SQL = (
    "SELECT contact_id, sum(value) FROM deals"
    " WHERE contact_id IN ({ids}) AND status IN ({statuses}) GROUP BY contact_id"
)
_UPDATE_SQL = (
    "UPDATE contacts SET warmness_score = ?, warmness_breakdown = ?, score_computed_at = ?"
    " WHERE id = ?"
)


def contacts_to_score(conn: Connection, now: datetime) -> tuple[list[str], bool]:
    """Ids of contacts to score, and whether that is everyone (the day moved on)."""
    today = now.astimezone(UTC).date().isoformat()
    everyone = get_meta(conn, SCORES_DAY_KEY) != today
    sql = "SELECT id FROM contacts" + ("" if everyone else " WHERE score_computed_at IS NULL")
    return [row[0] for row in conn.exec_driver_sql(sql)], everyone


def rescore(
    db: Database,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Score every contact that needs it, a chunk per transaction; returns how many."""
    with db.engine.connect() as conn:
        ids, everyone = contacts_to_score(conn, now)
    done = 0
    for part in chunked(ids, CHUNK):
        with db.session() as session:
            score_contacts(session.connection(), part, now)
        done += len(part)
        if progress is not None:
            progress(done, len(ids))
    if everyone:
        with db.session() as session:
            set_meta(session.connection(), SCORES_DAY_KEY, now.astimezone(UTC).date().isoformat())
    return done


def score_contacts(conn: Connection, ids: Sequence[str], now: datetime) -> None:
    """Load the facts of ``ids`` in three statements, score them, write them back."""
    if not ids:
        return
    now = now.astimezone(UTC)
    today = now.date()
    marks = placeholders(len(ids))
    window = (date_to_text(today - timedelta(days=RECENT_WINDOW_DAYS)),)
    activities: dict[str, list[ActivityFact]] = {}
    for contact_id, kind, due, done in conn.exec_driver_sql(
        _ACTIVITIES_SQL.format(ids=marks), (*ids, *window)
    ).fetchall():
        activities.setdefault(contact_id, []).append(
            ActivityFact(type=kind, due_date=parse_date_text(due), done=bool(done))
        )
    deal_totals = conn.exec_driver_sql(
        _DEALS_SQL.format(ids=marks, statuses=placeholders(len(LIVE_DEAL_STATUSES))),
        (*ids, *LIVE_DEAL_STATUSES),
    ).fetchall()
    deal_values: dict[str, float] = {row[0]: row[1] for row in deal_totals}
    contact_ids: list[str] = []
    facts: list[ContactFacts] = []
    previous: list[tuple[int, str | None, bool]] = []
    for (
        contact_id,
        email,
        phone,
        org_id,
        pd_org_id,
        title,
        lead,
        last,
        incoming,
        outgoing,
        old_score,
        old_breakdown,
        dirty,
    ) in conn.exec_driver_sql(_CONTACTS_SQL.format(ids=marks), tuple(ids)).fetchall():
        previous.append((old_score, old_breakdown, bool(dirty)))
        last_contacted = parse_text(last)
        contact_ids.append(contact_id)
        facts.append(
            ContactFacts(
                has_email=bool(email),
                has_phone=bool(phone),
                has_organization=org_id is not None or pd_org_id is not None,
                has_job_title=bool(title),
                activities=tuple(activities.get(contact_id, ())),
                total_deal_value=float(deal_values.get(contact_id) or 0.0),
                lead_status=lead,
                last_activity=None
                if last_contacted is None
                else last_contacted.replace(tzinfo=UTC),
                incoming_mail_count=incoming,
                outgoing_mail_count=outgoing,
            )
        )
    stamp = to_text(now)
    changed = []
    for contact_id, warmness, (old_score, old_breakdown, dirty) in zip(
        contact_ids, compute_many(facts, now), previous, strict=True
    ):
        breakdown = json.dumps(warmness.to_json(), separators=(",", ":"), ensure_ascii=False)
        if dirty or warmness.score != old_score or breakdown != old_breakdown:
            changed.append((warmness.score, breakdown, stamp, contact_id))
    if changed:
        conn.exec_driver_sql(_UPDATE_SQL, changed)
