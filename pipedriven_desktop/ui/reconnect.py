"""Send the outbox when the network comes back.

A change made offline waits in the outbox. Once a sync has found Pipedrive
unreachable and changes wait, the window tries again on its own: at once when Qt's
network information reports the machine online again, and otherwise on a timer that
backs off (30 s, doubling up to 5 minutes), since not every platform has a
reachability backend and "online" does not always mean Pipedrive is reachable.
Nothing is tried while nothing waits, so an offline window with an empty outbox
makes no requests.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

logger = logging.getLogger(__name__)

#: The first retry after a sync found Pipedrive unreachable, and the longest wait.
FIRST_DELAY_MS = 30_000
MAX_DELAY_MS = 300_000


class ResendWhenOnline(QObject):
    """Starts a sync when the network is back and the outbox holds changes.

    ``start_sync`` is the window's Sync now (it sends the outbox before pulling);
    ``waiting`` tells how many changes wait. The window calls ``set_offline`` with
    what each sync found and ``changes_waiting`` whenever the outbox's count changes.
    """

    def __init__(
        self,
        parent: QObject,
        *,
        start_sync: Callable[[], bool],
        waiting: Callable[[], int],
        first_delay_ms: int = FIRST_DELAY_MS,
        max_delay_ms: int = MAX_DELAY_MS,
    ) -> None:
        super().__init__(parent)
        self._start_sync = start_sync
        self._waiting = waiting
        self._first_delay_ms = first_delay_ms
        self._max_delay_ms = max_delay_ms
        self._delay_ms = first_delay_ms
        self._offline = False
        self._watching_reachability = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._try_again)

    @property
    def scheduled(self) -> bool:
        """Whether a retry is waiting on its timer."""
        return self._timer.isActive()

    @property
    def delay_ms(self) -> int:
        """The wait before the next retry (it doubles after each unsuccessful one)."""
        return self._delay_ms

    def set_offline(self, offline: bool) -> None:
        if not offline:
            self._offline = False
            self._timer.stop()
            self._delay_ms = self._first_delay_ms
            return
        self._offline = True
        self._watch_reachability()
        self._schedule()

    def changes_waiting(self, count: int) -> None:
        """A change queued while offline is retried like the ones before it."""
        if self._offline and count > 0 and not self._timer.isActive():
            self._schedule()

    def network_online(self) -> None:
        """The platform says the network is back: try now rather than at the timer."""
        if self._offline and self._waiting() > 0:
            self._timer.stop()
            self._try_again()

    def _schedule(self) -> None:
        if self._waiting() > 0:
            self._timer.start(self._delay_ms)

    def _try_again(self) -> None:
        if not self._offline or self._waiting() == 0:
            return
        self._delay_ms = min(self._delay_ms * 2, self._max_delay_ms)
        if not self._start_sync():
            # A sync already runs (or no token): its own outcome reschedules.
            logger.debug("Resend deferred: a sync could not start")

    def _watch_reachability(self) -> None:
        """Listen to Qt's reachability reports, where the platform has a backend."""
        if self._watching_reachability:
            return
        self._watching_reachability = True
        from PySide6.QtNetwork import QNetworkInformation

        if not QNetworkInformation.loadDefaultBackend():
            return
        information = QNetworkInformation.instance()
        if information is not None:
            # A bound method of this QObject: Qt disconnects it when the window goes.
            information.reachabilityChanged.connect(self._on_reachability)

    def _on_reachability(self, reachability: object) -> None:
        from PySide6.QtNetwork import QNetworkInformation

        if reachability == QNetworkInformation.Reachability.Online:
            self.network_online()
