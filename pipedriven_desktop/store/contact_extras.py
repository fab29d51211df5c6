"""What the detail pane shows beside a contact's row: email consent, mail facts, score changes.

Read on the plain ``sqlite3`` read path, one contact at a time, when it is selected.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from pipedriven_desktop.store.clock import parse_text
from pipedriven_desktop.store.score_history import ScoreChange, recent_changes

__all__ = [
    "CHANGES_SHOWN",
    "UNSUBSCRIBED",
    "ContactExtras",
    "contact_extras",
    "email_consent",
]

#: Score changes the detail pane lists.
CHANGES_SHOWN: Final = 5
#: Pipedrive's marketing status of a person who asked for no more campaign mail.
UNSUBSCRIBED: Final = "unsubscribed"

_EXTRAS = (
    "SELECT marketing_status, email_messages_count, last_incoming_mail_time,"
    " last_outgoing_mail_time FROM contacts WHERE id = ?"
)


@dataclass(frozen=True, slots=True)
class ContactExtras:
    marketing_status: str | None
    email_messages_count: int | None
    last_incoming_mail: datetime | None
    last_outgoing_mail: datetime | None
    changes: tuple[ScoreChange, ...]


def contact_extras(
    conn: sqlite3.Connection, contact_id: str, changes: int = CHANGES_SHOWN
) -> ContactExtras | None:
    """The contact's consent, mail facts and latest score changes; None if it is gone."""
    row = conn.execute(_EXTRAS, (contact_id,)).fetchone()
    if row is None:
        return None
    consent, count, last_in, last_out = row
    return ContactExtras(
        marketing_status=consent,
        email_messages_count=count,
        last_incoming_mail=parse_text(last_in),
        last_outgoing_mail=parse_text(last_out),
        changes=tuple(recent_changes(conn, contact_id, changes)),
    )


def email_consent(conn: sqlite3.Connection, contact_id: str) -> str | None:
    """The contact's marketing status (email consent), or None."""
    row = conn.execute("SELECT marketing_status FROM contacts WHERE id = ?", (contact_id,))
    found = row.fetchone()
    return None if found is None else found[0]
