"""Running the Alembic migrations bundled with the package, all or nothing.

pysqlite runs DDL outside any transaction, so a process killed while creating the
schema would leave half of it behind. Here the driver's own transaction handling
is off and every migration runs inside one ``BEGIN IMMEDIATE`` transaction
(SQLAlchemy's documented pysqlite recipe): a kill leaves the file as it was, and
processes opening the same file at once take turns, the later ones finding it
migrated already.

An upgrade of a large mirror takes minutes (the backup copies every page, and a
migration may build indexes over millions of rows), so a caller may follow it step by
step: the backup's pages as they are copied, then each migration as it starts.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from pipedriven_desktop.store.backup import backup_mirror
from pipedriven_desktop.store.database import set_pragmas
from pipedriven_desktop.store.errors import too_new
from pipedriven_desktop.store.schema import KNOWN_REVISIONS, SCHEMA_HEAD

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: How long a migration waits for another process's migration (or other writer).
MIGRATION_LOCK_WAIT_MS = 15_000


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def script_heads() -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config()).get_heads())


def script_revisions() -> set[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}


def migration_engine(path: Path) -> Engine:
    """An engine whose transactions are real SQLite ``BEGIN IMMEDIATE`` transactions."""
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # no implicit BEGIN/COMMIT from pysqlite
        set_pragmas(dbapi_connection, record)
        dbapi_connection.execute(f"PRAGMA busy_timeout={MIGRATION_LOCK_WAIT_MS}")

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


@dataclass(frozen=True)
class UpgradeProgress:
    """Step ``step`` of ``steps`` of an upgrade and what it does; ``done`` of ``total``
    when its progress can be counted (the backup's pages), both None while it is busy."""

    step: int
    steps: int
    label: str
    done: int | None = None
    total: int | None = None
    #: The copy taken before the first migration, once it exists.
    backup: Path | None = None
    #: This step is the backup (the others are migrations).
    copying: bool = False


UpgradeListener = Callable[[UpgradeProgress], None]

BACKUP_LABEL = "Keeping a copy of your mirror"


def migration_label(doc: str | None, revision: str) -> str:
    """A migration's first docstring paragraph on one line, its number in front."""
    number = revision.split("_", 1)[0]
    text = re.sub(r"\s+", " ", doc or "").strip()
    return f"Migration {number}: {text}" if text else f"Migration {number}"


def current_revision(connection: Connection) -> str | None:
    has_table = connection.exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
    ).first()
    if has_table is None:
        return None
    value = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    return None if value is None else str(value)


def upgrade_to_head(path: Path, listener: UpgradeListener | None = None) -> Path | None:
    """Bring the mirror at ``path`` to the head revision in one transaction.

    A mirror that already holds a schema is backed up first, once this process
    holds the write lock, so the copy is exactly what the migration starts from. Returns
    the backup's path (None when the file was new or already at head). A ``listener``
    hears of every step (called on this thread), and the migrations then run one by one,
    still inside the one transaction.
    """
    engine = migration_engine(path)
    try:
        with engine.begin() as connection:
            revision = current_revision(connection)
            if revision == SCHEMA_HEAD:
                return None
            if revision is not None and revision not in KNOWN_REVISIONS:
                raise too_new(path, revision)
            if listener is not None:
                return _upgrade_in_steps(path, connection, revision, listener)
            backup = None
            if revision is not None:
                backup = backup_mirror(path, revision)
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            return backup
    finally:
        engine.dispose()


def _upgrade_in_steps(
    path: Path, connection: Connection, revision: str | None, listener: UpgradeListener
) -> Path | None:
    script = ScriptDirectory.from_config(alembic_config())
    pending = list(reversed(list(script.iterate_revisions("head", revision or "base"))))
    steps = len(pending) + (revision is not None)
    backup = None
    if revision is not None:
        listener(UpgradeProgress(1, steps, BACKUP_LABEL, copying=True))

        def copied(done: int, total: int) -> None:
            listener(UpgradeProgress(1, steps, BACKUP_LABEL, done, total, copying=True))

        backup = backup_mirror(path, revision, copied)
    config = alembic_config()
    config.attributes["connection"] = connection
    for number, migration in enumerate(pending, start=steps - len(pending) + 1):
        label = migration_label(migration.doc, migration.revision)
        listener(UpgradeProgress(number, steps, label, backup=backup))
        command.upgrade(config, migration.revision)
    return backup
