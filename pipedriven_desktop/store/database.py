"""Opening the local mirror: checks, pragmas, migrations.

The checks run before anything writes, so a file that is not ours, is corrupt,
or comes from a newer version of the app is refused and left byte-for-byte as it
was.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipedriven_desktop.store.schema import KNOWN_REVISIONS, SCHEMA_HEAD

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
#: Pages the write-ahead log may grow to before SQLite copies it into the database.
WAL_AUTOCHECKPOINT_PAGES = 10_000


class DatabaseError(Exception):
    """A database the app cannot use; the message is meant for the user."""


class SchemaTooNewError(DatabaseError):
    pass


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
        event.listen(engine, "connect", _set_pragmas)
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
            conn = sqlite3.connect(self.path, isolation_level=None)
            conn.isolation_level = "DEFERRED"
            _set_pragmas(conn, None)
            self._local.conn = conn
            with self._readers_lock:
                self._readers.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection; only call once no other thread uses the database."""
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for conn in readers:
            conn.close()
        self._local = threading.local()
        if "engine" in self.__dict__:
            self.engine.dispose()


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
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
    if not path.exists():
        return None
    if path.is_dir():
        raise DatabaseError(f"Cannot open database {path}: it is a directory")
    if not os.access(path, os.R_OK) or not os.access(path, os.W_OK):
        raise DatabaseError(f"Cannot open database {path}: permission denied")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"Cannot open database {path}: {exc.strerror}") from exc
    if header == b"":
        return None
    if header != SQLITE_HEADER:
        raise DatabaseError(f"Cannot open database {path}: not an SQLite database")
    return _read_revision(path)


def _read_revision(path: Path) -> str | None:
    uri = f"file:{path}?mode=ro"
    try:
        conn = sqlite3.connect(uri, uri=True)
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
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"Cannot open database {path}: the file is corrupt ({exc})") from exc
    return None if row is None else str(row[0])


def open_database(path: Path | str, *, migrate: bool = True) -> Database:
    """Open (creating and migrating when needed) the mirror at ``path``."""
    path = Path(path).expanduser().resolve()
    revision = _check_file(path)
    if revision is not None and revision not in KNOWN_REVISIONS:
        raise SchemaTooNewError(
            f"Database {path} was written by a newer version of Pipedriven Desktop "
            f"(schema {revision}); please update the app"
        )
    db = Database(path)
    if migrate and revision != SCHEMA_HEAD:
        from pipedriven_desktop.store.migrate import upgrade_to_head

        upgrade_to_head(db.engine)
    return db
