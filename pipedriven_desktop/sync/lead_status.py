"""Choosing the person field that holds the lead status, and the values that count.

Shared by the ``config`` command and the Settings dialog: the fields come from
Pipedrive (`GET /v1/personFields`), the choice and an option field's labels are kept
in ``app_meta`` (``store.meta``), and the next sync reads the field again for everyone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pipedriven_desktop.domain.warmness import LeadStatusValues
from pipedriven_desktop.pipedrive.client import PipedriveClient
from pipedriven_desktop.pipedrive.records import PersonField
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import (
    LEAD_STATUS_FIELD_KEY,
    get_meta,
    lead_status_values,
    set_lead_status_field,
    set_lead_status_values,
)

__all__ = [
    "LeadStatusSettings",
    "UnknownFieldError",
    "candidate_fields",
    "choose_field",
    "current_settings",
    "parse_values",
    "save_values",
    "store_field",
    "use_demo_field",
]


logger = logging.getLogger(__name__)


class UnknownFieldError(ValueError):
    """The key names no person field that can hold a lead status."""


@dataclass(frozen=True, slots=True)
class LeadStatusSettings:
    field_key: str | None
    values: LeadStatusValues


def candidate_fields(fields: Iterable[PersonField]) -> list[PersonField]:
    """The account's own text and option fields: where a lead status can live."""
    return [field for field in fields if field.can_hold_lead_status]


def choose_field(
    db: Database, client: PipedriveClient | None, key: str | None
) -> PersonField | None:
    """Store ``key`` as the lead status field (None or "" clears it), with its labels.

    The field is looked up in Pipedrive's description first, so a typo or a field of
    another type is refused (`UnknownFieldError`) rather than stored.
    """
    field = None
    if key:
        if client is None:
            raise ValueError("a client is needed to look the field up")
        fields = candidate_fields(client.person_fields())
        field = next((f for f in fields if f.key == key), None)
        if field is None:
            names = ", ".join(f"{f.key} ({f.name})" for f in fields) or "none"
            raise UnknownFieldError(
                f"no text or option person field has the key {key}; the account's are: {names}"
            )
    store_field(db, field)
    return field


def store_field(db: Database, field: PersonField | None) -> None:
    """Store an already described field (None: no field) as the lead status field."""
    with db.session() as session:
        set_lead_status_field(
            session.connection(), field.key if field else None, dict(field.options) if field else {}
        )


def parse_values(text: str | None) -> list[str]:
    """``"Hot lead, Qualified"`` as ["Hot lead", "Qualified"]: commas separate values."""
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def save_values(db: Database, qualified: Sequence[str], contacted: Sequence[str]) -> None:
    """Store which values count as qualified / contacted (empty: the default word)."""
    with db.session() as session:
        set_lead_status_values(session.connection(), qualified, contacted)


def current_settings(db: Database) -> LeadStatusSettings:
    with db.engine.connect() as conn:
        return LeadStatusSettings(get_meta(conn, LEAD_STATUS_FIELD_KEY), lead_status_values(conn))


def use_demo_field(db: Database) -> None:
    """On the demo mirror, read the lead status from the demo account's option field.

    Only when no field is chosen yet, so a choice made in the demo's Settings stays. A
    mirror that cannot be written to is left as it is: the demo still opens.
    """
    from pipedriven_desktop.pipedrive.fake_data import (
        FAKE_LEAD_STATUS_OPTION_FIELD,
        FAKE_LEAD_STATUS_OPTIONS,
    )

    try:
        if current_settings(db).field_key is None:
            field = PersonField(
                FAKE_LEAD_STATUS_OPTION_FIELD,
                "Lead status",
                "enum",
                tuple(FAKE_LEAD_STATUS_OPTIONS.items()),
            )
            store_field(db, field)
    except Exception:
        logger.warning("the demo's lead status field was not chosen", exc_info=True)
