"""Generated databases of several sizes, built once and cached under benchmarks/.cache."""

from __future__ import annotations

import time
from pathlib import Path

from pipedriven_desktop.store.database import open_database
from tests.synthetic import populate

CACHE_DIR = Path(__file__).with_name(".cache")
DATASET_VERSION = 1


def database(contacts: int) -> Path:
    """Path of a cached database with ``contacts`` contacts (built on first use)."""
    CACHE_DIR.mkdir(exist_ok=True)
    path = CACHE_DIR / f"mirror-{contacts}-v{DATASET_VERSION}.sqlite3"
    if path.exists():
        return path
    partial = path.with_suffix(".building")
    for leftover in CACHE_DIR.glob(partial.name + "*"):
        leftover.unlink()
    started = time.perf_counter()
    db = open_database(partial)
    populate(db, contacts=contacts, activities_per_contact=5, seed=contacts)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    partial.rename(path)
    print(f"  built {path.name} in {time.perf_counter() - started:.1f} s")
    return path
