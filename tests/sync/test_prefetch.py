"""The prefetcher: items in order, errors passed on, the switch interval restored."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from pipedriven_desktop.sync.prefetch import SWITCH_INTERVAL, Prefetcher, short_switch_interval


def _numbers(count: int, fail_at: int | None = None) -> Iterator[int]:
    for number in range(count):
        if number == fail_at:
            raise ValueError(f"failed at {number}")
        yield number


def test_items_come_in_order_and_an_error_comes_after_them() -> None:
    got: list[int] = []
    with (
        pytest.raises(ValueError, match="failed at 3"),
        Prefetcher(lambda: _numbers(9, 3)) as items,
    ):
        got.extend(items)
    assert got == [0, 1, 2]


def test_the_switch_interval_is_short_only_while_a_prefetcher_runs() -> None:
    before = sys.getswitchinterval()
    assert before > SWITCH_INTERVAL
    with Prefetcher(lambda: _numbers(3)) as items:
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
        assert list(items) == [0, 1, 2]
    assert sys.getswitchinterval() == before

    failing = Prefetcher(lambda: _numbers(3, 1))
    with pytest.raises(ValueError, match="failed at 1"), failing as items:
        list(items)
    assert sys.getswitchinterval() == before


def test_overlapping_blocks_restore_the_interval_when_the_last_one_leaves() -> None:
    before = sys.getswitchinterval()
    first = short_switch_interval()
    second = short_switch_interval()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL)
    second.__exit__(None, None, None)
    assert sys.getswitchinterval() == before
