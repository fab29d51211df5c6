"""When a next step may be planned: today or a later day, and today only at a time still
ahead. The schedule dialog and the ``log --due`` command ask this one question."""

from __future__ import annotations

from datetime import date, datetime, time

__all__ = ["DAY_PASSED", "TIME_PASSED", "due_problem"]

DAY_PASSED = "That day has passed: choose today or a later day."
TIME_PASSED = "That time has passed today: choose a later time, or no time."


def due_problem(day: date, at: time | None, now: datetime) -> str | None:
    """Why a next step cannot be due on ``day`` at ``at`` (None: the whole day), asked at
    ``now``; None when it can. All three are read on one clock, the user's local one."""
    if day < now.date():
        return DAY_PASSED
    if day == now.date() and at is not None and at < now.time().replace(tzinfo=None):
        return TIME_PASSED
    return None
