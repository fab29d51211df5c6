"""Warmness score: how warm a contact is (0..10), and where every point came from.

A pure function of a contact's facts and an injected `now`, so it can be recomputed for
every contact whenever a day passes and tested without a clock. The rules are the
constants below; the code only applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from functools import lru_cache
from typing import Any, Final

__all__ = [
    "COMPONENTS",
    "ActivityFact",
    "ContactFacts",
    "ScoreComponent",
    "Warmness",
    "WarmnessBand",
    "compute_many",
    "compute_warmness",
    "score_needs_recompute",
]

# --- The rules ------------------------------------------------------------------------------
#
# component     | fact                                          | points
# --------------+-----------------------------------------------+-------------------------
# base          | has email / phone / organization / job title  | +1 each
# activity      | activity due in the last 30 days (inclusive)  | +1 each, at most 3
# activity      | among those: a meeting / a call / an email    | +2 / +1 / +1, once per type
# relationship  | total deal value > 10,000 / > 1,000           | +2 / +1 (strictly greater)
# relationship  | lead status "qualified" or "contacted"        | +1
# engagement    | last activity < 7 / < 30 / > 90 days ago      | +2 / +1 / -1 (30..90: 0)
# engagement    | incoming / outgoing mail > 0.5                | +1
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
LEAD_STATUS_POINTS: Final[dict[str, int]] = {"qualified": 1, "contacted": 1}

#: (fewer days than this since the last activity, points), nearest tier first.
RECENCY_TIERS: Final[tuple[tuple[int, int], ...]] = ((7, 2), (30, 1))
STALE_AFTER_DAYS: Final = 90
STALE_POINTS: Final = -1

RESPONSE_RATE_THRESHOLD: Final = 0.5
RESPONSE_RATE_POINTS: Final = 1

SCORE_MIN: Final = 0
SCORE_MAX: Final = 10


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
    total_deal_value: float = 0.0
    lead_status: str | None = None
    last_activity: datetime | None = None  # most recent activity moment, tz-aware UTC
    incoming_mail_count: int | None = None
    outgoing_mail_count: int | None = None


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

_LEAD_STATUS_ITEMS: Final[dict[str, ScoreComponent]] = {
    status: ScoreComponent(points, f"lead status {status}")
    for status, points in LEAD_STATUS_POINTS.items()
}

_EMPTY: Final[tuple[ScoreComponent, ...]] = ()


@lru_cache(maxsize=64)
def _recent_item(count: int) -> ScoreComponent:
    noun = "activity" if count == 1 else "activities"
    reason = f"{count} recent {noun} (last {RECENT_WINDOW_DAYS} days)"
    if count > RECENT_ACTIVITY_CAP:
        reason += f", counted up to {RECENT_ACTIVITY_CAP}"
    return ScoreComponent(min(count, RECENT_ACTIVITY_CAP) * RECENT_ACTIVITY_POINTS, reason)


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
def _activity_items(count: int, kinds: frozenset[str]) -> tuple[tuple[ScoreComponent, ...], int]:
    """Items and points for `count` recent activities whose types are `kinds`."""
    lowered = {kind.casefold() for kind in kinds}
    bonus = [item for kind, item in _TYPE_BONUS_ITEMS.items() if kind in lowered]
    items = (_recent_item(count), *bonus)
    return items, sum(item.points for item in items)


def _deal_item(total: float) -> ScoreComponent | None:
    for floor, points in DEAL_VALUE_TIERS:
        if total > floor:
            shown = f"{total:,.2f}".removesuffix(".00")
            return ScoreComponent(points, f"deals worth {shown} in total")
    return None


def _response_item(incoming: int | None, outgoing: int | None) -> ScoreComponent | None:
    if incoming is None or outgoing is None or outgoing <= 0:
        return None
    rate = incoming / outgoing
    if rate <= RESPONSE_RATE_THRESHOLD:
        return None
    return ScoreComponent(
        RESPONSE_RATE_POINTS,
        f"response rate {rate:.0%} ({incoming} received / {outgoing} sent)",
    )


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


def _compute(facts: ContactFacts, now: datetime, recent_from: date, today: date) -> Warmness:
    base = _BASE_ITEMS[
        (facts.has_email, facts.has_phone, facts.has_organization, facts.has_job_title)
    ]
    raw = len(base) * BASE_POINTS_PER_FIELD

    activity = _EMPTY
    if facts.activities:
        recent = 0
        kinds: set[str] = set()
        for act in facts.activities:
            due = act.due_date
            if due is not None and recent_from <= due <= today:
                recent += 1
                kinds.add(act.type)
        if recent:
            activity, points = _activity_items(recent, frozenset(kinds))
            raw += points

    deal = _deal_item(facts.total_deal_value) if facts.total_deal_value else None
    status = (
        _LEAD_STATUS_ITEMS.get(facts.lead_status.strip().casefold()) if facts.lead_status else None
    )
    relationship, points = _pair(deal, status)
    raw += points

    recency = None
    last = facts.last_activity
    if last is not None:
        if last.tzinfo is None:
            last = last.replace(tzinfo=UTC)
        days = (now - last).days
        recency = _recency_item(days if days > 0 else 0)
    response = _response_item(facts.incoming_mail_count, facts.outgoing_mail_count)
    engagement, points = _pair(recency, response)
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


def compute_warmness(facts: ContactFacts, now: datetime) -> Warmness:
    """Score one contact as of `now` (tz-aware; a naive value is read as UTC).

    Readings of the rules: "recent" means due between today-30 and today inclusive (UTC
    calendar days), done or not; the meeting/call/email bonus counts once per type present
    among recent activities (two meetings still give +2); days since the last activity are
    whole days rounded down, and a last activity in the future counts as today.
    """
    return _compute(facts, *_window(now))


def compute_many(facts: Iterable[ContactFacts], now: datetime) -> list[Warmness]:
    """Score many contacts against one `now`, working out the date window once."""
    moment, recent_from, today = _window(now)
    return [_compute(f, moment, recent_from, today) for f in facts]


def score_needs_recompute(last_computed: datetime, now: datetime) -> bool:
    """Whether time alone may have moved scores: the UTC calendar day has changed."""
    return _as_utc(last_computed).date() != _as_utc(now).date()
