"""Warmness score: how warm a contact is (0..10), and where every point came from.

A pure function of a contact's facts and an injected `now`, so it can be recomputed for
every contact whenever a day passes and tested without a clock. The rules are the
constants below; the code only applies them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "COMPONENTS",
    "DEFAULT_LEAD_STATUS_VALUES",
    "NO_MAIL_DATA",
    "ActivityFact",
    "ContactFacts",
    "LeadStatusValues",
    "ScoreComponent",
    "Warmness",
    "WarmnessBand",
    "change_between",
    "change_reason",
    "compute_many",
    "compute_warmness",
    "day_text",
    "lead_status_points",
    "lead_status_reads_alike",
    "mail_points",
    "score_needs_recompute",
]

# --- The rules ------------------------------------------------------------------------------
#
# component     | fact                                          | points
# --------------+-----------------------------------------------+-------------------------
# base          | has email / phone / organization / job title  | +1 each
# activity      | activity due later than 30 days ago (inclusive;| +1 each, at most 3
#               | scheduled ones, due after today, count too)   |
# activity      | among those: a meeting / a call / an email    | +2 / +1 / +1, once per type
# relationship  | open + won deal value > 10,000 / > 1,000      | +2 / +1 (strictly greater)
#               | (lost deals do not count; the reason says so; |
#               | amounts in different currencies are never    |
#               | added: the largest one currency's total counts)|
# relationship  | lead status counting as qualified / contacted | +1 (values configurable)
# engagement    | last activity < 7 / < 30 / > 90 days ago      | +2 / +1 / -1 (30..90: 0)
# engagement    | incoming / outgoing mail > 0.5                | +1 (see `mail_points`)
# score         | sum of all of the above, clamped              | 0..10

BASE: Final = "base"
ACTIVITY: Final = "activity"
RELATIONSHIP: Final = "relationship"
ENGAGEMENT: Final = "engagement"
COMPONENTS: Final[tuple[str, ...]] = (BASE, ACTIVITY, RELATIONSHIP, ENGAGEMENT)

BASE_POINTS_PER_FIELD: Final = 1

RECENT_WINDOW_DAYS: Final = 30
RECENT_ACTIVITY_POINTS: Final = 1
RECENT_ACTIVITY_CAP: Final = 3
#: Bonus for the *presence* of a type among recent activities, not per activity.
RECENT_TYPE_BONUS: Final[dict[str, int]] = {"meeting": 2, "call": 1, "email": 1}

#: (strictly greater than this total, points), highest tier first.
DEAL_VALUE_TIERS: Final[tuple[tuple[float, int], ...]] = ((10_000.0, 2), (1_000.0, 1))
LEAD_STATUS_POINTS: Final = 1
LEAD_STATUS_KINDS: Final[tuple[str, ...]] = ("qualified", "contacted")

#: (fewer days than this since the last activity, points), nearest tier first.
RECENCY_TIERS: Final[tuple[tuple[int, int], ...]] = ((7, 2), (30, 1))
STALE_AFTER_DAYS: Final = 90
STALE_POINTS: Final = -1

RESPONSE_RATE_THRESHOLD: Final = 0.5
RESPONSE_RATE_POINTS: Final = 1

SCORE_MIN: Final = 0
SCORE_MAX: Final = 10

#: The engagement reason of a contact Pipedrive gave no mail facts for.
NO_MAIL_DATA: Final = "no mail data"

_WEEKDAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def day_text(day: date) -> str:
    """ "Tue 8 Dec": a date as reasons name it, the same in every locale."""
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"


@dataclass(frozen=True, slots=True)
class LeadStatusValues:
    """Which lead status values count as "qualified" and "contacted" (case-insensitive).

    `field_chosen` says whether a Pipedrive person field was chosen to hold the lead
    status: False makes the breakdown say so for contacts without one; None (unknown,
    the default) says nothing.
    """

    qualified: tuple[str, ...] = ("qualified",)
    contacted: tuple[str, ...] = ("contacted",)
    field_chosen: bool | None = None

    def kind(self, value: str | None) -> str | None:
        """ "qualified", "contacted" or None for a stored lead status value."""
        if not value:
            return None
        folded = value.strip().casefold()
        if folded in {v.strip().casefold() for v in self.qualified}:
            return "qualified"
        if folded in {v.strip().casefold() for v in self.contacted}:
            return "contacted"
        return None


DEFAULT_LEAD_STATUS_VALUES: Final = LeadStatusValues()


def lead_status_points(value: str | None, values: LeadStatusValues) -> int:
    """The relationship point a lead status earns."""
    return LEAD_STATUS_POINTS if values.kind(value) is not None else 0


def mail_points(
    incoming: int | None,
    outgoing: int | None,
    last_incoming: datetime | None,
    last_outgoing: datetime | None,
) -> int:
    """The engagement point for replies: the rule's "incoming / outgoing mail > 0.5".

    Pipedrive's person listing has no per-direction counts; it gives the times of the
    last mail received from and sent to the person (when the mailbox is connected). So:
    counts, when some source has them, give the rate; otherwise a person whose last mail
    to you came after (or without) your last mail to them has answered, and earns it.
    """
    if incoming is not None and outgoing is not None and outgoing > 0:
        return RESPONSE_RATE_POINTS if incoming / outgoing > RESPONSE_RATE_THRESHOLD else 0
    if last_incoming is None:
        return 0
    if last_outgoing is None or last_incoming >= last_outgoing:
        return RESPONSE_RATE_POINTS
    return 0


class WarmnessBand(Enum):
    """The cold / warm / hot bands the list is filtered and coloured by (inclusive)."""

    COLD = (0, 3)
    WARM = (4, 6)
    HOT = (7, 10)

    @property
    def low(self) -> int:
        return self.value[0]

    @property
    def high(self) -> int:
        return self.value[1]

    @classmethod
    def of(cls, score: int) -> WarmnessBand:
        """The band a (clamped) score falls in."""
        if score >= cls.HOT.low:
            return cls.HOT
        if score >= cls.WARM.low:
            return cls.WARM
        return cls.COLD


# --- Facts in, score out --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityFact:
    """One Pipedrive activity as far as the score cares."""

    type: str  # call, meeting, email, task, deadline, lunch, or a custom key
    due_date: date | None
    done: bool = False
    add_time: datetime | None = None  # tz-aware UTC


@dataclass(frozen=True, slots=True)
class ContactFacts:
    """Everything the score reads about one contact; built by the store, not by Qt."""

    has_email: bool
    has_phone: bool
    has_organization: bool
    has_job_title: bool
    activities: tuple[ActivityFact, ...] = ()
    total_deal_value: float = 0.0  # open and won deals only, of one currency (below)
    lead_status: str | None = None  # the chosen person field's value (an option's label)
    last_activity: datetime | None = None  # most recent activity moment, tz-aware UTC
    incoming_mail_count: int | None = None
    outgoing_mail_count: int | None = None
    lost_deal_count: int = 0  # lost deals, named in the breakdown as not counted
    email_messages_count: int | None = None  # Pipedrive's include_fields
    last_incoming_mail: datetime | None = None  # tz-aware UTC (naive read as UTC)
    last_outgoing_mail: datetime | None = None
    #: The currency of ``total_deal_value`` (None: not known), and how many currencies
    #: the contact's open and won deals are in: their totals are never added together.
    deal_currency: str | None = None
    deal_currencies: int = 1


@dataclass(frozen=True, slots=True)
class ScoreComponent:
    """Points and the human reason for them, shown in the score's explanation."""

    points: int
    reason: str


