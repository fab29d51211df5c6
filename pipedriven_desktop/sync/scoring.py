"""Warmness scores for the contacts whose facts changed, and for those time moved.

A contact needs a score when ``score_computed_at`` is NULL (the page that changed its
facts cleared it, in the same transaction). Time alone moves a score only where a
bracket of the rules is crossed: "days since the last activity" passing 7, 30 or 90,
an activity leaving the 30-day window, a scheduled one falling due. So when the UTC
day has moved on since the last pass (``app_meta`` key ``scores_day``), only contacts
with a last activity or a due date at those boundaries since that day are visited;
without a ``scores_day`` (first pass, upgrade) every contact is.

Facts are read in three aggregated statements (every contact: one scan each; a few:
``IN`` lists by id), reduced in SQL to what the rules can tell apart, so contacts with
equal facts share one computation by the domain's own function; the lead statuses that
count are the configured ones. A contact points to its breakdown, kept once for all
that share it (`store.score_breakdowns`), so an unchanged one is told by its id alone.
Only rows whose score, breakdown or dirty mark changed are written, in chunks of their
own transactions so readers (WAL) and the user's small writes are never held up long;
then today's warmness mix is recorded. Both marks live in the database, so a sync
killed before scoring still scores next time.

Each written contact also points to the facts it was scored from (`store.score_facts`):
after a change of the lead status settings (``scores_settings``), only the contacts
whose lead status reads differently are worked out again, from those kept facts
(`_Scorer.revisit`).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection

from pipedriven_desktop.domain.warmness import (
    ACTIVITY,
    BASE,
    ENGAGEMENT,
    RECENCY_TIERS,
    RECENT_TYPE_BONUS,
    RECENT_WINDOW_DAYS,
    RELATIONSHIP,
    SCORE_MAX,
    SCORE_MIN,
    STALE_AFTER_DAYS,
    ActivityFact,
    ContactFacts,
    LeadStatusValues,
    change_between,
    compute_warmness,
    lead_status_reads_alike,
)
from pipedriven_desktop.store.clock import date_to_text, to_text
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import (
    SCORES_DAY_KEY,
    SCORES_SETTINGS_KEY,
    get_meta,
    lead_status_values,
    set_meta,
    settings_from_text,
    settings_text,
)
from pipedriven_desktop.store.score_breakdowns import BreakdownIds, prune_when_grown
from pipedriven_desktop.store.score_facts import FactsIds, prune_unused_facts
from pipedriven_desktop.store.score_history import ScoreChangeRow, record_changes
from pipedriven_desktop.store.score_inputs import (
    NAMED_ORGANIZATIONS_SQL,
    activity_facts_sql,
    contact_facts_sql,
    deal_facts_sql,
    recency_bounds,
)
from pipedriven_desktop.store.warmness_daily import record_today
from pipedriven_desktop.sync.breakdown_text import assembled, component_text
from pipedriven_desktop.sync.mapping import LIVE_DEAL_STATUSES, chunked

#: Contacts per fact read when only some are scored (an ``IN`` list each).
CHUNK = 2000
#: Changed rows per write transaction: each commit rewrites the index pages its rows
#: moved in, so fewer, larger chunks write less; yet short enough that the user's own
#: writes (the campaign flag) wait well within their busy timeout.
WRITE_CHUNK = 25_000
#: When more than this share of all contacts change (and at least
#: `REBUILD_MIN`), the score's indexes are built anew around one write
#: transaction instead of moving each entry; the writer then holds the mirror for the
#: whole write (about a second at 100,000 contacts, within the user's busy timeout).
REBUILD_SHARE = 0.5
REBUILD_MIN = 5_000
#: Above this share of all contacts, one scan per table beats ``IN`` lists.
SCAN_SHARE = 0.2
#: Page cache of the scoring connection while it writes, in KiB: a pass moving every
#: score rewrites two indexes holding it, and SQLite's default 2 MiB makes each index
#: page travel to and from the write-ahead log many times.
WRITE_CACHE_KIB = 65_536

#: Days since the last activity at which its reason changes (7, 30, and over 90).
RECENCY_BOUNDARIES: tuple[int, ...] = tuple(
    sorted({limit for limit, _points in RECENCY_TIERS} | {STALE_AFTER_DAYS + 1})
)

#: Days since the last activity at which the recency bracket read in SQL changes.
_BRACKET_DAYS: tuple[int, ...] = (7, 30, STALE_AFTER_DAYS + 1)
#: A bracket's stand-in number of days: any in the bracket gives the same reason.
_BRACKET_REPRESENTATIVE: tuple[int, ...] = (0, *_BRACKET_DAYS)
#: The bonus types, as the activity facts list them.
_BONUS_KINDS: tuple[str, ...] = tuple(RECENT_TYPE_BONUS)

#: Indexes of the contacts that hold the score (the My-500 orders).
_SCORE_INDEXES_SQL = (
    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'"
    " AND sql LIKE '%warmness_score%'"
)
_UPDATE_SQL = (
    "UPDATE contacts SET warmness_score = ?, score_breakdown_id = ?, warmness_breakdown = NULL,"
    " score_computed_at = ?, score_facts_id = ? WHERE rowid = ?"
)
#: The same for a row whose score stayed: setting the score, even to its own value,
#: would move its entries in the two indexes holding it, dirtying their pages.
_KEEP_SCORE_SQL = (
    "UPDATE contacts SET score_breakdown_id = ?, warmness_breakdown = NULL,"
    " score_computed_at = ?, score_facts_id = ? WHERE rowid = ?"
)
#: Whether a contact's organization earns the point (it is named), in SQL.
#: Its name is kept on the contact row by triggers (migration 0009): no join needed.
_NAMED_ORGANIZATION = (
    "(organization_id IS NOT NULL AND trim(coalesce(organization_name, '')) <> '')"
)
#: Every contact (first parameter true), or those of some kept facts (a JSON array of
#: ids) and those without kept facts (third parameter true).
_KEPT_ROWS_SQL = (
    f"SELECT rowid, id, {_NAMED_ORGANIZATION}, score_facts_id, warmness_score,"
    " score_breakdown_id, CASE WHEN score_breakdown_id IS NULL THEN warmness_breakdown END"
    " FROM contacts WHERE ? OR score_facts_id IN (SELECT value FROM json_each(?))"
    " OR (? AND score_facts_id IS NULL)"
)

#: A row to write: (score, breakdown, rowid, the history entry if the score moved, the
#: facts' text, whether the score moved).
Change = tuple[int, str, int, ScoreChangeRow | None, str, bool]
#: What the rules can tell apart about a contact (see `_facts_of`): contacts with equal
#: keys get the same score and breakdown.
FactsKey = tuple[Any, ...]
#: What the process knows of one set of facts (the organization point left out): its
#: text as kept, its key, the settings its results were worked out with, and its result
#: without and with the organization point (None: not yet, for those settings).
Entry = list[Any]
_TEXT, _KEY, _SETTINGS, _PLAIN = range(4)
#: Positions of the breakdown and facts ids in a row of `contact_facts_sql`.
_OLD_BREAKDOWN, _OLD_FACTS = 12, 15
#: The deal facts of a contact without deals: no value, no lost deal, no currency.
_NO_DEALS: tuple[float, int, str | None, int] = (0.0, 0, None, 0)


def contacts_to_score(conn: Connection, now: datetime) -> tuple[list[str] | None, bool]:
    """Ids of contacts to score (None: every contact), and whether the day moved on."""
    today = now.astimezone(UTC).date()
    last = _parse_day(get_meta(conn, SCORES_DAY_KEY))
    if last is None or last > today:
        return None, True
    dirty = [row[0] for row in _raw(conn).execute(_DIRTY_SQL)]
    if last == today:
        return dirty, False
    moved = time_moved_ids(conn, last, now)
    return sorted(set(dirty).union(moved)), True


#: Named: the partial index's statistics, gathered while many contacts awaited a score
#: (a first sync), would have the planner read every contact instead.
_DIRTY_SQL = (
    "SELECT id FROM contacts INDEXED BY ix_contacts_unscored WHERE score_computed_at IS NULL"
)


def time_moved_ids(conn: Connection, since: date, now: datetime) -> list[str]:
    """Contacts whose score time may have moved since the start of the day ``since``.

    A contact scored at any moment of that day or later, by a pass or as dirty, can
    differ from its score at ``now`` only if a boundary of the rules lies in between:
    its last activity reaching 7, 30 or 91 days ago, an activity's due date leaving the
    30-day window, or a scheduled one falling due.
    """
    now = now.astimezone(UTC)
    today = now.date()
    start = datetime(since.year, since.month, since.day, tzinfo=UTC)
    recency = " OR ".join(
        ["(last_contacted > ? AND last_contacted <= ?)"] * len(RECENCY_BOUNDARIES)
    )
    recency_args: list[str] = []
    for days in RECENCY_BOUNDARIES:
        recency_args += [to_text(start - timedelta(days=days)), to_text(now - timedelta(days=days))]
    raw = _raw(conn)
    ids = {row[0] for row in raw.execute(f"SELECT id FROM contacts WHERE {recency}", recency_args)}
    window = timedelta(days=RECENT_WINDOW_DAYS)
    # Activity rules read calendar days only: a scheduled activity falls due on a day
    # after ``since`` up to today; one leaves the window due from ``since`` - 30 days
    # up to the day before today's window starts.
    one_day = timedelta(days=1)
    due_args = (
        date_to_text(since + one_day),
        date_to_text(today),
        date_to_text(since - window),
        date_to_text(today - window - one_day),
    )
    ids.update(
        row[0]
        for row in raw.execute(
            # No DISTINCT: it would walk the contact index and look up every row.
            "SELECT contact_id FROM activities WHERE contact_id IS NOT NULL"
            " AND (due_date BETWEEN ? AND ? OR due_date BETWEEN ? AND ?)",
            due_args,
        )
    )
    return list(ids)


def rescore(
    db: Database,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Score every contact that needs it, then record today's mix; returns how many
    were looked at.

    After a change of the lead status settings (their text differs from the one the
    scores were made with) every other contact is worked out again from its kept facts.
    """
    now = now.astimezone(UTC)
    with db.engine.connect() as conn:
        ids, day_moved = contacts_to_score(conn, now)
        lead_values = lead_status_values(conn)
        settings = settings_text(lead_values)
        kept = get_meta(conn, SCORES_SETTINGS_KEY)
        revisit = ids is not None and kept != settings
        contacts = _contact_count(conn)
        scan = ids is None or len(ids) > SCAN_SHARE * contacts
        # Scored by id, a pass reads only the texts its contacts point to.
        scorer = _Scorer(conn, now, complete=scan or revisit, lead_values=lead_values)
        if scan:
            changes, looked_at = scorer.score(None if ids is None else set(ids))
        else:
            changes, looked_at = [], 0
            for part in chunked(ids or [], CHUNK):
                found, seen = scorer.score(part)
                changes += found
                looked_at += seen
        if revisit:
            found, seen = scorer.revisit(set(ids or ()), settings_from_text(kept))
            changes += found
            looked_at += seen
    # Only when most of all contacts change is rebuilding the score's indexes cheaper.
    rebuild = len(changes) >= REBUILD_MIN and len(changes) > REBUILD_SHARE * contacts
    _write(db, changes, now, progress, looked_at, scorer, rebuild=rebuild)
    with db.session() as session:
        connection = session.connection()
        # Every pass adds texts; they are pruned once they have grown enough.
        prune_when_grown(_raw(connection))
        prune_unused_facts(_raw(connection))
        if day_moved:
            set_meta(connection, SCORES_DAY_KEY, now.date().isoformat())
        if ids is None or revisit:
            set_meta(connection, SCORES_SETTINGS_KEY, settings)
        record_today(connection, now)
    return looked_at


