"""Pipedrive's due dates and times as the user reads them, and the defaults of new ones.

Pipedrive keeps an activity's due time in UTC ("HH:MM") beside a due date that is the UTC
day when there is a time, and the plain day when there is none (a whole-day activity).
The window shows and asks for local days and times; these functions convert both ways,
with the local time zone's own rules for that day (summer time included).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

#: A new next step is planned for this hour of the next working day.
DEFAULT_HOUR = 9
#: Saturday and Sunday (``date.weekday()``) are not working days.
WEEKEND = frozenset({5, 6})


def next_working_day(today: date) -> date:
    """Tomorrow, or Monday when tomorrow falls on a weekend."""
    day = today + timedelta(days=1)
    while day.weekday() in WEEKEND:
        day += timedelta(days=1)
    return day


def default_due(now_local: datetime) -> tuple[date, time]:
    """When a new next step is planned unless the user says otherwise: next working day, 9:00."""
    return next_working_day(now_local.date()), time(DEFAULT_HOUR, 0)


def to_pipedrive_due(day: date, at: time | None) -> tuple[date, str | None]:
    """A local day and optional local time as Pipedrive's (due date, "HH:MM" UTC or None)."""
    if at is None:
        return day, None
    moment = datetime.combine(day, at).astimezone().astimezone(UTC)
    return moment.date(), f"{moment.hour:02d}:{moment.minute:02d}"


def local_due(due_date: date, due_time: str | None) -> tuple[date, time | None]:
    """Pipedrive's due date and UTC time as the local day and time (None: whole day)."""
    parsed = _parse_hhmm(due_time)
    if parsed is None:
        return due_date, None
    moment = datetime.combine(due_date, parsed, tzinfo=UTC).astimezone()
    return moment.date(), moment.time().replace(second=0, microsecond=0, tzinfo=None)


def local_time_text(due_date: date, due_time: str | None) -> str:
    """The local "HH:MM" of a timed activity, "" for a whole-day one."""
    at = local_due(due_date, due_time)[1]
    return "" if at is None else f"{at.hour:02d}:{at.minute:02d}"


def _parse_hhmm(value: str | None) -> time | None:
    if not value:
        return None
    try:
        hours, minutes = value.split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        return None
