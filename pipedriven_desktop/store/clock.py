"""Time as the store keeps it: naive UTC, so SQLite compares it as text correctly."""

from __future__ import annotations

from datetime import UTC, datetime


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


def to_text(moment: datetime) -> str:
    """A naive UTC datetime in the text form the store keeps, for raw SQL comparisons."""
    return moment.isoformat(" ", "microseconds")


def parse_text(value: str | None) -> datetime | None:
    """A stored datetime text back to a naive UTC datetime."""
    return None if value is None else datetime.fromisoformat(value)
