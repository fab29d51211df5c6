"""The user's own edits to contacts; sync never overwrites these columns."""

from __future__ import annotations

from pipedriven_desktop.store.clock import to_text, utcnow
from pipedriven_desktop.store.database import Database

USER_OWNED_COLUMNS = frozenset({"added_to_campaign"})


def set_campaign(db: Database, contact_id: str, in_campaign: bool) -> bool:
    """Set the campaign flag at once; returns False when the contact is gone."""
    conn = db.reader()
    with conn:
        changed = conn.execute(
            "UPDATE contacts SET added_to_campaign = ?, updated_at = ? WHERE id = ?",
            (int(in_campaign), to_text(utcnow()), contact_id),
        ).rowcount
    return changed > 0