def score_contacts(conn: Connection, ids: Sequence[str], now: datetime) -> None:
    """Score ``ids`` and write the rows that changed, in the caller's transaction."""
    now = now.astimezone(UTC)
    scorer = _Scorer(conn, now, complete=False)
    changes: list[Change] = []
    for part in chunked(ids, CHUNK):
        changes += scorer.score(part)[0]
    _write_rows(_raw(conn), changes, now, scorer)


class _Scorer:
    """One pass's scoring: the facts read set-wise, each distinct case computed once.

    A contact's facts are reduced (in SQL, `store.score_inputs`) to what the rules can
    tell apart: the base fields, lead status, deal value and lost deals, the bracket of
    days since the last activity, the mail facts by day, and the activities in the
    window by count and bonus type. Contacts with equal facts share their score and
    breakdown text, worked out by the domain's own `compute_warmness` from stand-in
    facts (`_facts_of`) that the rules read exactly as the contact's own.
    """

    def __init__(
        self,
        conn: Connection,
        now: datetime,
        *,
        complete: bool = True,
        lead_values: LeadStatusValues | None = None,
    ) -> None:
        self.raw = _raw(conn)
        self.now = now
        self.today = now.date()
        self.lead_values = lead_status_values(conn) if lead_values is None else lead_values
        self.bounds = recency_bounds(now.replace(tzinfo=None), _BRACKET_DAYS)
        self.window_start = _recent_from(now)
        self.settings = settings_text(self.lead_values)
        self.components = _relationship_parts(self.settings)
        self.breakdowns = BreakdownIds(self.raw, complete=complete)
        self.facts = FactsIds(self.raw, complete=complete)

    def score(self, ids: Collection[str] | None) -> tuple[list[Change], int]:
        """The changed rows of ``ids`` (a set: read every contact and keep those; a
        sequence: read those by id; None: every contact), and how many were looked at."""
        by_id = ids is not None and not isinstance(ids, AbstractSet)
        wanted: Sequence[str] = list(ids) if by_id and ids is not None else ()
        count = len(wanted) if by_id else None
        today = date_to_text(self.today)
        activity_args = (today, *[today] * (3 * len(_BONUS_KINDS)), self.window_start)
        activities = {
            row[0]: row[1:]
            for row in self.raw.execute(
                activity_facts_sql(_BONUS_KINDS, count), (*activity_args, *wanted)
            )
        }
        deals = {
            row[0]: row[1:]
            for row in self.raw.execute(
                deal_facts_sql(LIVE_DEAL_STATUSES, count), (*LIVE_DEAL_STATUSES, *wanted)
            )
        }
        named = None
        if not by_id:
            named = {row[0] for row in self.raw.execute(NAMED_ORGANIZATIONS_SQL)}
        contacts: Iterable[Sequence[Any]] = self.raw.execute(
            contact_facts_sql(count), (*self.bounds, *wanted)
        )
        if by_id:
            contacts = list(contacts)
            self.breakdowns.load_ids(row[_OLD_BREAKDOWN] for row in contacts)
            self.facts.load_ids(row[_OLD_FACTS] for row in contacts)
        only = ids if ids is not None and not by_id else None
        return self._changes(contacts, activities, deals, named, only)

    def _changes(
        self,
        contacts: Iterable[Sequence[Any]],
        activities: dict[str, tuple[Any, ...]],
        deals: dict[str, tuple[Any, ...]],
        named: set[str] | None,
        only: Collection[str] | None,
    ) -> tuple[list[Change], int]:
        """The changed rows among ``contacts``; an organization counts when it is in
        ``named`` (None: the rows give it only when named).

        A row is written when its score, breakdown or kept facts differ, or it was
        marked dirty.
        """
        entries, settings = _entries(), self.settings
        known, facts = self.breakdowns, self.facts
        # The contacts' current texts are read (all of them, or theirs): plain lookups.
        text_of, facts_of = known.by_id.get, facts.by_id.get
        changes: list[Change] = []
        looked_at = 0
        no_deals = _NO_DEALS
        for (
            rowid,
            contact_id,
            organization,
            base,
            lead,
            bracket,
            incoming,
            outgoing,
            received,
            sent,
            replied,
            old_score,
            old_id,
            old_own_text,
            dirty,
            old_facts,
        ) in contacts:
            if only is not None and contact_id not in only:
                continue
            looked_at += 1
            org = organization is not None and (named is None or organization in named)
            own = (
                base,
                lead,
                bracket,
                incoming,
                outgoing,
                received,
                sent,
                replied,
                deals.get(contact_id, no_deals),
                activities.get(contact_id),
            )
            entry = entries.get(own)
            if entry is None:
                entry = _new_entry(own, _facts_text(own))
            if entry[_SETTINGS] is not settings:
                entry[_SETTINGS:] = settings, None, None
            result = entry[_PLAIN + org]
            if result is None:
                result = entry[_PLAIN + org] = self._result((base + 4 * org, *own[1:]))
            score, text = result
            if score == old_score:
                if not dirty and text_of(old_id) == text and facts_of(old_facts) == entry[_TEXT]:
                    continue
                history = None
            else:
                history = self._history(contact_id, old_score, score, old_id, old_own_text, text)
            changes.append((score, text, rowid, history, entry[_TEXT], score != old_score))
        return changes, looked_at

    def revisit(
        self, scored: AbstractSet[str], before: LeadStatusValues | None
    ) -> tuple[list[Change], int]:
        """The changed rows after a change of the lead status settings from ``before``
        (None: not known), among every contact but ``scored``, from their kept facts.

        No fact moved, and only the lead status reads through the settings: only the
        kept sets whose lead status reads differently now (`lead_status_reads_alike`)
        can move a score, so only their contacts are read, and each set is worked out
        once. A contact without kept facts (none after the first pass) is scored from
        its own facts.
        """
        if before is None:
            moved: list[int] | None = None
        else:
            moved = [
                facts_id
                for facts_id, text in self.facts.by_id.items()
                if not lead_status_reads_alike(_lead_of(text), before, self.lead_values)
            ]
            if not moved:
                return [], 0
        text_of = self.breakdowns.by_id.get
        results: dict[tuple[int, bool], tuple[Entry, tuple[int, str]]] = {}
        changes: list[Change] = []
        without: list[str] = []
        looked_at = 0
        rows = self.raw.execute(_KEPT_ROWS_SQL, (moved is None, json.dumps(moved or []), True))
        for rowid, contact_id, org, facts_id, old_score, old_id, old_own_text in rows:
            if contact_id in scored:
                continue
            looked_at += 1
            found = self._kept_result(results, facts_id, bool(org))
            if found is None:
                without.append(contact_id)
                continue
            entry, (score, text) = found
            if score == old_score:
                if text_of(old_id) == text:
                    continue
                history = None
            else:
                history = self._history(contact_id, old_score, score, old_id, old_own_text, text)
            changes.append((score, text, rowid, history, entry[_TEXT], score != old_score))
        for part in chunked(without, CHUNK):
            changes += self.score(part)[0]
        return changes, looked_at

    def _kept_result(
        self,
        results: dict[tuple[int, bool], tuple[Entry, tuple[int, str]]],
        facts_id: int | None,
        org: bool,
    ) -> tuple[Entry, tuple[int, str]] | None:
        """The entry and result of kept facts ``facts_id`` with or without the
        organization point (None: no such facts kept)."""
        if facts_id is None:
            return None
        found = results.get((facts_id, org))
        if found is None:
            text = self.facts.text_of(facts_id)
            if text is None:
                return None
            entry = _ENTRIES_BY_TEXT.get(text) or _new_entry(_facts_key(text), text)
            if entry[_SETTINGS] is not self.settings:
                entry[_SETTINGS:] = self.settings, None, None
            result = entry[_PLAIN + org]
            if result is None:
                own = entry[_KEY]
                result = entry[_PLAIN + org] = self._result((own[0] + 4 * org, *own[1:]))
            found = results[(facts_id, org)] = (entry, result)
        return found

    def _history(
        self,
        contact_id: str,
        old_score: int,
        score: int,
        old_id: int | None,
        old_own_text: str | None,
        text: str,
    ) -> ScoreChangeRow | None:
        """The history entry of a moved score (None for a contact never scored before:
        no breakdown, or JSON null, so no change to keep)."""
        known = self.breakdowns
        old_text = old_own_text if old_id is None else known.text_of(old_id)
        why = None if old_text is None else _why(old_text, text)
        return (
            None if why is None else ScoreChangeRow(contact_id, self.today, old_score, score, why)
        )

    def _result(self, key: FactsKey) -> tuple[int, str]:
        """Score and breakdown text of the contacts with ``key``, from its components.

        The four components are independent (the score is their clamped sum), so each
        is worked out once per distinct value of its own facts: far fewer cases than
        whole keys.
        """
        base, lead, bracket, incoming, outgoing, received, sent, replied, deal, acts = key
        engagement = (bracket, incoming, outgoing, received, sent, replied)
        parts = (
            self._part(BASE, base, _COMPONENTS),
            self._part(ACTIVITY, acts, _COMPONENTS),
            self._part(RELATIONSHIP, (lead, deal), self.components),
            self._part(ENGAGEMENT, engagement, _COMPONENTS),
        )
        raw = parts[0][0] + parts[1][0] + parts[2][0] + parts[3][0]
        score = SCORE_MIN if raw < SCORE_MIN else SCORE_MAX if raw > SCORE_MAX else raw
        text = assembled(score, raw, [part[1] for part in parts])
        if len(_EARNED) > _RESULTS_LIMIT:
            _EARNED.clear()
        _EARNED[text] = parts[0][2] + parts[1][2] + parts[2][2] + parts[3][2]
        return score, text

    def _part(self, name: str, own: Any, cache: dict[Any, Part]) -> Part:
        """Points, text and earning reasons of component ``name`` for its own facts
        ``own``.

        Base, activity and engagement read no setting, so their cache outlives a change
        of the lead status settings; the relationship's is the settings' own.
        """
        part = cache.get((name, own))
        if part is None:
            none = _NO_DEALS
            base, lead, deal, acts = 0, None, none, None
            engagement: tuple[Any, ...] = (None,) * 6
            if name == BASE:
                base = own
            elif name == ACTIVITY:
                acts = own
            elif name == RELATIONSHIP:
                lead, deal = own
            else:
                engagement = own
            stand_in = (base, lead, *engagement, deal, acts)
            warmness = compute_warmness(self._facts_of(stand_in), self.now, self.lead_values)
            items = warmness.breakdown[name]
            earned = tuple(item.reason for item in items if item.points)
            part = sum(item.points for item in items), component_text(name, items), earned
            cache[(name, own)] = part
        return part

    def _facts_of(self, key: FactsKey) -> ContactFacts:
        """Facts the rules read exactly as those of the contacts with ``key``.

        The last activity stands at a day of its bracket, a mail at noon of its day (or
        at midnight when it came before a mail sent that day), an activity up to today
        on today, and one of the scheduled ones without a bonus type the day after.
        """
        base, lead, bracket, incoming, outgoing, received, sent, replied, deal, acts = key
        # Facts kept before deals named their currency hold (total, lost) alone.
        total, lost, currency, currencies = (*deal, None, 1)[:4]
        last_in = _mail_moment(received, noon=bool(replied))
        last_out = _mail_moment(sent, noon=True)
        last_activity = None
        if bracket is not None:
            last_activity = self.now - timedelta(days=_BRACKET_REPRESENTATIVE[bracket])
        return ContactFacts(
            has_email=bool(base & 1),
            has_phone=bool(base & 2),
            has_organization=bool(base & 4),
            has_job_title=bool(base & 8),
            activities=() if acts is None else self._activities_of(acts),
            total_deal_value=float(total or 0.0),
            lead_status=lead,
            last_activity=last_activity,
            incoming_mail_count=incoming,
            outgoing_mail_count=outgoing,
            lost_deal_count=int(lost or 0),
            last_incoming_mail=last_in,
            last_outgoing_mail=last_out,
            deal_currency=currency,
            deal_currencies=int(currencies or 1),
        )

    def _activities_of(self, facts: tuple[Any, ...]) -> tuple[ActivityFact, ...]:
        count, scheduled, *per_kind = facts
        kinds = len(_BONUS_KINDS)
        past = [kind for kind, seen in zip(_BONUS_KINDS, per_kind[:kinds], strict=True) if seen]
        ahead = [
            ActivityFact(kind, date.fromisoformat(str(due)[:10]))
            for kind, due in zip(_BONUS_KINDS, per_kind[kinds:], strict=True)
            if due is not None
        ]
        today, tomorrow = self.today, self.today + timedelta(days=1)
        return (
            *(ActivityFact(kind, today) for kind in past),
            *[ActivityFact("", today)] * (count - scheduled - len(past)),
            *ahead,
            *[ActivityFact("", tomorrow)] * (scheduled - len(ahead)),
        )


