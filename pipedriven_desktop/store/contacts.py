"""The user's own edits to contacts; sync never overwrites these columns.

The window writes them off its thread (``ui/campaign_writer.py``) with ``save_campaign``,
which opens a connection of its own for each edit: a write may wait seconds behind a
sync's transaction, and a connection is cheap next to that.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipedriven_desktop.store.clock import to_text, utcnow
from pipedriven_desktop.store.database import BUSY_TIMEOUT_MS, Database
from pipedriven_desktop.store.errors import DatabaseError, is_busy, user_error

USER_OWNED_COLUMNS = frozenset({"added_to_campaign"})

#: How long an edit waits for another writer (a sync's page) before it gives up.
EDIT_BUSY_TIMEOUT_MS = BUSY_TIMEOUT_MS

_UPDATE_CAMPAIGN = "UPDATE contacts SET added_to_campaign = ?, updated_at = ? WHERE id = ?"


class EditError(DatabaseError):
    """The mirror did not take an edit; the message says why, for the user."""


class MirrorBusyError(EditError):
    """Another writer held the mirror for the whole busy timeout; trying again may work."""


def set_campaign(db: Database, contact_id: str, in_campaign: bool) -> bool:
    """Set the campaign flag on this thread's connection; False when the contact is gone."""
    conn = db.reader()
    with conn:
        changed = conn.execute(
            _UPDATE_CAMPAIGN, (int(in_campaign), to_text(utcnow()), contact_id)
        ).rowcount
    return changed > 0


def save_campaign(
    path: Path, contact_id: str, in_campaign: bool, *, busy_timeout_ms: int = EDIT_BUSY_TIMEOUT_MS
) -> bool:
    """Set the flag on a connection of the calling thread's own; False when the contact is gone.

    Waits up to ``busy_timeout_ms`` for another writer, then raises EditError, as it does
    for a read-only, full or damaged mirror.
    """
    try:
        # mode=rw: a mirror deleted meanwhile is an error, not a new empty file.
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=rw",
            uri=True,
            timeout=busy_timeout_ms / 1000,
            isolation_level=None,
        )
        try:
            conn.execute("BEGIN IMMEDIATE")
            changed = conn.execute(
                _UPDATE_CAMPAIGN, (int(in_campaign), to_text(utcnow()), contact_id)
            ).rowcount
            conn.execute("COMMIT")
        finally:
            conn.close()  # rolls back whatever did not commit
    except (sqlite3.Error, OSError) as exc:
        message = str(user_error(path, exc, "save the change to") or exc)
        if is_busy(exc):
            raise MirrorBusyError(message) from exc
        raise EditError(message) from exc
    return changed > 0
