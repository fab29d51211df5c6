"""Full and incremental sync against the bundled fake Pipedrive over real HTTP.

The fake runs in a process of its own, as Pipedrive is a remote service.
"""

from __future__ import annotations

import gc
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from benchmarks.harness import Figure
from benchmarks.remote_fake import RemoteFakeServer
from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.pipedrive.fake_data import FakeAccount
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.sync.service import SyncResult, run_sync

TOKEN = "bench-token"
PERSONS, ORGANIZATIONS, ACTIVITIES = 10_000, 2_000, 50_000
FULL_RUNS = 3
INCREMENTAL_RUNS = 5
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
    """The fake in a process of its own: a real Pipedrive never competes for our GIL."""
    server = RemoteFakeServer(ACCOUNT_ARGS, TOKEN, enforce_rate_limit=False)
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
        full_result: SyncResult | None = None
        with tempfile.TemporaryDirectory() as tmp:
            for run in range(FULL_RUNS):
                path = Path(tmp) / f"full-{run}.sqlite3"
                started = time.perf_counter()
                full_result = _sync(base_url, path)
                full_seconds.append(time.perf_counter() - started)
            assert full_result is not None
            mirror = Path(tmp) / f"full-{FULL_RUNS - 1}.sqlite3"
            incremental: list[tuple[float, SyncResult]] = []
            person_ids = sorted(account.persons)
            for run in range(INCREMENTAL_RUNS):
                for person_id in person_ids[run * 10 : run * 10 + 10]:
                    server.call("update_person", person_id, name=f"Changed {run} {person_id}")
                started = time.perf_counter()
                result = _sync(base_url, mirror)
                incremental.append((time.perf_counter() - started, result))
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
            note=f"naive: one request per record, extrapolated from {NAIVE_SAMPLE:,} requests",
            extra={"records": records},
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
            note="naive: re-fetching every person one request each",
        ),
        Figure(
            figure="Incremental sync, requests",
            value=inc_requests,
            unit="requests",
            target=8,
            naive=PERSONS,
        ),
    ]