#: Entries by key and by kept text. Keys hold no moment (brackets, not days; dates, not
#: ages), so they stay true from pass to pass in a process; bounded in number.
_ENTRIES: dict[FactsKey, Entry] = {}
_ENTRIES_BY_TEXT: dict[str, Entry] = {}
_RESULTS_LIMIT = 200_000
#: A component's points, stored text and the reasons of its items that earned points.
Part = tuple[int, str, tuple[str, ...]]
#: The components no lead status setting touches (base, activity, engagement), by their
#: own facts: kept across a change of the settings.
_COMPONENTS: dict[Any, Part] = {}
#: The relationship components, for the settings (`settings_text`) they were worked out with.
_RELATIONSHIP: dict[str, dict[Any, Part]] = {}
#: The earning reasons of each breakdown text this process worked out, so the history's
#: words for a change need no reading of the texts (`_earned_in` does, for the others).
_EARNED: dict[str, tuple[str, ...]] = {}


def _entries() -> dict[FactsKey, Entry]:
    """The entries by key (emptied, with the component caches, when too large)."""
    if len(_ENTRIES) + len(_COMPONENTS) > _RESULTS_LIMIT:
        _ENTRIES.clear()
        _ENTRIES_BY_TEXT.clear()
        _COMPONENTS.clear()
    return _ENTRIES