@dataclass(frozen=True, slots=True)
class Warmness:
    """The clamped score, the unclamped sum, and the items behind it per component."""

    score: int
    breakdown: dict[str, tuple[ScoreComponent, ...]] = field(hash=False)
    raw: int

    def to_json(self) -> dict[str, Any]:
        """The form stored in contacts.warmness_breakdown and shown by `export`."""
        return {
            "score": self.score,
            "raw": self.raw,
            "components": {
                name: {
                    "points": sum(item.points for item in items),
                    "items": [{"points": item.points, "reason": item.reason} for item in items],
                }
                for name, items in self.breakdown.items()
            },
        }


# --- Reasons (shared instances: the score runs for every contact on every day change) ---


def _base_items(email: bool, phone: bool, org: bool, title: bool) -> tuple[ScoreComponent, ...]:
    flags = (
        (email, "has email"),
        (phone, "has phone"),
        (org, "has organization"),
        (title, "has job title"),
    )
    return tuple(ScoreComponent(BASE_POINTS_PER_FIELD, reason) for on, reason in flags if on)


_BASE_ITEMS: Final[dict[tuple[bool, bool, bool, bool], tuple[ScoreComponent, ...]]] = {
    (e, p, o, t): _base_items(e, p, o, t)
    for e in (False, True)
    for p in (False, True)
    for o in (False, True)
    for t in (False, True)
}

