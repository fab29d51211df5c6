"""Fetch and parse the next page while the current one is being written.

SQLite releases the GIL while it executes a statement, so a worker thread that
downloads and decodes page n+1 runs alongside the writes of page n. The worker
never writes to the database (the sync's may read it, on a connection of its own),
and takes turns on the HTTP client with the consumer (which asks Pipedrive about ids
a listing left out); what the consumer writes, and when, is unchanged.

The writer gives the GIL up for every SQLite call and must then win it back from
the parsing worker; at the interpreter's default switch interval (5 ms) that wait
would often outlast the call. While a worker runs, the interval is shortened
(``short_switch_interval``; it is process-wide, so the UI thread gets it too). On a
busy two-core machine the full sync benchmark took about as long either way (median
15.7 s against 15.9 s, four runs each), and the longest UI stall during a sync in the
real window (``benchmarks/stall_probe.py``) was shorter with it: median 116 ms against
152 ms at 5 ms (five runs each). The cyclic garbage collector is paused meanwhile
too (``paused_collector``): the pages' objects are freed by their reference counts.
"""

from __future__ import annotations

import contextlib
import gc
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()
_POLL_SECONDS = 0.05
_CLOSE_WAIT_SECONDS = 2.0
#: The interpreter's thread switch interval while a worker prefetches (seconds).
SWITCH_INTERVAL = 0.0002

_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


@contextlib.contextmanager
def short_switch_interval() -> Iterator[None]:
    """Shorten the interpreter's switch interval to ``SWITCH_INTERVAL`` inside the block.

    The interval is process-wide, so overlapping blocks share one saved value and the
    last to leave restores it.
    """
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_saved, SWITCH_INTERVAL))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)


_collector_lock = threading.Lock()
_collector_users = 0
_collector_was_enabled = False


@contextlib.contextmanager
def paused_collector() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block (it is process-wide too).

    Pages are tens of thousands of short-lived dicts, lists and records, freed by their
    reference counts, not by the collector: yet each 700 of them allocated started a
    collection, and the survivors of those, promoted, whole-heap ones. In a full sync of
    the benchmark's account that was 1.4 s of collection (about 900 passes), all of it
    holding the interpreter lock. The collector is enabled again when the last block
    leaves, if it was enabled when the first one came in.
    """
    global _collector_users, _collector_was_enabled
    with _collector_lock:
        if _collector_users == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0 and _collector_was_enabled:
                gc.enable()


class Prefetcher(Generic[T]):
    """Iterates ``produce()`` in a worker thread, at most ``depth`` items ahead.

    Exceptions raised by the producer are raised again in the consumer, in order.
    Leaving the ``with`` block early (cancel, error) stops the worker after the
    item it is producing.
    """

    def __init__(self, produce: Callable[[], Iterator[T]], depth: int = 1) -> None:
        self._produce = produce
        self._queue: queue.Queue[object] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, name="sync-prefetch", daemon=True)
        self._switching = contextlib.ExitStack()

    def __enter__(self) -> Prefetcher[T]:
        self._switching.enter_context(short_switch_interval())
        self._switching.enter_context(paused_collector())
        try:
            self._thread.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __iter__(self) -> Iterator[T]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]

    def close(self) -> None:
        """Stop the worker; wait for it a little, never for a slow request to time out."""
        self._stop.set()
        deadline = time.monotonic() + _CLOSE_WAIT_SECONDS
        while self._thread.is_alive() and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=_POLL_SECONDS)
        self._switching.close()

    def _work(self) -> None:
        try:
            source = self._produce()
            try:
                for item in source:
                    if not self._put(item):
                        return
            finally:
                close = getattr(source, "close", None)
                if close is not None:
                    close()
        except BaseException as exc:
            self._put(_Failure(exc))
            return
        self._put(_DONE)

    def _put(self, item: object) -> bool:
        """Hand ``item`` over unless the consumer has gone; False when it has."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=_POLL_SECONDS)
            except queue.Full:
                continue
            return True
        return False


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error
