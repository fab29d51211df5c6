"""Actions on contacts written to the mirror off the UI thread, one at a time, in order.

A log, a schedule or a mark-done writes the activity, the outbox row and the contact's new
score; behind a sync's transaction that may wait seconds, which on the UI thread froze the
window. As with campaign flags (``ui/campaign_writer.py``), each write is a QRunnable on a
pool of one thread, so actions land in the order they were taken, and its outcome comes
back as a queued signal to the UI thread, which then re-reads the contact it touched.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from pipedriven_desktop.store.errors import DatabaseError
from pipedriven_desktop.ui.late_outcome import tell

logger = logging.getLogger(__name__)

#: Errors whose text is written for the user: shown as they are.
USER_ERRORS: tuple[type[BaseException], ...] = (DatabaseError, ValueError, LookupError)


@dataclass(frozen=True, slots=True)
class ActionTicket:
    """What was asked, so its outcome can be told and the right contact re-read."""

    number: int
    #: "Call logged", "Next activity scheduled": said in the status bar when it lands
    what: str
    contact_id: str | None


class _Outcome(QObject):
    """Lives on the UI thread; runnables emit through it, so delivery is queued there."""

    done = Signal(object, object)
    failed = Signal(object, str)


class _Run(QRunnable):
    def __init__(self, outcome: _Outcome, ticket: ActionTicket, work: Callable[[], object]):
        super().__init__()
        self._outcome = outcome
        self._ticket = ticket
        self._work = work

    def run(self) -> None:
        ticket = self._ticket
        try:
            result = self._work()
        except USER_ERRORS as exc:
            logger.warning("%s: not saved: %s", ticket.what, exc)
            tell(self._outcome.failed, ticket, str(exc), what=ticket.what)
        except Exception as exc:  # a bug: logged with its traceback, told in one line
            logger.exception("%s: not saved", ticket.what)
            tell(
                self._outcome.failed,
                ticket,
                f"An unexpected error stopped the change ({type(exc).__name__}); "
                "the details are in the log.",
                what=ticket.what,
            )
        else:
            tell(self._outcome.done, ticket, result, what=ticket.what)


class ActionRunner(QObject):
    """Runs store writes on a thread of its own, in the order they are submitted."""

    #: (ticket, whatever the write returned): it is in the mirror
    done = Signal(object, object)
    #: (ticket, message for the user): it is not
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(-1)  # one thread for the window's life, not one per lull
        self._numbers = itertools.count(1)
        self._in_flight: set[int] = set()
        self._outcome = _Outcome()
        self._outcome.done.connect(self._on_done)
        self._outcome.failed.connect(self._on_failed)

    def submit(self, what: str, contact_id: str | None, work: Callable[[], object]) -> ActionTicket:
        """Queue ``work`` (it opens its own connection or session); returns at once."""
        ticket = ActionTicket(next(self._numbers), what, contact_id)
        self._in_flight.add(ticket.number)
        self._pool.start(_Run(self._outcome, ticket, work))
        return ticket

    def in_flight(self) -> int:
        """Writes submitted whose outcome the UI thread has not heard yet."""
        return len(self._in_flight)

    def wait(self, msecs: int = -1) -> bool:
        """Block until every queued write has ended (on quit, so no action is lost)."""
        return self._pool.waitForDone(msecs)

    def _on_done(self, ticket: ActionTicket, result: object) -> None:
        self._in_flight.discard(ticket.number)
        self.done.emit(ticket, result)

    def _on_failed(self, ticket: ActionTicket, message: str) -> None:
        self._in_flight.discard(ticket.number)
        self.failed.emit(ticket, message)