_TYPE_BONUS_ITEMS: Final[dict[str, ScoreComponent]] = {
    kind: ScoreComponent(points, f"{kind} in the last {RECENT_WINDOW_DAYS} days")
    for kind, points in RECENT_TYPE_BONUS.items()
}

_EMPTY: Final[tuple[ScoreComponent, ...]] = ()


@lru_cache(maxsize=256)
def _recent_item(count: int, scheduled: int = 0) -> ScoreComponent:
    noun = "activity" if count == 1 else "activities"
    if scheduled:
        past = count - scheduled
        reason = (
            f"{count} {noun}: {past} in the last {RECENT_WINDOW_DAYS} days, {scheduled} scheduled"
        )
    else:
        reason = f"{count} recent {noun} (last {RECENT_WINDOW_DAYS} days)"
    if count > RECENT_ACTIVITY_CAP:
        reason += f", counted up to {RECENT_ACTIVITY_CAP}"
    return ScoreComponent(min(count, RECENT_ACTIVITY_CAP) * RECENT_ACTIVITY_POINTS, reason)


@lru_cache(maxsize=4096)
def _scheduled_bonus_item(kind: str, due: date) -> ScoreComponent:
    return ScoreComponent(RECENT_TYPE_BONUS[kind], f"{kind} scheduled {day_text(due)}")


def _recency_points(days: int) -> int:
    for limit, points in RECENCY_TIERS:
        if days < limit:
            return points
    return STALE_POINTS if days > STALE_AFTER_DAYS else 0


@lru_cache(maxsize=4096)
def _recency_item(days: int) -> ScoreComponent | None:
    # The reason names the rule's bracket, not the day count: the explanation (and the
    # stored row) then changes only when a contact crosses a bracket, not every day.
    points = _recency_points(days)
    if not points:
        return None
    if points < 0:
        return ScoreComponent(points, f"no activity for over {STALE_AFTER_DAYS} days")
    limit = next(limit for limit, tier_points in RECENCY_TIERS if days < limit)
    return ScoreComponent(points, f"last activity within {limit} days")


@lru_cache(maxsize=4096)
def _activity_items(
    count: int,
    kinds: frozenset[str],
    scheduled: tuple[tuple[str, date], ...] = (),
    scheduled_count: int = 0,
) -> tuple[tuple[ScoreComponent, ...], int]:
    """Items and points for `count` recent activities whose types are `kinds`.

    `scheduled` holds, per bonus type seen only among scheduled activities (due after
    today), the type and its first due date: its bonus names it ("meeting scheduled
    Tue 8 Dec"). Other bonus types were due in the last 30 days. `scheduled_count` of
    the `count` activities are scheduled.
    """
    lowered = {kind.casefold() for kind in kinds}
    first_due = dict(scheduled)
    bonus = [
        _scheduled_bonus_item(kind, first_due[kind]) if kind in first_due else item
        for kind, item in _TYPE_BONUS_ITEMS.items()
        if kind in lowered or kind in first_due
    ]
    items = (_recent_item(count, scheduled_count), *bonus)
    return items, sum(item.points for item in items)