def _new_entry(own: FactsKey, text: str) -> Entry:
    entry: Entry = [text, own, None, None, None]
    _ENTRIES[own] = _ENTRIES_BY_TEXT[text] = entry
    return entry


def _relationship_parts(settings: str) -> dict[Any, Part]:
    """The relationship components for ``settings`` (those of other settings dropped)."""
    known = _RELATIONSHIP.get(settings)
    if known is None or len(known) > _RESULTS_LIMIT:
        _RELATIONSHIP.clear()
        known = _RELATIONSHIP[settings] = {}
    return known


def _facts_text(own: FactsKey) -> str:
    """A set of facts as kept in ``score_facts`` (JSON: `_facts_key` reads it back)."""
    return json.dumps(own, ensure_ascii=False, separators=(",", ":"))


def _lead_of(text: str) -> str | None:
    """The lead status of the facts kept as ``text``."""
    entry = _ENTRIES_BY_TEXT.get(text)
    lead = (entry[_KEY] if entry is not None else json.loads(text))[1]
    return None if lead is None else str(lead)


def _facts_key(text: str) -> FactsKey:
    """The facts kept as ``text``, equal to those the pass reads from the mirror."""
    values = json.loads(text)
    deals, activities = values[8], values[9]
    values[8] = tuple(deals)
    values[9] = None if activities is None else tuple(activities)
    return tuple(values)


