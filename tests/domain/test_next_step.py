"""The rule for a next step's day and time, on a fixed clock."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from pipedriven_desktop.domain.next_step import DAY_PASSED, TIME_PASSED, due_problem

NOW = datetime(2026, 3, 10, 14, 30, 15)


@pytest.mark.parametrize(
    ("day", "at", "problem"),
    [
        (date(2026, 3, 9), None, DAY_PASSED),
        (date(2026, 3, 9), time(23, 59), DAY_PASSED),
        (date(2025, 12, 31), time(9, 0), DAY_PASSED),
        (date(2026, 3, 10), time(14, 30), TIME_PASSED),  # the minute has begun
        (date(2026, 3, 10), time(9, 0), TIME_PASSED),
        (date(2026, 3, 10), None, None),  # the whole of today is still ahead
        (date(2026, 3, 10), time(14, 31), None),
        (date(2026, 3, 11), time(0, 0), None),
    ],
)
def test_a_next_step_is_today_or_later_and_today_at_a_time_ahead(
    day: date, at: time | None, problem: str | None
) -> None:
    assert due_problem(day, at, NOW) == problem
    assert due_problem(day, at, NOW.astimezone()) == problem  # an aware clock reads the same
