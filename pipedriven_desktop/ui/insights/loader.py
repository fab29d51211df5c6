"""Computes the Insights sections off the UI thread, each delivered as soon as it is ready.

Each section is a QRunnable on a small pool of its own, one thread fewer than the machine
has cores (at most two): the UI thread keeps a core to itself, so the window still paints
and scrolls at once while the figures are counted. Results come back through a QObject
living on the UI thread, so delivery is queued there (the pattern of
``ui/campaign_writer.py``).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store import insights
from pipedriven_desktop.store.query_stats import RECORDER

logger = logging.getLogger(__name__)

POOL_THREADS = max(1, min(2, (os.cpu_count() or 2) - 1))


class _Outcome(QObject):
    ready = Signal(str, object)
    failed = Signal(str, str)


class _Section(QRunnable):
    def __init__(self, outcome: _Outcome, db_path: Path, section: str, now: datetime) -> None:
        super().__init__()
        self._outcome = outcome
        self._db_path = db_path
        self._section = section
        self._now = now

    def run(self) -> None:
        try:
            figures = insights.compute_section(self._db_path, self._section, self._now, RECORDER)
        except Exception as exc:
            logger.exception("insights section %s not computed", self._section)
            self._outcome.failed.emit(self._section, f"{type(exc).__name__}: {exc}")
        else:
            self._outcome.ready.emit(self._section, figures)


class InsightsLoader(QObject):
    """``load()`` starts every section; ``ready(section, figures)`` arrives for each."""

    ready = Signal(str, object)
    failed = Signal(str, str)
    #: every section of the last load has arrived (or failed)
    finished = Signal()

    def __init__(self, db_path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._db_path = db_path
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(POOL_THREADS)
        self._outcome = _Outcome()
        self._outcome.ready.connect(self._on_ready)
        self._outcome.failed.connect(self._on_failed)
        self._waiting: set[str] = set()

    def load(self, now: datetime) -> None:
        # The first tab's figures first; then the slower sections.
        order = ("warmness", "organizations", "campaign", "activity", "monitoring")
        self._waiting = set(order)
        for section in order:
            self._pool.start(_Section(self._outcome, self._db_path, section, now))

    def busy(self) -> bool:
        return bool(self._waiting)

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    def _on_ready(self, section: str, figures: object) -> None:
        self.ready.emit(section, figures)
        self._arrived(section)

    def _on_failed(self, section: str, message: str) -> None:
        self.failed.emit(section, message)
        self._arrived(section)

    def _arrived(self, section: str) -> None:
        self._waiting.discard(section)
        if not self._waiting:
            self.finished.emit()
