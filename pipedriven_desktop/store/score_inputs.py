"""Where the score's newer facts live in the mirror, for the scoring pass to read.

- mail facts: three ``contacts`` columns (`MAIL_COLUMNS`), as the person listing's
  ``include_fields`` gave them (None: no mail data);
- lost deals: counted per contact (`LOST_DEALS_SQL`), named in the breakdown, never
  added to the deal value;
- which lead statuses count: ``store.meta.lead_status_values``.
"""

from __future__ import annotations

from typing import Any, Final

from pipedriven_desktop.store.clock import parse_text

__all__ = [
    "ALL_LOST_DEALS_SQL",
    "LOST_DEALS_SQL",
    "MAIL_COLUMNS",
    "mail_facts",
]

#: ``contacts`` columns of the mail facts, in the order `mail_facts` takes them.
MAIL_COLUMNS: Final = ("email_messages_count", "last_incoming_mail_time", "last_outgoing_mail_time")
#: Lost deals per contact, for every contact / for an ``IN`` list of ids.
ALL_LOST_DEALS_SQL: Final = (
    "SELECT contact_id, count(*) FROM deals"
    " WHERE contact_id IS NOT NULL AND status = 'lost' GROUP BY contact_id"
)
LOST_DEALS_SQL: Final = (
    "SELECT contact_id, count(*) FROM deals"
    " WHERE contact_id IN ({ids}) AND status = 'lost' GROUP BY contact_id"
)


def mail_facts(count: Any, last_incoming: Any, last_outgoing: Any) -> dict[str, Any]:
    """`ContactFacts` keyword arguments from the stored ``MAIL_COLUMNS`` values."""
    return {
        "email_messages_count": count,
        "last_incoming_mail": parse_text(last_incoming),
        "last_outgoing_mail": parse_text(last_outgoing),
    }