def _mail_moment(day: str | None, *, noon: bool) -> datetime | None:
    if day is None:
        return None
    moment = datetime.fromisoformat(day).replace(tzinfo=UTC)
    return moment + timedelta(hours=12) if noon else moment


@lru_cache(maxsize=65_536)
def _why(old_text: str, new_text: str) -> str | None:
    """The history's words for a change (None: never scored before); contacts share pairs."""
    before = _EARNED.get(old_text)
    if before is None:
        before = _earned_in(old_text)
    if before is None:
        return None
    after = _EARNED.get(new_text)
    return change_between(before, _earned_in(new_text) or () if after is None else after)


#: An item of a stored breakdown: its points and reason (JSON string body), as
#: `Warmness.to_json` orders them; component totals have no reason beside them.
_ITEM = re.compile(r'"points":\s*(-?\d+),\s*"reason":\s*"((?:[^"\\]|\\.)*)"')


@lru_cache(maxsize=16_384)
def _earned_in(text: str) -> tuple[str, ...] | None:
    """Reasons of the items that earned points in a stored breakdown (None: not one).

    Read with a pattern rather than parsed: a pass that moves every score reads
    thousands of distinct breakdowns, and walking their parsed JSON cost more than
    scoring them.
    """
    if not text.lstrip().startswith("{"):
        return None
    return tuple(
        json.loads(f'"{reason}"') if "\\" in reason else reason
        for points, reason in _ITEM.findall(text)
        if int(points)
    )


