"""One sync at a time per mirror: a second one says so in one line and writes nothing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipedriven_desktop.pipedrive import FakePipedriveServer, PipedriveClient
from pipedriven_desktop.pipedrive.errors import AuthError
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.writer_lock import SyncBusyError, lock_path, writer_lock
from pipedriven_desktop.sync.command import EXIT_OK, EXIT_USAGE, sync_command
from tests.sync.conftest import TOKEN, Sleeps, SyncFn, make_client, mirror_snapshot, rows

HOLDER = """
import sys
from pathlib import Path
from pipedriven_desktop.store.writer_lock import writer_lock
with writer_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.read()
"""


@pytest.fixture
def holder(db_path: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the mirror's writer lock until it is killed."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None
        assert process.stdout.readline() == "held\n"
        yield process
        process.kill()


def _factory(base_url: str, token: str) -> PipedriveClient:
    return make_client(base_url, token, Sleeps())


def test_a_sync_while_another_holds_the_mirror_fails_and_writes_nothing(
    db: Database, client: PipedriveClient, sync: SyncFn
) -> None:
    before = mirror_snapshot(db)
    with writer_lock(db.path), pytest.raises(SyncBusyError) as raised:
        sync(full=True)
    assert "another sync is running" in str(raised.value).lower()
    assert mirror_snapshot(db) == before
    assert rows(db, "SELECT id FROM sync_runs") == []
    assert client.requests_made == 0

    sync(full=True)  # released: the next one runs
    assert rows(db, "SELECT error FROM sync_runs") == [(None,)]


def test_the_lock_is_released_when_a_sync_fails(db: Database, server: FakePipedriveServer) -> None:
    with make_client(server.base_url, "tok-wrong-0000", Sleeps()) as wrong:
        from pipedriven_desktop.sync.service import run_sync

        with pytest.raises(AuthError):
            run_sync(db, wrong)
    with writer_lock(db.path):
        pass
    assert lock_path(db.path).exists()


def test_the_cli_says_another_sync_is_running_in_one_line_until_the_holder_dies(
    db_path: Path,
    server: FakePipedriveServer,
    holder: subprocess.Popen[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    open_database(db_path).close()
    assert sync_command(db_path, server.base_url, False, TOKEN, client_factory=_factory) == (
        EXIT_USAGE
    )
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("error: Another sync is running on mirror.sqlite3")
    db = open_database(db_path)
    try:
        assert rows(db, "SELECT id FROM sync_runs") == []
    finally:
        db.close()

    holder.kill()  # a crashed holder: the OS drops its lock with the process
    holder.wait()
    assert sync_command(db_path, server.base_url, False, TOKEN, client_factory=_factory) == EXIT_OK