def _deal_item(
    total: float, lost: int = 0, currency: str | None = None, currencies: int = 1
) -> ScoreComponent | None:
    lost_note = ""
    if lost:
        lost_note = f"; {lost} lost deal{'' if lost == 1 else 's'} not counted"
    for floor, points in DEAL_VALUE_TIERS:
        if total > floor:
            shown = f"{total:,.2f}".removesuffix(".00")
            if currency:
                shown = f"{shown} {currency}"
            if currencies > 1:
                shown = f"{shown}, the largest of {currencies} currencies (never added up)"
            else:
                shown = f"{shown} in total"
            return ScoreComponent(points, f"deals worth {shown}{lost_note}")
    if lost:
        return ScoreComponent(0, f"{lost} lost deal{'' if lost == 1 else 's'}, not counted")
    return None


@lru_cache(maxsize=256)
def _lead_item(value: str | None, values: LeadStatusValues) -> ScoreComponent | None:
    if not value or not value.strip():
        return (
            ScoreComponent(0, "no lead status field chosen")
            if values.field_chosen is False
            else None
        )
    kind = values.kind(value)
    shown = value.strip()
    if kind is None:
        return ScoreComponent(0, f"lead status {shown} (not qualified or contacted)")
    if shown.casefold() == kind:
        return ScoreComponent(LEAD_STATUS_POINTS, f"lead status {kind}")
    return ScoreComponent(LEAD_STATUS_POINTS, f"lead status {shown} (counts as {kind})")


def lead_status_reads_alike(
    value: str | None, before: LeadStatusValues, after: LeadStatusValues
) -> bool:
    """Whether a lead status ``value`` earns the same point, said the same way, under
    both settings: if so, no score of a contact holding it moves with the change."""
    return _lead_item(value, before) == _lead_item(value, after)


_NO_MAIL_ITEM: Final = ScoreComponent(0, NO_MAIL_DATA)


def _response_item(facts: ContactFacts) -> ScoreComponent:
    incoming, outgoing = facts.incoming_mail_count, facts.outgoing_mail_count
    last_in, last_out = facts.last_incoming_mail, facts.last_outgoing_mail
    points = mail_points(incoming, outgoing, last_in, last_out)
    if incoming is not None and outgoing is not None and outgoing > 0:
        rate = incoming / outgoing
        return ScoreComponent(
            points, f"response rate {rate:.0%} ({incoming} received / {outgoing} sent)"
        )
    if last_in is None and last_out is None:
        return _NO_MAIL_ITEM
    if last_in is None:
        assert last_out is not None
        return ScoreComponent(0, f"no reply to mail sent {day_text(_as_utc(last_out).date())}")
    received = day_text(_as_utc(last_in).date())
    if last_out is None:
        return ScoreComponent(points, f"mail received {received}, none sent")
    sent = day_text(_as_utc(last_out).date())
    if points:
        return ScoreComponent(points, f"replied: mail received {received} after mail sent {sent}")
    return ScoreComponent(0, f"no reply yet to mail sent {sent} (last received {received})")


# --- Computation ----------------------------------------------------------------------------


def _as_utc(moment: datetime) -> datetime:
    """Naive datetimes are read as UTC, the store's convention; aware ones are converted."""
    tz = moment.tzinfo
    if tz is UTC:
        return moment
    if tz is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _pair(
    first: ScoreComponent | None, second: ScoreComponent | None
) -> tuple[tuple[ScoreComponent, ...], int]:
    """Items and their points for a component made of at most two optional items."""
    if first is None:
        return (_EMPTY, 0) if second is None else ((second,), second.points)
    if second is None:
        return (first,), first.points
    return (first, second), first.points + second.points


