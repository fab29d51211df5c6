"""The cyclic garbage collector is paused while pages are prefetched, and only then."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from pipedriven_desktop.sync.prefetch import Prefetcher, paused_collector


@pytest.fixture(autouse=True)
def collector_enabled() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_paused_only_while_a_prefetcher_runs() -> None:
    seen: list[bool] = []

    def produce() -> Iterator[int]:
        seen.append(gc.isenabled())
        yield from range(3)

    with Prefetcher(produce) as items:
        assert list(items) == [0, 1, 2]
        assert not gc.isenabled()
    assert seen == [False]
    assert gc.isenabled()


def test_a_prefetcher_that_fails_enables_the_collector_again() -> None:
    def produce() -> Iterator[int]:
        yield 1
        raise OSError("the network went away")

    with pytest.raises(OSError, match="went away"), Prefetcher(produce) as items:
        list(items)
    assert gc.isenabled()


def test_overlapping_pauses_enable_the_collector_when_the_last_one_leaves() -> None:
    first, second = paused_collector(), paused_collector()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_a_collector_disabled_before_stays_disabled() -> None:
    gc.disable()
    with paused_collector():
        assert not gc.isenabled()
    assert not gc.isenabled()
