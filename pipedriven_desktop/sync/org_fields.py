"""The organization fields' option labels, fetched once per sync (one or two requests)."""

from __future__ import annotations

import logging

from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.pipedrive.errors import BadResponseError, RequestRejectedError
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_labels import set_industry_labels

__all__ = ["INDUSTRY_FIELD_KEY", "sync_industry_labels"]

log = logging.getLogger(__name__)

#: The key of Pipedrive's built-in industry field of organizations.
INDUSTRY_FIELD_KEY = "industry"


def sync_industry_labels(client: PipedriveClient, db: Database) -> int:
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
    return len(labels)
