"""How times, dates and amounts read in the window; plain functions, easy to test.

The store keeps naive UTC datetimes; everything here takes an injected ``now`` in the
same form so the wording never depends on the clock of the test machine.
"""

from __future__ import annotations

from datetime import date, datetime

_MINUTE = 60
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR


def relative_past(moment: datetime | None, now: datetime, *, never: str = "never") -> str:
    """'just now', '5 min ago', '3 h ago', 'yesterday', '3 days ago', '2 months ago'."""
    if moment is None:
        return never
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < _MINUTE:
        return "just now"
    if seconds < _HOUR:
        return f"{seconds // _MINUTE} min ago"
    if seconds < _DAY:
        return f"{seconds // _HOUR} h ago"
    days = (now.date() - moment.date()).days
    if days <= 1:
        return "yesterday"
    if days < 30:
        return f"{days} days ago"
    if days < 365:
        months = days // 30
        return "1 month ago" if months == 1 else f"{months} months ago"
    years = days // 365
    return "1 year ago" if years == 1 else f"{years} years ago"


def relative_day(day: date | None, today: date) -> str:
    """A due date as a salesperson says it: 'today', 'tomorrow', 'in 4 days', 'Mon 12 May'."""
    if day is None:
        return ""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    if delta == -1:
        return "yesterday"
    if 1 < delta < 7:
        return f"in {delta} days"
    if day.year == today.year:
        return f"{day:%a} {day.day} {day:%b}"
    return f"{day.day} {day:%b %Y}"


def full_datetime(moment: datetime | None) -> str:
    """The exact moment for a tooltip, e.g. 'Tuesday 4 March 2025, 14:05 UTC'."""
    if moment is None:
        return "Never contacted"
    return f"{moment:%A} {moment.day} {moment:%B %Y, %H:%M} UTC"


def full_date(day: date | None) -> str:
    if day is None:
        return ""
    return f"{day:%A} {day.day} {day:%B %Y}"


def money(value: float, currency: str | None) -> str:
    """'12,000 EUR' (no cents unless there are some)."""
    amount = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{amount} {currency}" if currency else amount


def count(value: int) -> str:
    return f"{value:,}"


def plural(value: int, singular: str, plural_form: str | None = None) -> str:
    word = singular if value == 1 else (plural_form or f"{singular}s")
    return f"{value:,} {word}"


def score_move_text(move: int) -> str:
    """' · up 2 since last week' (empty when the score did not move): the arrow in words."""
    if move == 0:
        return ""
    return f" · {'up' if move > 0 else 'down'} {abs(move)} since last week"
