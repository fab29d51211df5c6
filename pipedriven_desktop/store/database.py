"""Opening the local mirror: checks, pragmas, migrations.

The checks run before anything writes, so a file that is not ours, is corrupt,
or comes from a newer version of the app is refused and left byte-for-byte as it
was. Every failure is a DatabaseError whose one line tells locked, read-only,
full and corrupt apart. SQLAlchemy and Alembic are imported only when a
migration is due, so opening an up-to-date mirror stays quick.

Opening is two steps, ``check_mirror`` then ``open_checked``, so that a caller can see
that an upgrade is due (minutes on a large mirror) and show it before it starts.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipedriven_desktop.store.errors import (
    CORRUPT,
    DatabaseError,
    SchemaTooNewError,
    read_only_folder,
    too_new,
    user_error,
)
from pipedriven_desktop.store.reader_connection import ReaderConnection
from pipedriven_desktop.store.schema import KNOWN_REVISIONS, SCHEMA_HEAD

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from pipedriven_desktop.store.migrate import UpgradeListener

__all__ = [
    "Database",
    "DatabaseError",
    "MirrorFile",
    "SchemaTooNewError",
    "announce_upgrades",
    "check_mirror",
    "open_checked",
    "open_database",
    "set_pragmas",
]

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
#: Pages the write-ahead log may grow to before SQLite copies it into the database.
WAL_AUTOCHECKPOINT_PAGES = 10_000


class Database:
    """One database file: plain read connections, and SQLAlchemy for everything else.

    Reads for the window use a per-thread ``sqlite3`` connection, so the first
    paint never waits for SQLAlchemy's import; the engine is made on first use.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()

    @cached_property
    def engine(self) -> Engine:
        from sqlalchemy import create_engine, event

        engine = create_engine(f"sqlite:///{self.path}")
        event.listen(engine, "connect", set_pragmas)
        return engine

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A short-lived unit of work: commits on success, rolls back on error."""
        with self.sessions() as session, session.begin():
            yield session

    def reader(self) -> sqlite3.Connection:
        """This thread's plain connection, for reads and the user's small writes."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, factory=ReaderConnection)
            conn.isolation_level = "DEFERRED"
            set_pragmas(conn, None)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def check_integrity(self) -> None:
        """Raise DatabaseError ("corrupt") when SQLite finds damaged pages.

        A statement reads only the pages it needs, so damage elsewhere goes unseen
        until something trips on it; a writer calls this first so that it never
        writes into, and then reports success on, a damaged file.
        """
        try:
            rows = [str(row[0]) for row in self.reader().execute("PRAGMA quick_check")]
        except sqlite3.Error as exc:
            raise self.user_error(exc, "check") from exc
        if rows == ["ok"]:
            return
        problems = [
            line for row in rows for line in row.splitlines() if line and not line.startswith("***")
        ] or ["damaged pages"]
        more = f"; {len(problems) - 1} more problems" if len(problems) > 1 else ""
        raise DatabaseError(f"Cannot use database {self.path}: {CORRUPT} ({problems[0]}{more})")

    def user_error(self, exc: BaseException, action: str = "use") -> DatabaseError:
        """``exc`` (an SQLite or OS error met using this mirror) as a user-facing error."""
        error = user_error(self.path, exc, action)
        if error is None:
            raise TypeError(f"not a storage error: {exc!r}") from exc
        return error

    @contextmanager
    def user_errors(self, action: str = "use") -> Iterator[None]:
        """Turn SQLite and OS errors raised inside the block into DatabaseError."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            raise self.user_error(exc, action) from exc

    def close(self) -> None:
        """Close every connection; only call once no other thread uses the database."""
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()
        if "engine" in self.__dict__:
            self.engine.dispose()


def set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA temp_store=MEMORY")
    # A sync writes tens of megabytes in page-sized commits; copying them into the
    # database every 1,000 pages (the default) costs more than once per 10,000.
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cursor.close()


def _check_file(path: Path) -> str | None:
    """Return the schema revision of an existing file (None if new), or raise."""
    if not path.parent.is_dir():
        raise DatabaseError(f"Cannot open database {path}: directory {path.parent} does not exist")
    exists = path.exists()
    # The write-ahead log, the backups and the sync's lock file live next to the mirror.
    if not os.access(path.parent, os.W_OK):
        verb = "open" if exists else "create"
        raise DatabaseError(f"Cannot {verb} database {path}: {read_only_folder(path.parent)}")
    if not exists:
        return None
    if path.is_dir():
        raise DatabaseError(f"Cannot open database {path}: it is a directory")
    if not os.access(path, os.R_OK):
        raise DatabaseError(f"Cannot open database {path}: permission denied")
    if not os.access(path, os.W_OK):
        raise DatabaseError(f"Cannot open database {path}: the file is read-only")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise _as_user_error(path, exc, "open") from exc
    if header == b"":
        return None
    if header != SQLITE_HEADER:
        raise DatabaseError(f"Cannot open database {path}: not an SQLite database")
    return _read_revision(path)


def _read_revision(path: Path) -> str | None:
    uri = f"file:{path}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            tables = {
                row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
            if not tables:
                return None
            if "alembic_version" not in tables:
                raise DatabaseError(
                    f"Cannot open database {path}: not a Pipedriven Desktop database"
                )
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise _as_user_error(path, exc, "open") from exc
    return None if row is None else str(row[0])


def _as_user_error(path: Path, exc: Exception, action: str) -> DatabaseError:
    error = user_error(path, exc, action)
    if error is None:
        raise exc
    return error


@dataclass(frozen=True)
class MirrorFile:
    """A mirror file that passed the checks, and the schema revision it holds (None: new)."""

    path: Path
    revision: str | None

    @property
    def needs_upgrade(self) -> bool:
        """An existing mirror made by an earlier version: opening it migrates it."""
        return self.revision is not None and self.revision != SCHEMA_HEAD


#: Told (path, revision) before an existing mirror is upgraded; see ``announce_upgrades``.
_upgrade_announcer: Callable[[Path, str], None] | None = None


def announce_upgrades(announcer: Callable[[Path, str], None] | None) -> None:
    """Have every later open that upgrades a mirror call ``announcer`` first.

    The command line prints one line with it, so a command that takes minutes to start
    on a large mirror says why; the window shows the upgrade's progress instead.
    """
    global _upgrade_announcer
    _upgrade_announcer = announcer


def check_mirror(path: Path | str) -> MirrorFile:
    """The checks of ``open_database``, which write nothing; raises DatabaseError."""
    path = Path(path).expanduser().resolve()
    revision = _check_file(path)
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise too_new(path, revision)
    return MirrorFile(path, revision)


def open_checked(
    mirror: MirrorFile, *, migrate: bool = True, listener: UpgradeListener | None = None
) -> Database:
    """Open a checked mirror, creating or migrating its schema when needed.

    Before a migration changes an existing mirror, a copy is kept next to it (see
    ``store.backup``); a failed migration leaves the mirror as it was. ``listener``
    hears of each step of an upgrade, on this thread.
    """
    path, revision = mirror.path, mirror.revision
    db = Database(path)
    if migrate and revision != SCHEMA_HEAD:
        from pipedriven_desktop.store.migrate import upgrade_to_head

        if revision is not None and _upgrade_announcer is not None:
            _upgrade_announcer(path, revision)
        try:
            upgrade_to_head(path, listener)
        except Exception as exc:
            raise _as_user_error(path, exc, "upgrade" if revision else "create") from exc
    return db


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating and migrating when needed) the mirror at ``path``.

    Before a migration changes an existing mirror, a copy is kept next to it
    (see ``store.backup``).
    """
    return open_checked(check_mirror(path), migrate=migrate)
