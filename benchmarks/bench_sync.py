"""Full and incremental sync against the bundled fake Pipedrive over real HTTP.

The fake runs in a process of its own, as Pipedrive is a remote service. The sync
is timed twice: inside this process (``run_sync``, the figure the targets are for),
and as the ``sync`` command a user runs, spawn to exit, its imports included.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from benchmarks.harness import Figure
from benchmarks.remote_fake import RemoteFakeServer
from pipedriven_desktop.pipedrive.client import DEAL_STATUSES_ALL, PipedriveClient
from pipedriven_desktop.pipedrive.fake_data import FakeAccount
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.sync import service
from pipedriven_desktop.sync.service import SyncResult, run_sync
from pipedriven_desktop.sync.writers import writers

TOKEN = "bench-token"
PERSONS, ORGANIZATIONS, ACTIVITIES = 10_000, 2_000, 50_000
#: Enough full syncs that one slow or fast run does not decide the verdict.
FULL_RUNS = 5
INCREMENTAL_RUNS = 5
COMMAND_FULL_RUNS = 3
NAIVE_SAMPLE = 1_000


ACCOUNT_ARGS: dict[str, Any] = {
    "seed": 11,
    "persons": PERSONS,
    "owned_persons": PERSONS // 4,
    "organizations": ORGANIZATIONS,
    "activities": ACTIVITIES,
    "deals": PERSONS // 5,
}


def _fake_pipedrive() -> RemoteFakeServer:
    """The fake in a process of its own: a real Pipedrive never competes for our GIL.

    It encodes the sync's listings before it answers, so every full sync finds them
    encoded (see ``remote_fake``).
    """
    listings = [(writer.entity, dict(writer.listing_params)) for writer in writers()]
    listings.append(("deals", {"status": DEAL_STATUSES_ALL}))
    server = RemoteFakeServer(ACCOUNT_ARGS, TOKEN, encoded=listings, enforce_rate_limit=False)
    gc.collect()
    gc.freeze()
    return server


def _sync(base_url: str, db_path: Path, *, full: bool = False) -> SyncResult:
    db = open_database(db_path)
    client = PipedriveClient(base_url, TOKEN)
    try:
        return run_sync(db, client, full=full)
    finally:
        client.close()
        db.close()


@contextmanager
def _rescores_timed(spent: list[float]) -> Iterator[None]:
    """Time each warmness rescore a sync runs, so the sync's own share can be told apart."""
    # The service's own name for it: the module global its run looks up each time.
    namespace = vars(service)
    original = namespace["rescore"]

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    namespace["rescore"] = timed
    try:
        yield
    finally:
        namespace["rescore"] = original


def _command_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIPEDRIVE")}
    env.update(PIPEDRIVE_API_TOKEN=TOKEN, HOME=str(home), XDG_DATA_HOME=str(home / "data"))
    env.update(XDG_CONFIG_HOME=str(home / "config"), XDG_STATE_HOME=str(home / "state"))
    return env


def _command_seconds(args: list[str], home: Path) -> float:
    """Spawn to exit of ``python -m pipedriven_desktop ARGS`` (or ``python -c`` code)."""
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, *args],
        env=_command_env(home),
        check=True,
        capture_output=True,
        timeout=300,
    )
    return time.perf_counter() - started


def _sync_command(base_url: str, db_path: Path, home: Path, *, full: bool = False) -> float:
    args = ["-m", "pipedriven_desktop", "sync", "--db", str(db_path), "--base-url", base_url]
    return _command_seconds([*args, "--full"] if full else args, home)


#: What the ``sync`` command imports before it syncs, without syncing.
_SYNC_IMPORTS = (
    "import pipedriven_desktop.cli, pipedriven_desktop.secrets, pipedriven_desktop.sync.command"
)


def _naive_seconds_per_record(base_url: str, account: FakeAccount) -> float:
    """The old way: one request per record, timed on a sample of persons."""
    ids = sorted(account.persons)[:NAIVE_SAMPLE]
    session = requests.Session()
    session.headers["x-api-token"] = TOKEN
    started = time.perf_counter()
    for person_id in ids:
        session.get(f"{base_url}/api/v2/persons/{person_id}", timeout=30).json()
    session.close()
    return (time.perf_counter() - started) / len(ids)