def _write(
    db: Database,
    changes: list[Change],
    now: datetime,
    progress: Callable[[int, int], None] | None,
    looked_at: int,
    scorer: _Scorer,
    *,
    rebuild: bool = False,
) -> None:
    """Write the changed rows in rowid order: a transaction per chunk, or (``rebuild``:
    most contacts changed) one transaction that builds the score's indexes anew."""
    if progress is not None and not changes:
        progress(looked_at, looked_at)
    if not changes:
        return
    changes.sort(key=lambda change: change[2])
    written = 0
    for part in [changes] if rebuild else chunked(changes, WRITE_CHUNK):
        with db.session() as session:
            raw = _raw(session.connection())
            (cache,) = raw.execute("PRAGMA cache_size").fetchone()
            raw.execute(f"PRAGMA cache_size = {-WRITE_CACHE_KIB}")
            try:
                if rebuild:
                    with _score_indexes_rebuilt(raw):
                        _write_rows(raw, part, now, scorer)
                else:
                    _write_rows(raw, part, now, scorer)
            finally:
                raw.execute(f"PRAGMA cache_size = {int(cache)}")
        written += len(part)
        if progress is not None:
            progress(looked_at - len(changes) + written, looked_at)


@contextmanager
def _score_indexes_rebuilt(raw: sqlite3.Connection) -> Iterator[None]:
    """Drop the contacts' indexes holding the score, and create them again on leaving,
    with their planner statistics, in the caller's transaction.

    Moving a row's score moves its entry in each of them (the My-500 orders); for most
    rows at once, sorting every entry anew costs about half as much. Readers keep their
    snapshot (WAL) with the indexes until the commit.
    """
    indexes = raw.execute(_SCORE_INDEXES_SQL).fetchall()
    stats: list[Any] = []
    if raw.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        names = [name for name, _sql in indexes]
        stats = raw.execute(
            f"SELECT tbl, idx, stat FROM sqlite_stat1 WHERE idx IN ({', '.join('?' * len(names))})",
            names,
        ).fetchall()
    for name, _sql in indexes:
        raw.execute(f'DROP INDEX "{name}"')
    yield
    for _name, sql in indexes:
        raw.execute(sql)
    if stats:  # a mirror never analysed has no sqlite_stat1 to put them back in
        raw.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", stats)


