"""The user's own edits to contacts; sync never overwrites these columns."""

from __future__ import annotations

from sqlalchemy import update

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Contact

USER_OWNED_COLUMNS = frozenset({"added_to_campaign"})


def set_campaign(db: Database, contact_id: str, in_campaign: bool) -> bool:
    """Set the campaign flag at once; returns False when the contact is gone."""
    with db.session() as session:
        result = session.execute(
            update(Contact)
            .where(Contact.id == contact_id)
            .values(added_to_campaign=in_campaign, updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))
