"""The queue of new organizations awaiting the near-duplicate check, kept in ``app_meta``.

The check runs once the persons are in, so shared email domains can back a
suggestion; the queue lets it survive a sync that stops before then.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pipedriven_desktop.store.meta import SUGGESTIONS_QUEUE_KEY, get_meta, set_meta
from pipedriven_desktop.store.org_search import refresh_alias_search
from pipedriven_desktop.store.organizations import record_suggestions


def queue_suggestions(conn: Connection, organization_ids: Sequence[str]) -> None:
    """Remember new organizations for the near-duplicate check, in the page's transaction."""
    if not organization_ids:
        return
    queued = pending_suggestions(conn)
    seen = set(queued)
    queued.extend(i for i in organization_ids if i not in seen)
    set_meta(conn, SUGGESTIONS_QUEUE_KEY, json.dumps(queued))


def pending_suggestions(conn: Connection) -> list[str]:
    stored = get_meta(conn, SUGGESTIONS_QUEUE_KEY)
    try:
        value = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []


def record_pending_suggestions(session: Session, now: datetime) -> int:
    """Record near-match suggestions for the queued organizations, then empty the queue.

    Also writes merged-away spellings back into the search entries the persons' pages
    rewrote (``org_search``).
    """
    conn = session.connection()
    refresh_alias_search(conn)
    queued = pending_suggestions(conn)
    if not queued:
        return 0
    added = record_suggestions(session, queued, now)
    set_meta(conn, SUGGESTIONS_QUEUE_KEY, None)
    return added
