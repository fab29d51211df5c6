"""What the contact table asks for: filters, order and search, as SQL.

Filtering and sorting happen in SQLite (indexes and FTS5), never in Python, so
a keystroke at 100,000 contacts costs a few milliseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, literal_column, or_, select, text, true
from sqlalchemy.sql.elements import UnaryExpression

from pipedriven_desktop.store.models import Contact, Organization

STALE_AFTER_DAYS = 90

_TOKEN = re.compile(r"\w+", re.UNICODE)


class WarmnessBand(Enum):
    COLD = (0, 3)
    WARM = (4, 6)
    HOT = (7, 10)

    @property
    def low(self) -> int:
        return self.value[0]

    @property
    def high(self) -> int:
        return self.value[1]


class SortKey(Enum):
    MY500 = "my500"
    NAME = "name"
    ORGANIZATION = "organization"
    WARMNESS = "warmness"
    LAST_CONTACTED = "last_contacted"
    EMAIL = "email"
    PHONE = "phone"
    CAMPAIGN = "campaign"


@dataclass(frozen=True)
class ContactFilter:
    """Everything that narrows or orders the contact list; hashable for the cache."""

    owner_id: int | None = None
    search: str = ""
    organization_id: str | None = None
    no_organization: bool = False
    band: WarmnessBand | None = None
    in_campaign: bool = False
    stale_only: bool = False
    sort: SortKey = SortKey.MY500
    descending: bool = False


def fts_query(search: str) -> str | None:
    """Turn what the user typed into a safe FTS5 prefix query (None: match all).

    Every word must match the start of some word in name, email, phone or
    organization; quotes and operators typed by the user are never interpreted.
    """
    tokens = _TOKEN.findall(search)
    if not tokens:
        return None
    return " ".join(f'"{token}"*' for token in tokens)


def my500_order() -> list[UnaryExpression[Any]]:
    return [
        Contact.added_to_campaign.desc(),
        Contact.warmness_score.asc(),
        Contact.last_contacted.asc(),
        Contact.created_at.desc(),
    ]


def order_by(contact_filter: ContactFilter) -> list[Any]:
    if contact_filter.sort is SortKey.MY500:
        return [*my500_order(), Contact.id]
    column: Any = {
        SortKey.NAME: Contact.name.collate("NOCASE"),
        SortKey.ORGANIZATION: Organization.name.collate("NOCASE"),
        SortKey.WARMNESS: Contact.warmness_score,
        SortKey.LAST_CONTACTED: Contact.last_contacted,
        SortKey.EMAIL: Contact.email.collate("NOCASE"),
        SortKey.PHONE: Contact.phone,
        SortKey.CAMPAIGN: Contact.added_to_campaign,
    }[contact_filter.sort]
    primary = column.desc() if contact_filter.descending else column.asc()
    return [primary, *my500_order(), Contact.id]


def where_clause(contact_filter: ContactFilter, now: datetime) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if contact_filter.owner_id is not None:
        conditions.append(Contact.owner_id == contact_filter.owner_id)
    if contact_filter.no_organization:
        conditions.append(Contact.organization_id.is_(None))
    elif contact_filter.organization_id is not None:
        conditions.append(Contact.organization_id == contact_filter.organization_id)
    if contact_filter.band is not None:
        conditions.append(
            Contact.warmness_score.between(contact_filter.band.low, contact_filter.band.high)
        )
    if contact_filter.in_campaign:
        conditions.append(Contact.added_to_campaign.is_(True))
    if contact_filter.stale_only:
        cutoff = now - timedelta(days=STALE_AFTER_DAYS)
        conditions.append(or_(Contact.last_contacted.is_(None), Contact.last_contacted < cutoff))
    match = fts_query(contact_filter.search)
    if match is not None:
        conditions.append(_matches_search(match))
    if not conditions:
        return true()
    return and_(*conditions) if len(conditions) > 1 else conditions[0]


def _matches_search(match: str) -> ColumnElement[bool]:
    fts_rows: Select[Any] = (
        select(literal_column("rowid"))
        .select_from(text("contacts_fts"))
        .where(text("contacts_fts MATCH :q").bindparams(q=match))
    )
    return literal_column("contacts.rowid").in_(fts_rows)


def needs_organization_join(contact_filter: ContactFilter) -> bool:
    return contact_filter.sort is SortKey.ORGANIZATION
