"""A sync killed with SIGKILL while an action is on its way: no duplicate, nothing lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer
from pipedriven_desktop.store import actions
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.scoring import score_contacts
from tests.sync.conftest import NOW, TOKEN, SyncFn, assert_mirror_matches, rows
from tests.sync.outbox.helpers import ACTIVITIES
from tests.sync.test_sync_killed import ROOT, SYNC_SCRIPT


def _wait_for(condition: object, what: str, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 60
    while not condition():  # type: ignore[operator]
        if process is not None:
            assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_a_sync_killed_while_sending_leaves_no_duplicate_and_loses_nothing(
    db: Database,
    db_path: Path,
    account: FakeAccount,
    server: FakePipedriveServer,
    sync: SyncFn,
) -> None:
    sync()
    (contact,) = rows(
        db,
        "SELECT id, pipedrive_person_id FROM contacts WHERE owner_id = :me"
        " ORDER BY pipedrive_person_id LIMIT 1",
        me=account.me_id,
    )
    with actions.writing(db) as conn:
        actions.log_activity(
            conn,
            contact.id,
            kind="call",
            subject="Intro call",
            note="Wants a demo",
            done_at=NOW - timedelta(minutes=5),
            owner_id=account.me_id,
            now=NOW,
            rescore=score_contacts,
        )
        actions.add_note(conn, contact.id, text="Call back in June", now=NOW)
    # The activity's request is held by the fake (which then writes it) long enough to
    # kill the sync while it waits for the answer.
    server.faults.add("slow", path_prefix=ACTIVITIES, method="POST", delay=1.5)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SYNC_TEST_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-c", SYNC_SCRIPT, str(db_path), server.base_url, NOW.isoformat(), "50"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for(lambda: server.faults.pending == 0, "the activity's request", process)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == -signal.SIGKILL
    assert TOKEN.encode() not in stderr
    _wait_for(lambda: len(server.write_log) == 1, "the fake to write the activity")

    # The request went out and Pipedrive has the call; the mirror only knows it was sending.
    assert [(r.kind, r.state) for r in rows(db, "SELECT * FROM outbox ORDER BY id")] == [
        ("log", "sending"),
        ("note", "waiting"),
    ]
    server.reset_log()

    result = sync()

    assert result.sent == 2
    posts = [r for r in server.request_log if r.method == "POST"]
    assert [r.path for r in posts] == ["/v1/notes"], "the call was adopted, not sent again"
    calls = [
        a
        for a in account.activities.values()
        if a["person_id"] == contact.pipedrive_person_id and a["subject"] == "Intro call"
    ]
    assert len(calls) == 1
    assert [n["content"] for n in account.notes.values()] == ["Call back in June"]
    assert rows(db, "SELECT count(*) FROM outbox")[0][0] == 0
    (local,) = rows(db, "SELECT pipedrive_activity_id FROM activities WHERE subject = 'Intro call'")
    assert local.pipedrive_activity_id == calls[0]["id"]
    assert_mirror_matches(db, account)
