"""Warmness rules, one table per rule, with every boundary the spec names."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from pipedriven_desktop.domain.warmness import (
    COMPONENTS,
    NO_MAIL_DATA,
    ActivityFact,
    ContactFacts,
    LeadStatusValues,
    ScoreComponent,
    Warmness,
    change_reason,
    compute_many,
    compute_warmness,
    lead_status_reads_alike,
    score_needs_recompute,
)

NOW = datetime(2025, 6, 15, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def facts(**overrides: object) -> ContactFacts:
    """A contact with nothing at all, plus the given facts."""
    values: dict[str, object] = {
        "has_email": False,
        "has_phone": False,
        "has_organization": False,
        "has_job_title": False,
    }
    values.update(overrides)
    return ContactFacts(**values)  # type: ignore[arg-type]


def days_ago(days: int, kind: str = "task", *, done: bool = False) -> ActivityFact:
    return ActivityFact(type=kind, due_date=TODAY - timedelta(days=days), done=done)


def points(result: Warmness, component: str) -> int:
    return sum(item.points for item in result.breakdown[component])


def reasons(result: Warmness, component: str) -> list[str]:
    return [item.reason for item in result.breakdown[component]]


# --- base -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "expected", "expected_reasons"),
    [
        ({}, 0, []),
        ({"has_email": True}, 1, ["has email"]),
        ({"has_phone": True}, 1, ["has phone"]),
        ({"has_organization": True}, 1, ["has organization"]),
        ({"has_job_title": True}, 1, ["has job title"]),
        ({"has_email": True, "has_phone": True}, 2, ["has email", "has phone"]),
        (
            {
                "has_email": True,
                "has_phone": True,
                "has_organization": True,
                "has_job_title": True,
            },
            4,
            ["has email", "has phone", "has organization", "has job title"],
        ),
    ],
)
def test_base_one_point_per_field(
    flags: dict[str, bool], expected: int, expected_reasons: list[str]
) -> None:
    result = compute_warmness(facts(**flags), NOW)
    assert points(result, "base") == expected
    assert reasons(result, "base") == expected_reasons
    assert result.score == expected


# --- activity: what counts as recent --------------------------------------------------------


@pytest.mark.parametrize(
    ("offset_days", "is_recent"),
    [
        (-30, True),  # scheduled a month ahead: "due later than 30 days ago"
        (-1, True),  # due tomorrow
        (0, True),  # due today
        (1, True),
        (29, True),
        (30, True),  # inclusive lower bound
        (31, False),
        (365, False),
    ],
)
def test_recent_means_due_later_than_30_days_ago_inclusive(
    offset_days: int, is_recent: bool
) -> None:
    result = compute_warmness(facts(activities=(days_ago(offset_days),)), NOW)
    assert points(result, "activity") == (1 if is_recent else 0)


def test_recent_window_uses_the_utc_calendar_day_not_24h_periods() -> None:
    late = datetime(2025, 6, 15, 23, 59, tzinfo=UTC)
    early = datetime(2025, 6, 15, 0, 1, tzinfo=UTC)
    thirty = (ActivityFact("task", date(2025, 5, 16)),)
    assert points(compute_warmness(facts(activities=thirty), late), "activity") == 1
    assert points(compute_warmness(facts(activities=thirty), early), "activity") == 1


def test_activity_without_due_date_is_not_recent() -> None:
    result = compute_warmness(facts(activities=(ActivityFact("meeting", None),)), NOW)
    assert result.breakdown["activity"] == ()


def test_done_and_open_activities_both_count() -> None:
    acts = (days_ago(1, done=True), days_ago(2, done=False))
    assert points(compute_warmness(facts(activities=acts), NOW), "activity") == 2


@pytest.mark.parametrize(
    ("count", "expected", "reason"),
    [
        (0, 0, None),
        (1, 1, "1 recent activity (last 30 days)"),
        (2, 2, "2 recent activities (last 30 days)"),
        (3, 3, "3 recent activities (last 30 days)"),
        (4, 3, "4 recent activities (last 30 days), counted up to 3"),
        (10, 3, "10 recent activities (last 30 days), counted up to 3"),
    ],
)
def test_recent_activities_count_up_to_three(count: int, expected: int, reason: str | None) -> None:
    acts = (*(days_ago(i % 30) for i in range(count)), days_ago(45), days_ago(400))
    result = compute_warmness(facts(activities=acts), NOW)
    assert points(result, "activity") == expected
    assert reasons(result, "activity") == ([reason] if reason else [])


@pytest.mark.parametrize(
    ("kinds", "expected_bonus"),
    [
        (("task",), 0),
        (("deadline",), 0),
        (("lunch",), 0),
        (("my_custom_type",), 0),
        (("meeting",), 2),
        (("call",), 1),
        (("email",), 1),
        (("Meeting",), 2),  # type keys compared case-insensitively
        (("meeting", "call", "email"), 4),
        (("meeting", "meeting"), 2),  # presence of the type, not per activity
        (("call", "call", "call"), 1),
    ],
)
def test_type_bonus_once_per_type_among_recent(kinds: tuple[str, ...], expected_bonus: int) -> None:
    acts = tuple(days_ago(3, kind) for kind in kinds)
    result = compute_warmness(facts(activities=acts), NOW)
    recent_points = min(len(kinds), 3)
    assert points(result, "activity") == recent_points + expected_bonus


def test_type_bonus_only_for_recent_activities() -> None:
    acts = (days_ago(31, "meeting"), days_ago(5, "task"))
    result = compute_warmness(facts(activities=acts), NOW)
    assert points(result, "activity") == 1
    assert reasons(result, "activity") == ["1 recent activity (last 30 days)"]


def test_scheduled_activity_counts_and_is_named() -> None:
    # 2025-06-15 is a Sunday: a meeting booked for Tuesday is warmth already.
    acts = (days_ago(-2, "meeting"), days_ago(-9, "meeting"), days_ago(5, "task"))
    result = compute_warmness(facts(activities=acts), NOW)
    assert result.breakdown["activity"] == (
        ScoreComponent(3, "3 activities: 1 in the last 30 days, 2 scheduled"),
        ScoreComponent(2, "meeting scheduled Tue 17 Jun"),
    )


def test_a_type_also_due_in_the_past_is_not_called_scheduled() -> None:
    acts = (days_ago(-2, "call"), days_ago(3, "call"))
    result = compute_warmness(facts(activities=acts), NOW)
    assert reasons(result, "activity") == [
        "2 activities: 1 in the last 30 days, 1 scheduled",
        "call in the last 30 days",
    ]


def test_type_bonus_reasons() -> None:
    acts = (days_ago(1, "email"), days_ago(2, "meeting"), days_ago(3, "call"))
    result = compute_warmness(facts(activities=acts), NOW)
    assert result.breakdown["activity"] == (
        ScoreComponent(3, "3 recent activities (last 30 days)"),
        ScoreComponent(2, "meeting in the last 30 days"),
        ScoreComponent(1, "call in the last 30 days"),
        ScoreComponent(1, "email in the last 30 days"),
    )


# --- relationship ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected", "reason"),
    [
        (0.0, 0, None),
        (-5_000.0, 0, None),
        (999.99, 0, None),
        (1_000.0, 0, None),  # strictly greater than 1,000
        (1_000.01, 1, "deals worth 1,000.01 in total"),
        (5_000.0, 1, "deals worth 5,000 in total"),
        (10_000.0, 1, None),  # exactly 10,000 is still the lower tier
        (10_000.01, 2, "deals worth 10,000.01 in total"),
        (12_500.0, 2, "deals worth 12,500 in total"),
        (float("nan"), 0, None),
    ],
)
def test_deal_value_tiers(total: float, expected: int, reason: str | None) -> None:
    result = compute_warmness(facts(total_deal_value=total), NOW)
    assert points(result, "relationship") == expected
    if reason is not None:
        assert reasons(result, "relationship") == [reason]


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (None, 0),
        ("", 0),
        ("new", 0),
        ("lost", 0),
        ("qualified", 1),
        ("Qualified", 1),
        ("QUALIFIED", 1),
        ("contacted", 1),
        ("Contacted ", 1),
    ],
)
def test_lead_status(status: str | None, expected: int) -> None:
    assert points(compute_warmness(facts(lead_status=status), NOW), "relationship") == expected


@pytest.mark.parametrize(
    ("status", "expected", "reason"),
    [
        ("Hot lead", 1, "lead status Hot lead (counts as qualified)"),
        ("hot LEAD", 1, "lead status hot LEAD (counts as qualified)"),
        ("Called", 1, "lead status Called (counts as contacted)"),
        ("qualified", 0, "lead status qualified (not qualified or contacted)"),
        ("New", 0, "lead status New (not qualified or contacted)"),
    ],
)
def test_lead_status_values_are_configurable(status: str, expected: int, reason: str) -> None:
    values = LeadStatusValues(qualified=("Hot Lead",), contacted=("called", "emailed"))
    result = compute_warmness(facts(lead_status=status), NOW, values)
    assert points(result, "relationship") == expected
    assert reasons(result, "relationship") == [reason]


def test_missing_lead_status_field_is_said() -> None:
    unchosen = LeadStatusValues(field_chosen=False)
    result = compute_warmness(facts(), NOW, unchosen)
    assert result.breakdown["relationship"] == (ScoreComponent(0, "no lead status field chosen"),)
    chosen = LeadStatusValues(field_chosen=True)
    assert compute_warmness(facts(), NOW, chosen).breakdown["relationship"] == ()


@pytest.mark.parametrize(
    ("total", "lost", "expected", "reason"),
    [
        (20_000.0, 1, 2, "deals worth 20,000 in total; 1 lost deal not counted"),
        (0.0, 2, 0, "2 lost deals, not counted"),
    ],
)
def test_lost_deals_are_named_as_not_counted(
    total: float, lost: int, expected: int, reason: str
) -> None:
    result = compute_warmness(facts(total_deal_value=total, lost_deal_count=lost), NOW)
    assert points(result, "relationship") == expected
    assert reasons(result, "relationship") == [reason]


@pytest.mark.parametrize(
    ("currency", "currencies", "reason"),
    [
        ("EUR", 1, "deals worth 12,500 EUR in total"),
        ("PLN", 2, "deals worth 12,500 PLN, the largest of 2 currencies (never added up)"),
        (None, 1, "deals worth 12,500 in total"),
    ],
)
def test_the_deal_value_names_its_currency(
    currency: str | None, currencies: int, reason: str
) -> None:
    result = compute_warmness(
        facts(total_deal_value=12_500.0, deal_currency=currency, deal_currencies=currencies),
        NOW,
    )
    assert points(result, "relationship") == 2
    assert reasons(result, "relationship") == [reason]


def test_deals_and_status_add_up() -> None:
    result = compute_warmness(facts(total_deal_value=20_000.0, lead_status="qualified"), NOW)
    assert points(result, "relationship") == 3
    assert reasons(result, "relationship") == [
        "deals worth 20,000 in total",
        "lead status qualified",
    ]


# --- engagement -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age", "expected", "reason"),
    [
        (None, 0, None),
        (timedelta(days=-3), 2, "last activity within 7 days"),  # future: counts as today
        (timedelta(0), 2, "last activity within 7 days"),
        (timedelta(days=1), 2, "last activity within 7 days"),
        (timedelta(days=6, hours=23, minutes=59), 2, "last activity within 7 days"),
        (timedelta(days=7), 1, "last activity within 30 days"),
        (timedelta(days=29, hours=23), 1, "last activity within 30 days"),
        (timedelta(days=30), 0, None),
        (timedelta(days=60), 0, None),
        (timedelta(days=90), 0, None),
        (timedelta(days=90, hours=23), 0, None),  # whole days, rounded down
        (timedelta(days=91), -1, "no activity for over 90 days"),
        (timedelta(days=400), -1, "no activity for over 90 days"),
    ],
)
def test_last_activity_recency(age: timedelta | None, expected: int, reason: str | None) -> None:
    last = None if age is None else NOW - age
    result = compute_warmness(facts(last_activity=last), NOW)
    assert points(result, "engagement") == expected
    assert reasons(result, "engagement") == ([reason] if reason else []) + [NO_MAIL_DATA]


@pytest.mark.parametrize(
    ("incoming", "outgoing", "expected"),
    [
        (None, None, 0),
        (5, None, 0),
        (None, 5, 0),
        (5, 0, 0),  # no rate without outgoing mail
        (0, 10, 0),
        (50, 100, 0),  # exactly 0.5 is not more than 0.5
        (51, 100, 1),
        (1, 1, 1),
        (30, 10, 1),
    ],
)
def test_response_rate(incoming: int | None, outgoing: int | None, expected: int) -> None:
    result = compute_warmness(
        facts(incoming_mail_count=incoming, outgoing_mail_count=outgoing), NOW
    )
    assert points(result, "engagement") == expected


SENT = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(
    ("count", "last_in", "last_out", "expected", "reason"),
    [
        (None, None, None, 0, NO_MAIL_DATA),
        (0, None, None, 0, NO_MAIL_DATA),
        (
            4,
            SENT + timedelta(days=1),
            SENT,
            1,
            "replied: mail received Tue 3 Jun after mail sent Mon 2 Jun",
        ),
        (
            4,
            SENT - timedelta(days=7),
            SENT,
            0,
            "no reply yet to mail sent Mon 2 Jun (last received Mon 26 May)",
        ),
        (1, None, SENT, 0, "no reply to mail sent Mon 2 Jun"),
        (1, SENT, None, 1, "mail received Mon 2 Jun, none sent"),
    ],
)
def test_reply_read_from_last_mail_times(
    count: int | None,
    last_in: datetime | None,
    last_out: datetime | None,
    expected: int,
    reason: str,
) -> None:
    result = compute_warmness(
        facts(email_messages_count=count, last_incoming_mail=last_in, last_outgoing_mail=last_out),
        NOW,
    )
    assert points(result, "engagement") == expected
    assert reasons(result, "engagement") == [reason]


def test_response_rate_reason() -> None:
    result = compute_warmness(facts(incoming_mail_count=51, outgoing_mail_count=100), NOW)
    assert reasons(result, "engagement") == ["response rate 51% (51 received / 100 sent)"]


# --- totals, clamping, serialisation --------------------------------------------------------

EVERYTHING = ContactFacts(
    has_email=True,
    has_phone=True,
    has_organization=True,
    has_job_title=True,
    activities=(days_ago(1, "meeting"), days_ago(2, "call"), days_ago(3, "email")),
    total_deal_value=50_000.0,
    lead_status="qualified",
    last_activity=NOW - timedelta(days=1),
    incoming_mail_count=9,
    outgoing_mail_count=10,
)


@pytest.mark.parametrize(
    ("contact", "raw", "score"),
    [
        (facts(), 0, 0),
        (EVERYTHING, 4 + 7 + 3 + 3, 10),  # clamped at the top
        (facts(last_activity=NOW - timedelta(days=200)), -1, 0),  # clamped at the bottom
        (facts(has_email=True, last_activity=NOW - timedelta(days=200)), 0, 0),
        (facts(has_email=True, has_phone=True, last_activity=NOW - timedelta(days=200)), 1, 1),
        (
            facts(
                has_email=True,
                has_phone=True,
                has_organization=True,
                has_job_title=True,
                activities=(days_ago(1, "meeting"), days_ago(2, "task")),
            ),
            4 + 2 + 2,
            8,
        ),
        (
            facts(
                has_email=True,
                has_phone=True,
                has_organization=True,
                has_job_title=True,
                activities=(days_ago(1, "meeting"), days_ago(2, "task")),
                total_deal_value=2_000.0,
                lead_status="contacted",
            ),
            10,
            10,
        ),
    ],
)
def test_score_is_clamped_sum(contact: ContactFacts, raw: int, score: int) -> None:
    result = compute_warmness(contact, NOW)
    assert result.raw == raw
    assert result.score == score


@pytest.mark.parametrize("contact", [facts(), EVERYTHING, facts(last_activity=NOW - timedelta(90))])
def test_breakdown_sums_to_raw_and_lists_every_component(contact: ContactFacts) -> None:
    result = compute_warmness(contact, NOW)
    assert tuple(result.breakdown) == COMPONENTS
    assert sum(item.points for items in result.breakdown.values() for item in items) == result.raw


def test_to_json_is_serialisable_and_matches_breakdown() -> None:
    result = compute_warmness(EVERYTHING, NOW)
    data = json.loads(json.dumps(result.to_json()))
    assert data["score"] == 10
    assert data["raw"] == result.raw
    assert set(data["components"]) == set(COMPONENTS)
    assert data["components"]["base"] == {
        "points": 4,
        "items": [
            {"points": 1, "reason": "has email"},
            {"points": 1, "reason": "has phone"},
            {"points": 1, "reason": "has organization"},
            {"points": 1, "reason": "has job title"},
        ],
    }
    assert sum(c["points"] for c in data["components"].values()) == result.raw


def test_empty_component_serialises_as_zero() -> None:
    data = compute_warmness(facts(), NOW).to_json()
    assert data["components"]["activity"] == {"points": 0, "items": []}


# --- time handling --------------------------------------------------------------------------


def test_non_utc_now_is_read_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    local_now = datetime(2025, 6, 16, 1, 0, tzinfo=plus_two)  # 2025-06-15 23:00 UTC
    contact = facts(activities=(ActivityFact("task", date(2025, 5, 16)),))
    assert points(compute_warmness(contact, local_now), "activity") == 1


def test_naive_datetimes_are_read_as_utc() -> None:
    naive_now = datetime(2025, 6, 15, 12, 0)
    contact = facts(last_activity=datetime(2025, 6, 10, 12, 0))
    assert compute_warmness(contact, naive_now) == compute_warmness(
        facts(last_activity=datetime(2025, 6, 10, 12, 0, tzinfo=UTC)), NOW
    )


def test_compute_many_matches_one_by_one() -> None:
    contacts = [
        facts(),
        EVERYTHING,
        facts(last_activity=NOW - timedelta(days=200)),
        facts(activities=(days_ago(30, "call"), days_ago(31, "meeting"))),
    ]
    assert compute_many(contacts, NOW) == [compute_warmness(c, NOW) for c in contacts]


def test_time_alone_moves_the_score() -> None:
    contact = facts(last_activity=NOW - timedelta(days=6), activities=(days_ago(30, "call"),))
    assert compute_warmness(contact, NOW).score == 4
    assert compute_warmness(contact, NOW + timedelta(days=1)).score == 1


@pytest.mark.parametrize(
    ("last", "now", "expected"),
    [
        (NOW, NOW, False),
        (NOW, NOW + timedelta(hours=11, minutes=59), False),  # 23:59 same day
        (NOW, NOW + timedelta(hours=12), True),  # midnight UTC
        (NOW, NOW + timedelta(days=3), True),
        (NOW, NOW - timedelta(days=1), True),  # clock went back a day
        (
            datetime(2025, 6, 15, 23, 30, tzinfo=UTC),
            datetime(2025, 6, 16, 0, 30, tzinfo=timezone(timedelta(hours=2))),
            False,  # 2025-06-15 22:30 UTC
        ),
    ],
)
def test_score_needs_recompute_when_utc_day_changes(
    last: datetime, now: datetime, expected: bool
) -> None:
    assert score_needs_recompute(last, now) is expected


def test_results_are_immutable() -> None:
    result = compute_warmness(EVERYTHING, NOW)
    with pytest.raises(AttributeError):
        result.score = 3  # type: ignore[misc]


def test_change_reason_names_what_was_gained_and_lost() -> None:
    before = compute_warmness(facts(last_activity=NOW - timedelta(days=10)), NOW).to_json()
    after = compute_warmness(
        facts(activities=(days_ago(1, "meeting"),), last_activity=NOW - timedelta(days=1)), NOW
    ).to_json()
    assert change_reason(before, after) == (
        "1 recent activity (last 30 days); meeting in the last 30 days;"
        " last activity within 7 days; no longer: last activity within 30 days"
    )
    assert change_reason(None, after) == "first score"
    assert change_reason(after, after) == "score recomputed"


@pytest.mark.parametrize(
    ("value", "after", "alike"),
    [
        ("Hot", LeadStatusValues(("qualified", "hot"), ("contacted",)), False),
        ("Hot", LeadStatusValues(("qualified",), ("contacted", "cold")), True),
        ("qualified", LeadStatusValues(("QUALIFIED ",), ("contacted",)), True),
        ("qualified", LeadStatusValues(("contacted",), ("qualified",)), False),
        (None, LeadStatusValues(field_chosen=True), False),
        ("Hot", LeadStatusValues(field_chosen=True), True),
    ],
)
def test_a_lead_status_reads_alike_only_when_its_point_and_words_stay(
    value: str | None, after: LeadStatusValues, alike: bool
) -> None:
    before = LeadStatusValues(field_chosen=False)
    assert lead_status_reads_alike(value, before, after) is alike
