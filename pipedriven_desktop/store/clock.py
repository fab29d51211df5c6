"""Time as the store keeps it: naive UTC, so SQLite compares it as text correctly.

The one home of the store's time and date forms. Raw SQL (the sync's writers, the
read path) reads and writes the text SQLAlchemy itself stores: datetimes as
``YYYY-MM-DD HH:MM:SS.ffffff`` in naive UTC, dates as ``YYYY-MM-DD``.
Pipedrive's own time format is read in ``pipedrive.records``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def to_store(moment: datetime | None) -> datetime | None:
    """Convert an aware datetime to the naive UTC the store keeps."""
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def from_store(moment: datetime | None) -> datetime | None:
    """Convert a stored naive UTC datetime back to an aware one."""
    return None if moment is None else moment.replace(tzinfo=UTC)


@overload
def to_text(moment: datetime) -> str: ...
@overload
def to_text(moment: None) -> None: ...
@overload
def to_text(moment: datetime | None) -> str | None: ...
def to_text(moment: datetime | None) -> str | None:
    """A datetime in the text form the store keeps (an aware one is converted to UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        if moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        # The year always has four digits: the offset ("+00:00") starts at 26.
        return moment.isoformat(" ", "microseconds")[:26]
    return moment.isoformat(" ", "microseconds")


def parse_text(value: object) -> datetime | None:
    """A stored datetime, as the raw driver returns it, back to a naive UTC datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def date_to_text(day: date | None) -> str | None:
    """A date in the text form the store keeps."""
    return None if day is None else day.isoformat()


def parse_date_text(value: object) -> date | None:
    """A stored date (or the day of a stored datetime) back to a date."""
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])
