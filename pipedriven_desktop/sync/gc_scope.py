"""Keep the heap out of the cyclic garbage collector's way while a sync runs.

A sync allocates hundreds of thousands of short-lived objects, which makes the
collector run full passes over the whole heap; each pass holds the interpreter lock,
and so the UI thread, for tens of milliseconds. Frozen, what was alive when the sync
began is left out of those passes. Measured with ``benchmarks/stall_probe.py`` (the real
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
    """Freeze the objects alive now for the block, then put the heap back as it was.

    A heap that was not frozen before is unfrozen after, which gives the collector back
    whatever garbage was frozen with it (freezing at every sync would otherwise keep
    that garbage for good). A heap someone else froze (the app freezes its start-up
    objects after the first paint) stays frozen: unfreezing it would bring back the
    full passes over it that the earlier freeze was made to avoid.
    """
    was_frozen = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        if not was_frozen:
            gc.unfreeze()
