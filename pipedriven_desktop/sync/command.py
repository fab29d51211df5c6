"""``pipedriven-desktop sync``: one headless sync, a one-line summary, an exit code.

Every failure becomes one line on stderr, written from the error's user-facing
message: never the token, never a traceback. What the failed run had not committed
is not in the mirror: each page is its own transaction.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.pipedrive.errors import PipedriveError
from pipedriven_desktop.store.database import DatabaseError, open_database
from pipedriven_desktop.sync.service import SyncCancelledError, SyncResult, run_sync

__all__ = ["EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "sync_command"]

EXIT_OK = 0
#: The sync ran and failed: Pipedrive refused the token, could not be reached, kept failing.
EXIT_FAILED = 1
#: The sync could not start: no token, an unusable address or database.
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

NO_TOKEN = (
    "error: no Pipedrive API token; save one in the app's settings or set PIPEDRIVE_API_TOKEN"
)


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
    try:
        client = client_factory(base_url, token)
    except ValueError as exc:  # the address, checked before any request
        return _fail(f"error: {exc}", EXIT_USAGE)
    try:
        db = open_database(db_path)
    except DatabaseError as exc:
        client.close()
        return _fail(f"error: {exc}", EXIT_USAGE)
    try:
        result = run_sync(db, client, full=full)
    except PipedriveError as exc:
        return _fail(f"error: sync failed: {exc.message}", EXIT_FAILED)
    except SyncCancelledError:
        return _fail("error: sync cancelled; what was written so far is kept", EXIT_FAILED)
    except DatabaseError as exc:  # another sync holds the mirror: this one did not start
        return _fail(f"error: {exc}", EXIT_USAGE)
    except KeyboardInterrupt:
        return _fail("error: sync interrupted; what was written so far is kept", EXIT_INTERRUPTED)
    except DBAPIError as exc:
        return _fail(f"error: sync failed: the local database failed ({exc.orig})", EXIT_FAILED)
    finally:
        client.close()
        db.close()
    print(summary(result))
    return EXIT_OK


def summary(result: SyncResult) -> str:
    return (
        f"Sync complete ({result.kind}): {result.fetched} fetched, {result.created} created, "
        f"{result.updated} updated, {result.deleted} deleted, {result.failed} failed; "
        f"{result.requests} requests in {result.seconds:.2f} s"
    )


def _fail(message: str, code: int) -> int:
    print(message, file=sys.stderr)
    return code
