"""Generated databases of several sizes, built once and cached under benchmarks/.cache.

How long each took to build, and the machine's load then, are kept beside it
(``….build.json``), so a run that finds the database cached still reports them.
"""

from __future__ import annotations

import json
import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

from pipedriven_desktop.store.database import open_database
from tests.synthetic import populate

#: ``BENCH_CACHE_DIR`` points a run at copies of the cached mirrors (opening one migrates
#: it in place).
CACHE_DIR = Path(os.environ.get("BENCH_CACHE_DIR") or Path(__file__).with_name(".cache"))
DATASET_VERSION = 1


@dataclass(frozen=True)
class Build:
    """How a cached database was generated."""

    contacts: int
    seconds: float
    load: tuple[float, float, float]
    when: str
    size_mib: float
    #: Processor seconds of the build (user + system): on a shared machine the wall
    #: clock says as much about the neighbours as about the build.
    cpu_seconds: float | None = None


def database(contacts: int) -> Path:
    """Path of a cached database with ``contacts`` contacts (built on first use)."""
    CACHE_DIR.mkdir(exist_ok=True)
    path = _path(contacts)
    if path.exists():
        return path
    partial = path.with_suffix(".building")
    for leftover in CACHE_DIR.glob(partial.name + "*"):
        leftover.unlink()
    build = generate(partial, contacts)
    partial.rename(path)
    record_build(contacts, build)
    print(f"  built {path.name} in {build.seconds:.1f} s ({build.size_mib:,.0f} MiB)", flush=True)
    return path


def record_build(contacts: int, build: Build) -> None:
    """Keep how the cached mirror of ``contacts`` contacts was (or could be) generated."""
    _build_record(_path(contacts)).write_text(json.dumps(build.__dict__) + "\n", encoding="utf-8")


def is_cached(contacts: int) -> bool:
    return _path(contacts).exists()


def generate(path: Path, contacts: int) -> Build:
    """Generate a mirror of ``contacts`` contacts at ``path``, timed from creation to a
    checkpointed file."""
    load = os.getloadavg()
    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    db = open_database(path)
    populate(db, contacts=contacts, activities_per_contact=5, seed=contacts)
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return Build(
        contacts=contacts,
        seconds=round(time.perf_counter() - started, 1),
        load=(round(load[0], 2), round(load[1], 2), round(load[2], 2)),
        when=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        size_mib=round(path.stat().st_size / 2**20, 1),
        cpu_seconds=round(_cpu_seconds() - cpu_started, 1),
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_of(contacts: int) -> Build | None:
    """How the cached database of ``contacts`` was built (None: not recorded)."""
    record = _build_record(_path(contacts))
    if not record.exists():
        return None
    data = json.loads(record.read_text(encoding="utf-8"))
    data["load"] = tuple(data["load"])
    return Build(**data)


def _path(contacts: int) -> Path:
    return CACHE_DIR / f"mirror-{contacts}-v{DATASET_VERSION}.sqlite3"


def _build_record(path: Path) -> Path:
    return path.with_suffix(".build.json")
