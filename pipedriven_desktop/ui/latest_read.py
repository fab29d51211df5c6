"""Reads of the mirror made off the UI thread, where only the latest request is answered.

At a million contacts a count or a grouped pass takes long enough to hold a paint back,
so the window asks, paints, and shows the answer when it comes. Each read is a QRunnable
on a pool of one thread with its own connection to the mirror (a connection belongs to
the thread that made it); the answer comes back as a queued signal. A newer request
makes older ones moot: their answers are dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.late_outcome import tell

logger = logging.getLogger(__name__)

#: A read: the mirror, and what was asked -> the answer.
Read = Callable[[Database, object], object]


class _Outcome(QObject):
    """Lives on the UI thread (no parent: the runnable holds it), so delivery is queued."""

    done = Signal(int, object, object)


class _Run(QRunnable):
    def __init__(
        self, outcome: _Outcome, path: Path, generation: int, asked: object, read: Read, what: str
    ) -> None:
        super().__init__()
        self._outcome = outcome
        self._path = path
        self._generation = generation
        self._asked = asked
        self._read = read
        self._what = what

    def run(self) -> None:
        db = Database(self._path)
        try:
            answer = self._read(db, self._asked)
        except Exception:  # what was shown stays; the next request reads again
            logger.exception("%s failed", self._what)
            return
        finally:
            db.close()
        tell(self._outcome.done, self._generation, self._asked, answer, what=self._what)


class LatestRead(QObject):
    """Runs ``read`` on the mirror at ``path`` off the UI thread; answers the latest request."""

    #: (what was asked, the answer) for the latest request
    answered = Signal(object, object)

    def __init__(self, path: Path, read: Read, what: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._read = read
        self._what = what
        self._generation = 0
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._outcome = _Outcome()
        self._outcome.done.connect(self._on_done)

    def request(self, asked: object) -> None:
        self._generation += 1
        self._pool.start(
            _Run(self._outcome, self._path, self._generation, asked, self._read, self._what)
        )

    def cancel(self) -> None:
        """Forget the pending request: its answer is dropped when it comes."""
        self._generation += 1

    def wait(self, msecs: int = -1) -> bool:
        """Block until a running read has ended (before the database closes)."""
        return self._pool.waitForDone(msecs)

    def _on_done(self, generation: int, asked: object, answer: object) -> None:
        if generation == self._generation:
            self.answered.emit(asked, answer)