def _compute(
    facts: ContactFacts,
    now: datetime,
    recent_from: date,
    today: date,
    lead_values: LeadStatusValues = DEFAULT_LEAD_STATUS_VALUES,
) -> Warmness:
    base = _BASE_ITEMS[
        (facts.has_email, facts.has_phone, facts.has_organization, facts.has_job_title)
    ]
    raw = len(base) * BASE_POINTS_PER_FIELD

    activity = _EMPTY
    if facts.activities:
        recent = 0
        kinds: set[str] = set()
        ahead: dict[str, date] = {}
        for act in facts.activities:
            due = act.due_date
            if due is None or due < recent_from:
                continue
            recent += 1
            if due > today:
                kind = act.type.casefold()
                if kind in RECENT_TYPE_BONUS and (kind not in ahead or due < ahead[kind]):
                    ahead[kind] = due
            else:
                kinds.add(act.type)
        if recent:
            scheduled_count = sum(
                1 for a in facts.activities if a.due_date is not None and a.due_date > today
            )
            lowered = {kind.casefold() for kind in kinds}
            scheduled = tuple(sorted((k, d) for k, d in ahead.items() if k not in lowered))
            activity, points = _activity_items(recent, frozenset(kinds), scheduled, scheduled_count)
            raw += points

    deal = (
        _deal_item(
            facts.total_deal_value,
            facts.lost_deal_count,
            facts.deal_currency,
            facts.deal_currencies,
        )
        if facts.total_deal_value or facts.lost_deal_count
        else None
    )
    status = _lead_item(facts.lead_status, lead_values)
    relationship, points = _pair(deal, status)
    raw += points

    recency = None
    last = facts.last_activity
    if last is not None:
        if last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        days = (now - last).days
        recency = _recency_item(days if days > 0 else 0)
    engagement, points = _pair(recency, _response_item(facts))
    raw += points

    return Warmness(
        score=SCORE_MIN if raw < SCORE_MIN else SCORE_MAX if raw > SCORE_MAX else raw,
        breakdown={
            BASE: base,
            ACTIVITY: activity,
            RELATIONSHIP: relationship,
            ENGAGEMENT: engagement,
        },
        raw=raw,
    )


@lru_cache(maxsize=8)
def _window(now: datetime) -> tuple[datetime, date, date]:
    """`now` in UTC and the "recent" date range; cached as callers reuse one `now`."""
    now = _as_utc(now)
    today = now.date()
    return now, today - timedelta(days=RECENT_WINDOW_DAYS), today


def compute_warmness(
    facts: ContactFacts,
    now: datetime,
    lead_values: LeadStatusValues = DEFAULT_LEAD_STATUS_VALUES,
) -> Warmness:
    """Score one contact as of `now` (tz-aware; a naive value is read as UTC).

    Readings of the rules: "recent" means due on or after today-30 (UTC calendar days),
    done or not, scheduled ones (due after today) included, as the specification's "due
    date later than 30 days ago" says; the meeting/call/email bonus counts once per type
    present among them (two meetings still give +2); days since the last activity are
    whole days rounded down, and a last activity in the future counts as today. Lost
    deals add nothing to the deal value. `lead_values` says which lead statuses count.
    """
    return _compute(facts, *_window(now), lead_values)


def compute_many(
    facts: Iterable[ContactFacts],
    now: datetime,
    lead_values: LeadStatusValues = DEFAULT_LEAD_STATUS_VALUES,
) -> list[Warmness]:
    """Score many contacts against one `now`, working out the date window once."""
    moment, recent_from, today = _window(now)
    return [_compute(f, moment, recent_from, today, lead_values) for f in facts]


def score_needs_recompute(last_computed: datetime, now: datetime) -> bool:
    """Whether time alone may have moved scores: the UTC calendar day has changed."""
    return _as_utc(last_computed).date() != _as_utc(now).date()


def _earned(breakdown: Mapping[str, Any] | None) -> list[str]:
    """Reasons of the items that moved the score, in a stored breakdown (to_json form)."""
    if not isinstance(breakdown, Mapping):
        return []
    components = breakdown.get("components")
    if not isinstance(components, Mapping):
        return []
    reasons = []
    for component in components.values():
        items = component.get("items") if isinstance(component, Mapping) else None
        for item in items if isinstance(items, list) else ():
            if isinstance(item, Mapping) and item.get("points"):
                reasons.append(str(item.get("reason") or ""))
    return reasons


def change_reason(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> str:
    """What changed between two stored breakdowns, in words, for the score history.

    Reasons that now earn points are listed as they are; those that no longer do after
    "no longer:". `old` None (never scored before) gives "first score".
    """
    if old is None:
        return "first score"
    return change_between(_earned(old), _earned(new))


def change_between(before: Sequence[str], after: Sequence[str]) -> str:
    """`change_reason` from the reasons that earned points before and after."""
    gained = [reason for reason in after if reason not in before]
    lost = [f"no longer: {reason}" for reason in before if reason not in after]
    return "; ".join(gained + lost) or "score recomputed"