def _write_rows(
    raw: sqlite3.Connection, changes: Sequence[Change], now: datetime, scorer: _Scorer
) -> None:
    """Update the changed rows and keep their score changes, in the caller's transaction."""
    if not changes:
        return
    stamp = to_text(now)
    scorer.breakdowns.ensure(raw, (change[1] for change in changes))
    scorer.facts.ensure(raw, (change[4] for change in changes))
    ids, facts_ids = scorer.breakdowns.by_text, scorer.facts.by_text
    raw.executemany(
        _UPDATE_SQL,
        [
            (score, ids[text], stamp, facts_ids[facts], rowid)
            for score, text, rowid, _history, facts, moved in changes
            if moved
        ],
    )
    raw.executemany(
        _KEEP_SCORE_SQL,
        [
            (ids[text], stamp, facts_ids[facts], rowid)
            for _score, text, rowid, _history, facts, moved in changes
            if not moved
        ],
    )
    history = [change[3] for change in changes if change[3] is not None]
    if history:
        record_changes(raw, history, now.astimezone(UTC).date())


def _recent_from(now: datetime) -> str:
    return date_to_text(now.astimezone(UTC).date() - timedelta(days=RECENT_WINDOW_DAYS)) or ""


def _contact_count(conn: Connection) -> int:
    return int(_raw(conn).execute("SELECT max(rowid) FROM contacts").fetchone()[0] or 0)


def _parse_day(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _raw(conn: Connection) -> sqlite3.Connection:
    """The plain sqlite3 connection under ``conn``: rows as tuples, no per-row objects."""
    driver = conn.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)
    return driver
