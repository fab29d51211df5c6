"""A contact count made off the UI thread: at a million contacts a full count (or the exact
count of a broad search) takes long enough to hold a paint back, so the table paints its
first page and the count follows.

Typing asks for a count per keystroke. Only the latest is wanted: a count still queued
when a newer one is asked is skipped, and a running one is interrupted, so a burst of
keystrokes costs the worker one count, not one per keystroke.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.latest_read import LatestRead


class CountReader(LatestRead):
    """Answers ``(filter, number of contacts)`` for the latest filter asked; an answer of
    None means the count was given up for a newer one."""

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        self._lock = threading.Lock()
        self._latest: object = None
        #: the count running now, and how to interrupt it
        self._running: tuple[object, Callable[[], None]] | None = None
        super().__init__(path, self._count, "counting the contacts", parent)

    def request(self, asked: object) -> None:
        self._give_up_all_but(asked)
        super().request(asked)

    def cancel(self) -> None:
        self._give_up_all_but(None)
        super().cancel()

    def _give_up_all_but(self, asked: object) -> None:
        with self._lock:
            self._latest = asked
            if self._running is not None and self._running[0] is not asked:
                self._running[1]()

    def _count(self, db: Database, asked: object) -> object:
        assert isinstance(asked, ContactFilter)
        conn = db.reader()
        with self._lock:
            if asked is not self._latest:
                return None  # a newer count was asked while this one waited
            self._running = (asked, conn.interrupt)
        try:
            return ContactService(db).count(asked)
        except Exception:  # an interrupted read raises; any other failure is logged
            with self._lock:
                if asked is not self._latest:
                    return None  # interrupted for a newer count
            raise
        finally:
            with self._lock:
                self._running = None


def count_reader(path: Path, parent: QObject | None = None) -> LatestRead:
    """Answers ``(filter, number of contacts)`` for the latest filter asked."""
    return CountReader(path, parent)
