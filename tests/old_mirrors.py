"""The mirror release 0.1.0 made (schema 0001_initial), and ways to look into a mirror
file from outside the app: what the upgrade tests start from and compare."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
OLD_MIRROR = FIXTURES / "mirror-0.1.0.sqlite3"


def copy_old_mirror(folder: Path) -> Path:
    """A copy of the 0.1.0 mirror in ``folder``."""
    path = folder / "mirror.sqlite3"
    shutil.copyfile(OLD_MIRROR, path)
    return path


def contents(path: Path) -> list[str]:
    """Everything the mirror holds, schema and rows, as SQL text."""
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def revision_of(path: Path) -> str:
    """The schema revision the mirror file is stamped with."""
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()
