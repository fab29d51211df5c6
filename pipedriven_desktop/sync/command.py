"""``pipedriven-desktop sync``: one headless sync, a one-line summary, an exit code.

Every failure becomes one line on stderr, written from the error's user-facing
message with any secret masked: never the token, never a traceback. What the failed
run had not committed is not in the mirror: each page is its own transaction.

Ctrl+C cancels: the request in flight is abandoned at once, the page being written
is finished, and the run ends with one line and exit code 130. A second Ctrl+C while
it winds down ends the process at once, as a kill would: the mirror stays whole, since
each page is one SQLite transaction and one cut short is rolled back by the next open.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from sqlalchemy.exc import DBAPIError

from pipedriven_desktop.pipedrive.address import checked_base_url
from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.pipedrive.errors import PipedriveError, RequestCancelledError
from pipedriven_desktop.redaction import install_log_redaction, redact, register_secret
from pipedriven_desktop.store.database import DatabaseError, open_database
from pipedriven_desktop.sync.service import SyncCancelledError, SyncResult, run_sync

__all__ = [
    "CANCELLED_LINE",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "sync_command",
]

EXIT_OK = 0
#: The sync stopped part-way: Pipedrive had answered, then failed (kept failing, went out
#: of reach, refused a request); what was committed stays and the next sync resumes.
EXIT_FAILED = 1
#: Nothing was done: no token, an unusable address or database, another sync, or Pipedrive
#: answered none of the run's requests (the token refused, the address out of reach).
EXIT_USAGE = 2
#: Cancelled with Ctrl+C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130

NO_TOKEN = (
    "error: no Pipedrive API token; save one in the app's settings or set PIPEDRIVE_API_TOKEN"
)
CANCELLED_LINE = "Sync cancelled; the next sync resumes where this one stopped"


def sync_command(
    db_path: Path,
    base_url: str,
    full: bool,
    token: str | None,
    *,
    client_factory: Callable[[str, str], PipedriveClient] = PipedriveClient,
) -> int:
    """Sync the mirror at ``db_path`` with Pipedrive at ``base_url``; returns the exit code.

    ``client_factory(base_url, token)`` builds the client (tests pass one that does not
    wait between retries).
    """
    if token is None or not token.strip():
        return _fail(NO_TOKEN, EXIT_USAGE)
    register_secret(token)
    install_log_redaction()
    try:
        base_url = checked_base_url(base_url)
        client = client_factory(base_url, token)
    except ValueError as exc:  # the address, checked before any request
        return _fail(f"error: {exc}", EXIT_USAGE)
    cancel = threading.Event()
    try:
        with _cancel_on_ctrl_c(cancel, client):
            try:
                code = _run(db_path, client, full, cancel)
            finally:
                client.close()
    except KeyboardInterrupt:  # a Ctrl+C before the handler was in place
        code = EXIT_INTERRUPTED
    if code == EXIT_INTERRUPTED:  # said here, once Ctrl+C no longer ends the process
        return _fail(CANCELLED_LINE, code)
    return code


def _run(db_path: Path, client: PipedriveClient, full: bool, cancel: threading.Event) -> int:
    """The sync itself; every outcome but a cancel is reported here."""
    try:
        db = open_database(db_path)
    except DatabaseError as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    try:
        if cancel.is_set():
            return EXIT_INTERRUPTED
        # Damaged pages go unseen by the statements that do not read them: never write
        # into (and then report success on) a damaged file.
        db.check_integrity()
        result = run_sync(db, client, full=full, should_cancel=cancel.is_set)
    except (SyncCancelledError, RequestCancelledError):
        return EXIT_INTERRUPTED
    except PipedriveError as exc:
        # Until Pipedrive answers, the run reads and sends nothing, so writes nothing.
        code = EXIT_FAILED if client.requests_answered else EXIT_USAGE
        return _fail(f"error: sync failed: {exc.message}", code)
    except DatabaseError as exc:  # another sync holds the mirror, or it is damaged
        return _fail(f"error: {exc}", EXIT_USAGE)
    except DBAPIError as exc:
        return _fail(f"error: sync failed: the local database failed ({exc.orig})", EXIT_FAILED)
    finally:
        db.close()
    print(summary(result))
    return EXIT_OK


@contextmanager
def _cancel_on_ctrl_c(cancel: threading.Event, client: PipedriveClient) -> Iterator[None]:
    """While inside, the first SIGINT asks the run to stop (and abandons the request in
    flight); the next ends the process. Only the main thread can handle signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        if not cancel.is_set():
            cancel.set()
            client.cancel()
            return
        os.write(2, f"{CANCELLED_LINE}\n".encode())
        os._exit(EXIT_INTERRUPTED)

    previous = signal.signal(signal.SIGINT, on_sigint)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def summary(result: SyncResult) -> str:
    outbox = ""
    if result.sent or result.refused:
        outbox = f"; {result.sent} changes sent to Pipedrive, {result.refused} refused"
        if result.refused:
            outbox += " (see `outbox`)"
    return (
        f"Sync complete ({result.kind}): {result.fetched} fetched, {result.created} created, "
        f"{result.updated} updated, {result.deleted} deleted, {result.failed} failed; "
        f"{result.requests} requests in {result.seconds:.2f} s{outbox}"
    )


def _fail(message: str, code: int) -> int:
    print(redact(message), file=sys.stderr, flush=True)
    return code
