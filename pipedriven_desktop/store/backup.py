"""A copy of the mirror taken before a migration changes it, kept next to it.

The copy goes through SQLite's online backup API, so it is consistent and holds
what is still in the write-ahead log. Only the last few are kept: a mirror can be
rebuilt from Pipedrive, but its campaign flags cannot.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["BACKUP_STEP_PAGES", "KEEP_BACKUPS", "BackupProgress", "backup_mirror", "backups_of"]

KEEP_BACKUPS = 3
#: Pages copied per step when someone watches the copy: 4 MiB of 4 KiB pages, about a
#: thousand steps for a 3.8 GiB mirror, each a moment to report how far it got.
BACKUP_STEP_PAGES = 1024

#: Called after each step with (pages copied, pages in all).
BackupProgress = Callable[[int, int], None]


def backups_of(path: Path) -> list[Path]:
    """The backups of the mirror at ``path``, newest first."""
    pattern = re.compile(re.escape(path.name) + r"\.[\w-]+\.\d{8}T\d{6}Z(-\d+)?\.bak")
    found = [p for p in path.parent.glob(f"{path.name}.*.bak") if pattern.fullmatch(p.name)]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def backup_mirror(path: Path, revision: str, progress: BackupProgress | None = None) -> Path:
    """Copy the mirror at ``path`` to ``<mirror>.<revision>.<UTC time>.bak``.

    The copy reads through a connection of its own: SQLite refuses to back up from
    a connection in a write transaction, and a migration calls this while holding
    the write lock, before it writes, so the copy is exactly what it starts from.
    The older backups beyond the last ``KEEP_BACKUPS`` are removed. With ``progress``
    the copy goes in steps of ``BACKUP_STEP_PAGES`` pages, each step reported.
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.{revision}.{stamp}.bak")
    counter = 1
    while target.exists():
        counter += 1
        target = path.with_name(f"{path.name}.{revision}.{stamp}-{counter}.bak")
    # Written under a name no listing matches, then renamed: a process killed while
    # copying never leaves a partial file counted among the backups.
    partial = target.with_name(target.name + ".partial")
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                if progress is None:
                    source.backup(copy)
                else:
                    source.backup(
                        copy,
                        pages=BACKUP_STEP_PAGES,
                        progress=lambda _status, left, total: progress(total - left, total),
                    )
                # One self-contained file, without a write-ahead log beside it.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        finally:
            source.close()
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in backups_of(path)[KEEP_BACKUPS:]:
        old.unlink(missing_ok=True)
    return target
