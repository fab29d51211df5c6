"""What went wrong with the mirror file, in one line a user can act on.

A locked, read-only, full or corrupt mirror each needs a different action, and
the wrong word does harm: a user told that a merely locked mirror is corrupt may
delete it. So SQLite's and the OS's errors are sorted here by their codes (by
their text when they carry none) into those few cases.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

__all__ = ["DatabaseError", "SchemaTooNewError", "is_busy", "too_new", "user_error"]


class DatabaseError(Exception):
    """A database the app cannot use; the message is meant for the user."""


class SchemaTooNewError(DatabaseError):
    pass


def too_new(path: Path, revision: str) -> SchemaTooNewError:
    return SchemaTooNewError(
        f"Database {path} was written by a newer version of Pipedriven Desktop "
        f"(schema {revision}); please update the app"
    )


# SQLite's primary result codes (https://sqlite.org/rescode.html).
_SQLITE_PERM = 3
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_AUTH = 23
_SQLITE_NOTADB = 26

LOCKED = "it is locked by another program; close that program (or wait for it) and try again"
READ_ONLY_FILE = "the file is read-only; the app needs to write to it"
DISK_FULL = "the disk is full; free some space and try again"
CORRUPT = "the file is corrupt"
PERMISSION = "permission denied"

_BY_CODE = {
    _SQLITE_BUSY: LOCKED,
    _SQLITE_LOCKED: LOCKED,
    _SQLITE_READONLY: READ_ONLY_FILE,
    _SQLITE_FULL: DISK_FULL,
    _SQLITE_CORRUPT: CORRUPT,
    _SQLITE_NOTADB: CORRUPT,
    _SQLITE_PERM: PERMISSION,
    _SQLITE_AUTH: PERMISSION,
}
#: For errors raised without a code (e.g. by Python code standing in for SQLite).
_BY_TEXT = {
    "database is locked": _SQLITE_BUSY,
    "database table is locked": _SQLITE_LOCKED,
    "readonly database": _SQLITE_READONLY,
    "database or disk is full": _SQLITE_FULL,
    "disk image is malformed": _SQLITE_CORRUPT,
    "file is not a database": _SQLITE_NOTADB,
    "unable to open database file": _SQLITE_CANTOPEN,
    "disk i/o error": _SQLITE_IOERR,
}


def read_only_folder(folder: Path) -> str:
    return f"its folder {folder} is read-only; the app needs to write there"


def user_error(path: Path | None, exc: BaseException, action: str = "open") -> DatabaseError | None:
    """The user-facing error for ``exc`` met while using the mirror at ``path``.

    None when ``exc`` is no storage error (a programming error stays a traceback).
    SQLAlchemy's wrappers are unwrapped through their ``orig``.
    """
    if isinstance(exc, DatabaseError):
        return exc
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error | OSError):
        exc = orig
    if isinstance(exc, sqlite3.Error):
        reason = _sqlite_reason(path, exc)
    elif isinstance(exc, OSError):
        reason = _os_reason(path, exc)
    else:
        return None
    subject = "the mirror" if path is None else f"database {path}"
    return DatabaseError(f"Cannot {action} {subject}: {reason}")


def _primary_code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of ``exc``, from its code or else its text."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        text = str(exc).lower()
        code = next((c for key, c in _BY_TEXT.items() if key in text), None)
    return None if code is None else code & 0xFF


def is_busy(exc: BaseException) -> bool:
    """Whether SQLite gave up waiting for another connection's lock: trying again may work."""
    return isinstance(exc, sqlite3.Error) and _primary_code(exc) in (_SQLITE_BUSY, _SQLITE_LOCKED)


def _sqlite_reason(path: Path | None, exc: sqlite3.Error) -> str:
    text = str(exc)
    primary = _primary_code(exc)
    if primary == _SQLITE_CANTOPEN or (primary == _SQLITE_READONLY and path is not None):
        folder_reason = _folder_reason(path)
        if folder_reason is not None:
            return folder_reason
    if primary in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return f"{CORRUPT} ({text})"
    reason = _BY_CODE.get(primary) if primary is not None else None
    return reason if reason is not None else text


def _os_reason(path: Path | None, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DISK_FULL
    if exc.errno == errno.EROFS:
        return _folder_reason(path) or READ_ONLY_FILE
    if exc.errno in (errno.EACCES, errno.EPERM):
        return PERMISSION
    return exc.strerror or str(exc)


def _folder_reason(path: Path | None) -> str | None:
    """Why the folder stops SQLite from writing next to the file, if it does."""
    if path is None:
        return None
    if not os.access(path.parent, os.W_OK):
        return read_only_folder(path.parent)
    if path.exists() and not os.access(path, os.W_OK):
        return READ_ONLY_FILE
    return None
