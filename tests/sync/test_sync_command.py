"""``pipedriven-desktop sync``: exit codes, one line of output, never the token."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipedriven_desktop.pipedrive import FakeAccount, FakePipedriveServer, PipedriveClient
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.sync.command import (
    CANCELLED_LINE,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    sync_command,
)
from tests.sync.conftest import (
    TOKEN,
    Sleeps,
    make_client,
    mirror_snapshot,
    rows,
)

WRONG = "tok-definitely-wrong-4242"


def _factory(base_url: str, token: str) -> PipedriveClient:
    return make_client(base_url, token, Sleeps())


def _run(db_path: Path, base_url: str, token: str | None, full: bool = False) -> int:
    return sync_command(db_path, base_url, full, token, client_factory=_factory)


def _one_line(text: str) -> str:
    assert text.endswith("\n")
    assert text.count("\n") == 1, text
    return text.strip()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _snapshot(db_path: Path) -> dict[str, list[object]]:
    db = open_database(db_path)
    try:
        return mirror_snapshot(db)
    finally:
        db.close()


def test_a_successful_sync_prints_one_summary_line(
    db_path: Path, server: FakePipedriveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db_path, server.base_url, TOKEN, full=True) == EXIT_OK

    out, err = capsys.readouterr()
    line = _one_line(out)
    assert line.startswith("Sync complete (full): ")
    for part in ("fetched", "created", "updated", "deleted", "failed", "requests in", " s"):
        assert part in line
    assert err == ""
    assert TOKEN not in out


@pytest.mark.parametrize("token", [None, "", "   "])
def test_no_token_is_one_clear_line_and_no_database(
    db_path: Path, token: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db_path, "http://127.0.0.1:9", token) == EXIT_USAGE

    out, err = capsys.readouterr()
    assert out == ""
    assert "no Pipedrive API token" in _one_line(err)
    assert not db_path.exists()


def test_a_bad_token_fails_cleanly_and_changes_nothing(
    db_path: Path,
    account: FakeAccount,
    server: FakePipedriveServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(db_path, server.base_url, TOKEN) == EXIT_OK
    account.update_person(sorted(account.persons)[0], name="Not Synced")
    before = _snapshot(db_path)
    capsys.readouterr()

    assert _run(db_path, server.base_url, WRONG) == EXIT_USAGE  # nothing was done

    out, err = capsys.readouterr()
    assert out == ""
    assert "rejected the API token" in _one_line(err)
    assert WRONG not in err
    assert TOKEN not in err
    assert _snapshot(db_path) == before


def test_no_network_fails_with_one_line(db_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_path, f"http://127.0.0.1:{_closed_port()}", TOKEN) == EXIT_USAGE

    out, err = capsys.readouterr()
    assert out == ""
    assert "Could not reach Pipedrive" in _one_line(err)
    assert TOKEN not in err


def test_pipedrive_failing_before_it_answered_anything_is_exit_code_2_and_changes_nothing(
    db_path: Path,
    account: FakeAccount,
    server: FakePipedriveServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(db_path, server.base_url, TOKEN) == EXIT_OK
    account.update_person(sorted(account.persons)[0], name="Not Synced")
    before = _snapshot(db_path)
    server.faults.add("500", 1000)  # every request, the first one included
    capsys.readouterr()

    assert _run(db_path, server.base_url, TOKEN) == EXIT_USAGE

    _out, err = capsys.readouterr()
    assert "HTTP 500" in _one_line(err)
    assert _snapshot(db_path) == before


def test_a_server_that_keeps_failing_leaves_the_committed_pages_and_nothing_else(
    db_path: Path,
    account: FakeAccount,
    server: FakePipedriveServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run(db_path, server.base_url, TOKEN) == EXIT_OK
    pid = sorted(account.persons)[1]
    account.update_person(pid, name="Committed Before The Failure")
    activity = sorted(account.activities)[1]
    account.update_activity(activity, subject="Never Arrives")
    server.faults.add("500", 1000, path_prefix="/api/v2/activities")
    capsys.readouterr()

    assert _run(db_path, server.base_url, TOKEN) == EXIT_FAILED

    out, err = capsys.readouterr()
    assert out == ""
    assert "HTTP 500" in _one_line(err)
    db = open_database(db_path)
    try:
        assert rows(db, "SELECT name FROM contacts WHERE pipedrive_person_id = :p", p=pid) == [
            ("Committed Before The Failure",)
        ]
        assert rows(
            db, "SELECT subject FROM activities WHERE pipedrive_activity_id = :a", a=activity
        ) != [("Never Arrives",)]
        last = rows(db, "SELECT error FROM sync_runs ORDER BY started DESC, rowid DESC")[0]
        assert "HTTP 500" in last.error
    finally:
        db.close()

    server.faults.clear()
    assert _run(db_path, server.base_url, TOKEN) == EXIT_OK
    db = open_database(db_path)
    try:
        assert rows(
            db, "SELECT subject FROM activities WHERE pipedrive_activity_id = :a", a=activity
        ) == [("Never Arrives",)]
    finally:
        db.close()


@pytest.mark.parametrize("base_url", ["ftp://example.com", "http://example.com", "not a url"])
def test_an_unusable_address_is_refused_before_any_request(
    db_path: Path, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db_path, base_url, TOKEN) == EXIT_USAGE

    out, err = capsys.readouterr()
    assert out == ""
    assert _one_line(err).startswith("error: ")
    assert TOKEN not in err


def test_an_unusable_database_is_one_line(
    tmp_path: Path, server: FakePipedriveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no such directory" / "mirror.sqlite3"
    assert _run(missing, server.base_url, TOKEN) == EXIT_USAGE

    out, err = capsys.readouterr()
    assert out == ""
    assert "does not exist" in _one_line(err)


def test_an_error_text_echoing_the_token_is_masked_in_output_and_mirror(
    db_path: Path,
    server: FakePipedriveServer,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    server.faults.add("echo_token", 1000, path_prefix="/api/v2/persons")

    assert _run(db_path, server.base_url, TOKEN) == EXIT_FAILED

    out, err = capsys.readouterr()
    assert out == ""
    line = _one_line(err)
    assert "HTTP 400" in line
    assert "[redacted]" in line
    assert TOKEN not in err
    db = open_database(db_path)
    try:
        error = rows(db, "SELECT error FROM sync_runs ORDER BY started DESC, rowid DESC")[0].error
    finally:
        db.close()
    assert "[redacted]" in error
    assert TOKEN not in error
    assert TOKEN not in caplog.text


def test_a_gzip_body_that_does_not_decode_is_one_line(
    db_path: Path, server: FakePipedriveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    server.faults.add("bad_gzip", 1000, path_prefix="/api/v2/persons")

    assert _run(db_path, server.base_url, TOKEN) == EXIT_FAILED

    out, err = capsys.readouterr()
    assert out == ""
    assert "could not be decoded" in _one_line(err)
    assert len(server.requests_to("/api/v2/persons")) == 5  # retried a bounded number of times


def test_ctrl_c_cancels_the_sync_in_one_line_and_the_next_sync_resumes(
    db_path: Path, server: FakePipedriveServer, tmp_path: Path
) -> None:
    # The first page of activities trickles in at one byte every half second: the sync is
    # stuck on it, with organizations and persons written. (The first request for
    # activities only asks for the newest one, before any listing is walked.)
    server.faults.add("slow", path_prefix="/api/v2/activities", delay=0)
    server.faults.add("trickle", path_prefix="/api/v2/activities", delay=0.5)
    env = {
        **os.environ,
        "PIPEDRIVE_API_TOKEN": TOKEN,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    argv = [sys.executable, "-m", "pipedriven_desktop", "sync", "--db", str(db_path)]
    with subprocess.Popen(
        [*argv, "--base-url", server.base_url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        give_up = time.monotonic() + 30
        while server.faults.pending and process.poll() is None:
            assert time.monotonic() < give_up, "the sync never asked for activities"
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)

    assert (process.returncode, out, err) == (EXIT_INTERRUPTED, "", CANCELLED_LINE + "\n")
    db = open_database(db_path)
    try:
        assert rows(db, "SELECT error FROM sync_runs") == [("cancelled",)]
        assert rows(db, "SELECT count(*) FROM contacts") == [(len(server.account.persons),)]
    finally:
        db.close()
    assert _run(db_path, server.base_url, TOKEN) == EXIT_OK
    db = open_database(db_path)
    try:
        activities = rows(db, "SELECT pipedrive_activity_id FROM activities")
    finally:
        db.close()
    assert {row[0] for row in activities} == set(server.account.activities)


def test_a_mirror_with_damaged_pages_is_not_written_and_the_sync_fails(
    db_path: Path, server: FakePipedriveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db_path, server.base_url, TOKEN) == EXIT_OK
    data = bytearray(db_path.read_bytes())
    page = 4096
    data[10 * page : 14 * page] = b"\xde\xad\xbe\xef" * page  # four data pages, not the header
    db_path.write_bytes(bytes(data))
    before = db_path.read_bytes()
    server.reset_log()
    capsys.readouterr()

    code = _run(db_path, server.base_url, TOKEN)

    out, err = capsys.readouterr()
    assert code != EXIT_OK
    assert out == ""
    assert "corrupt" in _one_line(err)
    assert db_path.read_bytes() == before
    assert server.request_count == 0
