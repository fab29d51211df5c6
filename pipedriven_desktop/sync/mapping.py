"""Pipedrive records as rows of the mirror, in the text forms SQLite keeps.

The sync writes with plain multi-row statements instead of ORM objects, so the
values must look exactly as SQLAlchemy itself would store them (``store.clock``):
datetimes as naive UTC text, dates as ``YYYY-MM-DD``, booleans as 0/1. Which
columns a record fills, and their names, is ``store.entities``'s to say.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pipedriven_desktop.pipedrive.records import (
    Activity,
    Deal,
    Organization,
    Person,
    option_labels,
)
from pipedriven_desktop.store.clock import to_text
from pipedriven_desktop.store.entities import ActivityValues, ContactValues, DealValues
from pipedriven_desktop.store.organizations import OrganizationFields

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

#: Deal statuses that still count as a relationship; lost and deleted deals do not.
LIVE_DEAL_STATUSES = ("open", "won")

_sequence = itertools.count()


def time_ordered_id() -> str:
    """A UUID in the version 7 layout: a millisecond clock first, then randomness.

    Rows a sync inserts by the thousand get ids in ascending order, so each page's
    inserts land together at the end of the primary-key index instead of on a
    random page each, which keeps the commit of a page small.
    """
    millis = time.time_ns() // 1_000_000
    counter = next(_sequence) & 0xFFF
    # The random module is seeded from the OS and reseeded in a forked child; one
    # system call per id would cost more than the rest of the row's write.
    random_bits = random.getrandbits(62)
    value = (millis << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | random_bits
    text = f"{value:032x}"
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def fits_int64(value: int | None) -> bool:
    return value is None or INT64_MIN <= value <= INT64_MAX


def check_storable(ids: Iterable[int | None]) -> None:
    """Refuse ids SQLite cannot keep, so such a record fails alone, before any write."""
    for value in ids:
        # The bounds inline, not fits_int64: this runs for every id of every record.
        if value is not None and not INT64_MIN <= value <= INT64_MAX:
            raise ValueError(f"id {value} is out of range for the store")


def placeholders(count: int) -> str:
    """``?, ?, ?`` for an IN list of ``count`` values."""
    return ", ".join("?" * count)


def chunked(values: Sequence[Any], size: int = 500) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


_VALUES = re.compile(r"VALUES (\(\?(?:, \?)*\))")


@lru_cache(maxsize=64)
def multi_row(upsert: str, rows: int) -> str:
    """``upsert`` (``INSERT ... VALUES (?, ...) ...``) with ``rows`` rows of values.

    One statement for a whole page runs inside SQLite from the first row to the last,
    without coming back to Python (and its interpreter lock) for each row as
    executemany does, so the next page is parsed in the fetching thread meanwhile.
    """
    found = _VALUES.search(upsert)
    if found is None:
        raise ValueError("not an INSERT ... VALUES (?, ...) statement")
    values = "VALUES " + ", ".join([found.group(1)] * rows)
    return upsert[: found.start()] + values + upsert[found.end() :]


def row_columns(upsert: str) -> int:
    """How many values one row of ``upsert`` takes."""
    found = _VALUES.search(upsert)
    if found is None:
        raise ValueError("not an INSERT ... VALUES (?, ...) statement")
    return found.group(1).count("?")


# --- Organizations -----------------------------------------------------------------------------


def organization_fields(record: Organization) -> OrganizationFields:
    check_storable((record.id,))
    return OrganizationFields(
        name=record.name,
        pipedrive_org_id=record.id,
        industry=record.industry,
        size=record.employee_count,
        website=record.website,
        address=record.address,
        country=record.country,
        city=record.city,
    )


# --- Persons -----------------------------------------------------------------------------------


def lead_status_text(record: Person, options: Mapping[int, str] | None = None) -> str | None:
    """The person's lead status as stored: the text, or the chosen options' labels.

    Never the marketing status: that is email consent, kept in its own column.
    """
    if record.lead_status_option_ids:
        return option_labels(record.lead_status_option_ids, options or {})
    return record.lead_status


def contact_values(
    record: Person, now: str, lead_status_options: Mapping[int, str] | None = None
) -> ContactValues:
    """The person's own columns; ``added_to_campaign`` is the user's and never listed.

    The mail facts are what the listing's ``include_fields`` gave (None: nothing, so
    the score can say "no mail data").
    """
    check_storable((record.id, record.org_id, record.owner_id))
    return ContactValues(
        pipedrive_person_id=record.id,
        name=record.name,
        email=record.primary_email,
        phone=record.primary_phone,
        job_title=record.job_title,
        pipedrive_org_id=record.org_id,
        owner_id=record.owner_id,
        lead_status=lead_status_text(record, lead_status_options),
        incoming_mail_count=record.incoming_mail_count,
        outgoing_mail_count=record.outgoing_mail_count,
        created_at=_utc_text(record.add_time) or now,
        last_pipedrive_update=_utc_text(record.update_time),
        marketing_status=record.marketing_status,
        email_messages_count=record.email_messages_count,
        last_incoming_mail_time=_utc_text(record.last_incoming_mail_time),
        last_outgoing_mail_time=_utc_text(record.last_outgoing_mail_time),
    )


# --- Activities --------------------------------------------------------------------------------


def activity_values(record: Activity) -> ActivityValues:
    # Positional, and the times by ``_utc_text``: a first sync prepares tens of
    # thousands of activities in the thread that also parses them.
    check_storable((record.id, record.person_id, record.org_id, record.deal_id, record.owner_id))
    due = record.due_date
    return ActivityValues(
        record.id,
        record.person_id,
        record.org_id,
        record.deal_id,
        record.type,
        record.subject,
        None if due is None else due.isoformat(),
        1 if record.done else 0,
        _utc_text(record.marked_as_done_time),
        _utc_text(record.add_time),
        _utc_text(record.update_time),
        record.owner_id,
        record.due_time,
        record.note,
    )


def _utc_text(moment: datetime | None) -> str | None:
    """``to_text`` of the aware UTC times records hold, formatted field by field: a third
    of the time of ``isoformat`` with its offset, which is then cut off."""
    if moment is not None and moment.tzinfo is UTC:
        return _STORE_TIME % (
            moment.year,
            moment.month,
            moment.day,
            moment.hour,
            moment.minute,
            moment.second,
            moment.microsecond,
        )
    return to_text(moment)


#: ``YYYY-MM-DD HH:MM:SS.ffffff``, as ``isoformat(" ", "microseconds")`` writes it.
_STORE_TIME = "%04d-%02d-%02d %02d:%02d:%02d.%06d"


# --- Deals -------------------------------------------------------------------------------------


def deal_values(record: Deal) -> DealValues:
    check_storable((record.id, record.person_id, record.org_id))
    return DealValues(
        pipedrive_deal_id=record.id,
        pipedrive_person_id=record.person_id,
        pipedrive_org_id=record.org_id,
        title=record.title,
        value=record.value,
        currency=record.currency or None,
        status=record.status,
        update_time=_utc_text(record.update_time),
    )
