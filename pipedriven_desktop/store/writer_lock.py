"""One sync at a time per mirror: an OS lock on ``<mirror>.lock``, held for the whole run.

SQLite serialises transactions, not runs: two syncs interleaving their pages insert the
same new rows and fail on unique constraints. The lock is an advisory OS file lock
(``flock`` on POSIX, ``msvcrt.locking`` on Windows), so it dies with its process: a
crashed or killed sync never leaves the mirror locked, and the file left behind means
nothing by its presence. Each acquisition opens the file anew, so a second sync fails
whether it runs in another process or in another thread of this one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipedriven_desktop.store.database import DatabaseError

__all__ = ["LOCK_SUFFIX", "SyncBusyError", "lock_path", "writer_lock"]

LOCK_SUFFIX = ".lock"


class SyncBusyError(DatabaseError):
    """Another sync holds the mirror; an expected state for the user, not a fault."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + LOCK_SUFFIX)


@contextmanager
def writer_lock(db_path: Path) -> Iterator[None]:
    """Hold the mirror's writer lock, or raise SyncBusyError at once (never waits)."""
    path = lock_path(db_path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as exc:
        raise DatabaseError(
            f"Cannot sync {db_path.name}: the lock file {path} cannot be created ({exc.strerror})"
        ) from exc
    try:
        try:
            locked = _try_lock(fd)
        except OSError as exc:  # e.g. a file system without locks
            raise DatabaseError(
                f"Cannot sync {db_path.name}: the lock file {path} cannot be locked "
                f"({exc.strerror})"
            ) from exc
        if not locked:
            raise SyncBusyError(
                f"Another sync is running on {db_path.name}; wait for it to finish, then try again."
            )
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
