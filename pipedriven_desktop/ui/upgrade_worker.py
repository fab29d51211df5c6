"""The mirror's upgrade on a thread of its own, each step reported to the UI thread.

A backup and index builds over a large mirror take minutes; on the UI thread nothing
would be on screen meanwhile. The thread is a daemon, not a pool's, so quitting during
the upgrade does not wait for it: the migrations run in one transaction, and a process
that ends halfway leaves the mirror as it was.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from pipedriven_desktop.store.database import DatabaseError, MirrorFile, open_checked

if TYPE_CHECKING:
    from pipedriven_desktop.store.migrate import UpgradeProgress

logger = logging.getLogger(__name__)


class UpgradeWorker(QObject):
    """Upgrades one checked mirror once ``start`` is called.

    It has no parent: its thread holds it, so it outlives the window if it must, and a
    signal whose receiver has gone is simply not delivered.
    """

    #: UpgradeProgress: a step began, or the backup copied more pages
    progressed = Signal(object)
    #: Database: the mirror is at the current schema and ready to open
    upgraded = Signal(object)
    #: the reason, in words for the user
    failed = Signal(str)

    def __init__(self, mirror: MirrorFile) -> None:
        super().__init__()
        self.mirror = mirror

    def start(self) -> None:
        threading.Thread(target=self._run, name="mirror-upgrade", daemon=True).start()

    def _report(self, progress: UpgradeProgress) -> None:
        self.progressed.emit(progress)

    def _run(self) -> None:
        path, revision = self.mirror.path, self.mirror.revision
        logger.info("upgrading the mirror %s from schema %s", path, revision)
        try:
            db = open_checked(self.mirror, listener=self._report)
        except DatabaseError as exc:
            logger.error("mirror upgrade failed: %s", exc)
            self.failed.emit(str(exc))
        except Exception as exc:  # a bug in a migration: logged with its traceback
            logger.exception("mirror upgrade failed")
            self.failed.emit(
                f"An unexpected error stopped the upgrade ({type(exc).__name__}: {exc}); "
                "the details are in the log."
            )
        else:
            logger.info("mirror %s upgraded", path)
            self.upgraded.emit(db)
