"""The organization fields' option labels: fetched on a full sync and at most daily.

Labels change rarely (an admin renames an industry), so an incremental sync, meant to
cost a handful of requests, asks for them only when the ones held are a day old.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.pipedrive.errors import BadResponseError, RequestRejectedError
from pipedriven_desktop.store.clock import parse_text
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import get_meta, set_meta
from pipedriven_desktop.store.org_labels import set_industry_labels

__all__ = ["INDUSTRY_FIELD_KEY", "LABELS_MAX_AGE", "labels_due", "sync_industry_labels"]

log = logging.getLogger(__name__)

#: The key of Pipedrive's built-in industry field of organizations.
INDUSTRY_FIELD_KEY = "industry"
#: How old the labels may be before an incremental sync asks for them again.
LABELS_MAX_AGE = timedelta(days=1)
#: ``app_meta``: when the labels were last read from Pipedrive.
LABELS_READ_AT_KEY = "org_industry_labels_read_at"


def labels_due(db: Database, now: datetime) -> bool:
    """Whether the labels were never read, or were read more than a day before ``now``."""
    # The engine's pool, not db.reader(): that keeps a connection per thread, and this
    # runs on the sync's thread, where nothing would close it.
    with db.engine.connect() as conn:
        stored = get_meta(conn, LABELS_READ_AT_KEY)
    try:
        read_at = parse_text(stored)
    except ValueError:  # not a time: read them again
        return True
    return read_at is None or now - read_at >= LABELS_MAX_AGE


def sync_industry_labels(client: PipedriveClient, db: Database, now: datetime) -> int:
    """Store the industry field's option labels; returns how many.

    Labels are a courtesy: a refused or garbled answer keeps the labels known before
    (the card then shows what it had), and the sync goes on.
    """
    try:
        fields = client.organization_fields()
    except (RequestRejectedError, BadResponseError) as exc:
        log.warning("Could not read Pipedrive's organization fields: %s", exc)
        return 0
    labels = {
        option_id: label
        for field in fields
        if field.key == INDUSTRY_FIELD_KEY
        for option_id, label in field.options
        if label
    }
    with db.session() as session:
        set_industry_labels(session.connection(), labels)
        set_meta(session.connection(), LABELS_READ_AT_KEY, now.isoformat(sep=" "))
    return len(labels)