def sync_figures() -> list[Figure]:
    fake = _fake_pipedrive()
    account = fake.account
    records = PERSONS + ORGANIZATIONS + ACTIVITIES + len(account.deals)
    with fake as server:
        base_url = server.base_url
        full_seconds: list[float] = []
        full_cpu: list[float] = []
        rescores: list[float] = []
        full_result: SyncResult | None = None
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(FULL_RUNS):
                path = Path(tmp) / f"full-{run}.sqlite3"
                with _rescores_timed(rescores):
                    started, cpu = time.perf_counter(), time.process_time()
                    full_result = _sync(base_url, path)
                    full_seconds.append(time.perf_counter() - started)
                    full_cpu.append(time.process_time() - cpu)
            assert full_result is not None
            mirror = Path(tmp) / f"full-{FULL_RUNS - 1}.sqlite3"
            incremental: list[tuple[float, SyncResult]] = []
            person_ids = sorted(account.persons)
            changed = iter(range(0, len(person_ids), 10))

            def change_ten(run: int) -> None:
                start = next(changed)
                for person_id in person_ids[start : start + 10]:
                    server.call("update_person", person_id, name=f"Changed {run} {person_id}")

            incremental_cpu: list[float] = []
            for run in range(INCREMENTAL_RUNS):
                change_ten(run)
                started, cpu = time.perf_counter(), time.process_time()
                result = _sync(base_url, mirror)
                incremental.append((time.perf_counter() - started, result))
                incremental_cpu.append(time.process_time() - cpu)
            home = Path(tmp) / "home"
            command_incremental = []
            for run in range(INCREMENTAL_RUNS):
                change_ten(INCREMENTAL_RUNS + run)
                command_incremental.append(_sync_command(base_url, mirror, home))
            imports = [_command_seconds(["-c", _SYNC_IMPORTS], home) for _ in range(5)]
            command_full = [
                _sync_command(base_url, Path(tmp) / f"command-{run}.sqlite3", home)
                for run in range(COMMAND_FULL_RUNS)
            ]
        naive_per_record = _naive_seconds_per_record(base_url, account)
    full_median = statistics.median(full_seconds)
    inc_seconds = [seconds for seconds, _ in incremental]
    inc_requests = max(result.requests for _, result in incremental)
    return [
        Figure(
            figure="Full sync, 10,000 persons + 2,000 orgs + 50,000 activities (+ deals)",
            value=full_median,
            unit="s",
            target=5,
            naive=naive_per_record * records,
            minimum=min(full_seconds),
            maximum=max(full_seconds),
            runs=FULL_RUNS,
            note="in this process (run_sync), median of the runs, each into a new mirror",
            naive_extrapolated=(
                f"one request per record: {NAIVE_SAMPLE:,} single-person requests timed,"
                f" their mean × {records:,} records"
            ),
            extra={"records": records, "seconds": full_seconds},
        ),
        _spread_figure(
            "Full sync, processor time of this process (all its threads)",
            full_cpu,
            unit="s",
            note="time.process_time() over the same runs; the fake runs in its own process",
        ),
        _spread_figure(
            "Full sync: of which the warmness rescore (wall)",
            rescores,
            unit="s",
            note="service.rescore timed inside the same runs",
        ),
        _spread_figure(
            "Full sync without the rescore (wall)",
            [whole - part for whole, part in zip(full_seconds, rescores, strict=True)],
            unit="s",
            note="each run's time less its rescore",
        ),
        Figure(
            figure="Full sync, requests",
            value=full_result.requests,
            unit="requests",
            naive=records,
        ),
        Figure(
            figure="Full sync, records per second",
            value=records / full_median,
            unit="records/s",
            higher_is_better=True,
            naive=1 / naive_per_record,
            note="records ÷ the full sync's median",
        ),
        Figure(
            figure="Incremental sync, 10 changed persons of 10,000",
            value=statistics.median(inc_seconds) * 1000,
            unit="ms",
            target=200,
            naive=naive_per_record * PERSONS * 1000,
            minimum=min(inc_seconds) * 1000,
            maximum=max(inc_seconds) * 1000,
            runs=INCREMENTAL_RUNS,
            note="in this process (run_sync)",
            naive_extrapolated=(
                f"re-fetching every person one request each: {NAIVE_SAMPLE:,} single-person"
                f" requests timed, their mean × {PERSONS:,} persons"
            ),
        ),
        _spread_figure(
            "Incremental sync, processor time of this process",
            incremental_cpu,
            note="time.process_time() over the same runs",
        ),
        Figure(
            figure="Incremental sync, requests",
            value=inc_requests,
            unit="requests",
            target=8,
            naive=PERSONS,
        ),
        _spread_figure(
            "`sync` command, incremental (10 changed), spawn to exit",
            command_incremental,
            note="python -m pipedriven_desktop sync against the fake over HTTP, imports included",
        ),
        _spread_figure(
            "`sync` command: interpreter start + its imports alone, spawn to exit",
            imports,
            note="python -c 'import' of what the command loads before it syncs",
        ),
        _spread_figure(
            "`sync` command, full sync into a new mirror, spawn to exit",
            command_full,
            unit="s",
            note="python -m pipedriven_desktop sync, imports and migrations included",
        ),
    ]


def _spread_figure(name: str, seconds: list[float], *, note: str, unit: str = "ms") -> Figure:
    scale = 1000 if unit == "ms" else 1
    return Figure(
        figure=name,
        value=statistics.median(seconds) * scale,
        unit=unit,
        minimum=min(seconds) * scale,
        maximum=max(seconds) * scale,
        runs=len(seconds),
        note=note,
    )
