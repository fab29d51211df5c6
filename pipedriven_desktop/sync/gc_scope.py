"""Keep the heap out of the cyclic garbage collector's way while a sync runs.

A sync allocates hundreds of thousands of short-lived objects, which makes the
collector run full passes over the whole heap; each pass holds the interpreter lock,
and so the UI thread, for tens of milliseconds. Frozen, what was alive when the sync
began is left out of those passes. Measured with ``tests/ui/stall_probe.py`` (the real
window, a full sync of 4,000 persons, on a busy two-core machine), the median longest
UI stall was 133 ms frozen and 232 ms not (five runs each); a ``gc.collect()`` before
the freeze made it worse (303 ms against 236, nine runs each: the collect itself
stalls the UI thread), so none is run.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["heap_frozen"]


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Freeze the objects alive now for the block; unfreeze everything after it.

    Unfreezing gives the collector back whatever garbage was frozen with the heap:
    freezing at every sync without it would keep that garbage for good.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
