"""Pages of a listing into rows the mirror does not hold yet, committed a few at a time.

Each commit writes every database page the transaction changed. A first listing of
persons puts each page's 500 contacts into the contact list's order indexes, at places
all over them, so nearly every leaf of those indexes changed again with each page, and
was written again with each commit: 10,000 contacts took about 0.6 s committed page by
page, 0.3 s four pages at a time. Only pages past what the mirror held when the listing
began (``fresh``) are grouped: nothing else reads them, and a page that must look up
what the mirror holds (on another connection) always finds the pages before it
committed. A group never holds part of a page: a page that fails is rolled back with
the pages of its group, which the next run lists again from the committed cursor; a
cancelled or interrupted walk commits the whole pages it wrote.
"""

from __future__ import annotations

import time
from contextlib import AbstractContextManager
from types import TracebackType

from sqlalchemy.orm import Session

from pipedriven_desktop.store.database import Database

#: Pages, and seconds, a group may hold before it is committed.
GROUP_PAGES = 4
GROUP_SECONDS = 1.0


class PageGroup:
    """One transaction for consecutive pages; ``session`` begins it, ``page_written``
    commits it when the group is full or may not stay open."""

    def __init__(self, db: Database, pages: int | None = None, seconds: float | None = None):
        self._db = db
        self._limit = GROUP_PAGES if pages is None else pages
        self._seconds = GROUP_SECONDS if seconds is None else seconds
        self._open: AbstractContextManager[Session] | None = None
        self._session: Session | None = None
        self._pages = 0
        self._began = 0.0

    def session(self) -> Session:
        """The open transaction's session, begun if none is open."""
        if self._open is None or self._session is None:
            self._open = self._db.session()
            self._session = self._open.__enter__()
            self._pages = 0
            self._began = time.monotonic()
        return self._session

    def page_written(self, keep_open: bool) -> None:
        """A whole page is written; commit unless ``keep_open`` and the group has room."""
        self._pages += 1
        full = self._pages >= self._limit or time.monotonic() - self._began >= self._seconds
        if full or not keep_open:
            self.commit()

    def commit(self) -> None:
        """Commit the whole pages written (nothing if none is open)."""
        opened, self._open, self._session = self._open, None, None
        if opened is not None:
            opened.__exit__(None, None, None)

    def roll_back(self, error: BaseException) -> None:
        """Undo the open group: a page of it failed part-way."""
        opened, self._open, self._session = self._open, None, None
        if opened is not None:
            traceback: TracebackType | None = error.__traceback__
            opened.__exit__(type(error), error, traceback)

    @property
    def pages(self) -> int:
        """Pages written in the open group (0: none open)."""
        return self._pages if self._open is not None else 0
