"""A sync process killed with SIGKILL mid-way: the mirror stays whole, the next run completes."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store.database import Database
from tests.sync.conftest import NOW, TOKEN, SyncFn, assert_mirror_matches, rows

ROOT = Path(__file__).resolve().parents[2]
KILL_PAGE = 50

SYNC_SCRIPT = """
import os, sys
from datetime import datetime
from pathlib import Path
from pipedriven_desktop.pipedrive import FAKE_LEAD_STATUS_FIELD, PipedriveClient
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.sync.service import run_sync

db_path, base_url, now, page = sys.argv[1:]
moment = datetime.fromisoformat(now)
client = PipedriveClient(base_url, os.environ["SYNC_TEST_TOKEN"])
run_sync(
    open_database(Path(db_path)),
    client,
    now=lambda: moment,
    lead_status_field=FAKE_LEAD_STATUS_FIELD,
    page_size=int(page),
)
"""


def _count(db_path: Path, table: str) -> int:
    conn = sqlite3.connect(db_path, timeout=5)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0
    finally:
        conn.close()


def test_a_killed_sync_leaves_a_whole_mirror_and_the_next_sync_completes_it(
    db: Database,
    db_path: Path,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
) -> None:
    server.faults.add("slow", 1000, path_prefix="/api/v2/activities", delay=0.15)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYNC_TEST_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-c", SYNC_SCRIPT, str(db_path), server.base_url, NOW.isoformat(), "50"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while _count(db_path, "activities") < 2 * KILL_PAGE:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the sync never got to the activities"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert TOKEN.encode() not in stderr

    # The mirror is whole: no torn page, no dangling reference, the run left marked open.
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    assert rows(db, "PRAGMA foreign_key_check") == []
    written = rows(db, "SELECT count(*) FROM activities")[0][0]
    assert 0 < written < len(account.activities)
    assert written % KILL_PAGE == 0, "only whole pages are committed"
    assert rows(db, "SELECT count(*) FROM contacts")[0][0] == len(account.persons)
    (state,) = rows(db, "SELECT * FROM sync_state WHERE entity = 'activities'")
    assert state.full_run_id is not None
    (run,) = rows(db, "SELECT finished, error FROM sync_runs")
    assert run.finished is None

    server.faults.clear()
    server.reset_log()
    result = sync()

    assert result.kind == "full"
    first_activity_page = next(
        r for r in server.requests_to("/api/v2/activities") if r.params["sort_by"] == "id"
    )
    assert "cursor" in first_activity_page.params, "the listing resumed where it was killed"
    assert_mirror_matches(db, account)
