"""The heap is frozen only while a sync runs; garbage frozen with it is collected after."""

from __future__ import annotations

import gc
import weakref

from pipedriven_desktop.sync.gc_scope import heap_frozen


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_garbage_frozen_with_the_heap_is_collected_after_the_sync() -> None:
    first, second = _Node(), _Node()
    first.other, second.other = second, first  # a cycle only the collector frees
    gone = weakref.ref(first)
    del first, second

    with heap_frozen():
        assert gc.get_freeze_count() > 0
        gc.collect()
        assert gone() is not None, "frozen: out of the collector's passes"

    assert gc.get_freeze_count() == 0
    gc.collect()
    assert gone() is None


def test_a_heap_frozen_before_the_sync_stays_frozen_after_it() -> None:
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        frozen_before = gc.get_freeze_count()
        with heap_frozen():
            pass
        assert gc.get_freeze_count() >= frozen_before
    finally:
        gc.unfreeze()
