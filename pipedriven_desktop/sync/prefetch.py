"""Fetch and parse the next page while the current one is being written.

SQLite releases the GIL while it executes a statement, so a worker thread that
downloads and decodes page n+1 runs alongside the writes of page n. Only the
worker uses the HTTP client while a listing runs, and it never touches the
database; what the consumer writes, and when, is unchanged.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Generic, TypeVar

T = TypeVar("T")

_DONE = object()
_POLL_SECONDS = 0.05
_CLOSE_WAIT_SECONDS = 2.0


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

    def __enter__(self) -> Prefetcher[T]:
        self._thread.start()
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
