"""Pipedrive records as rows of the mirror, in the text forms SQLite keeps.

The sync writes with plain executemany statements instead of ORM objects, so the
values must look exactly as SQLAlchemy itself would store them: datetimes as
``YYYY-MM-DD HH:MM:SS.ffffff`` (naive UTC), dates as ``YYYY-MM-DD``, booleans as 0/1.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from pipedriven_desktop.pipedrive.records import Activity, Deal, Organization, Person
from pipedriven_desktop.store.organizations import OrganizationFields

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

#: Deal statuses that still count as a relationship; lost and deleted deals do not.
LIVE_DEAL_STATUSES = ("open", "won")


def db_time(moment: datetime | None) -> str | None:
    """A datetime as the store keeps it (naive UTC text with microseconds)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        if moment.tzinfo is not UTC:
            moment = moment.astimezone(UTC)
        # The year always has four digits: the offset ("+00:00") starts at 26.
        return moment.isoformat(" ", "microseconds")[:26]
    return moment.isoformat(" ", "microseconds")


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


def db_date(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def parse_db_time(value: object) -> datetime | None:
    """A stored datetime read back through the raw driver (naive UTC)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def parse_db_date(value: object) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def fits_int64(value: int | None) -> bool:
    return value is None or INT64_MIN <= value <= INT64_MAX


def check_storable(ids: Iterable[int | None]) -> None:
    """Refuse ids SQLite cannot keep, so such a record fails alone, before any write."""
    for value in ids:
        if not fits_int64(value):
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
#
# Each upsert lists the local columns first (the row's own id, then the local ids it links
# to, found in the database while writing) and then the record's own values, which
# ``*_values`` prepares ahead of time; the Pipedrive update time is always the last of them.

CONTACT_UPSERT = """
INSERT INTO contacts (
  id, organization_id, updated_at, pipedrive_person_id, name, email, phone, job_title,
  pipedrive_org_id, owner_id, lead_status, incoming_mail_count, outgoing_mail_count,
  created_at, last_pipedrive_update
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (pipedrive_person_id) DO UPDATE SET
  organization_id = excluded.organization_id,
  updated_at = excluded.updated_at,
  name = excluded.name,
  email = excluded.email,
  phone = excluded.phone,
  job_title = excluded.job_title,
  pipedrive_org_id = excluded.pipedrive_org_id,
  owner_id = excluded.owner_id,
  lead_status = excluded.lead_status,
  incoming_mail_count = excluded.incoming_mail_count,
  outgoing_mail_count = excluded.outgoing_mail_count,
  created_at = excluded.created_at,
  last_pipedrive_update = excluded.last_pipedrive_update,
  score_computed_at = NULL
"""


def contact_values(record: Person, now: str) -> tuple[Any, ...]:
    """The person's own columns; ``added_to_campaign`` is the user's and never listed."""
    check_storable((record.id, record.org_id, record.owner_id))
    return (
        record.id,
        record.name,
        record.primary_email,
        record.primary_phone,
        record.job_title,
        record.org_id,
        record.owner_id,
        record.lead_status or record.marketing_status,
        record.incoming_mail_count,
        record.outgoing_mail_count,
        db_time(record.add_time) or now,
        db_time(record.update_time),
    )


# --- Activities --------------------------------------------------------------------------------

ACTIVITY_UPSERT = """
INSERT INTO activities (
  id, contact_id, organization_id, deal_id, pipedrive_activity_id, pipedrive_person_id,
  pipedrive_org_id, pipedrive_deal_id, type, subject, due_date, done, marked_as_done_time,
  add_time, update_time
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (pipedrive_activity_id) DO UPDATE SET
  contact_id = excluded.contact_id,
  organization_id = excluded.organization_id,
  deal_id = excluded.deal_id,
  pipedrive_person_id = excluded.pipedrive_person_id,
  pipedrive_org_id = excluded.pipedrive_org_id,
  pipedrive_deal_id = excluded.pipedrive_deal_id,
  type = excluded.type,
  subject = excluded.subject,
  due_date = excluded.due_date,
  done = excluded.done,
  marked_as_done_time = excluded.marked_as_done_time,
  add_time = excluded.add_time,
  update_time = excluded.update_time
"""


def activity_values(record: Activity) -> tuple[Any, ...]:
    check_storable((record.id, record.person_id, record.org_id, record.deal_id))
    return (
        record.id,
        record.person_id,
        record.org_id,
        record.deal_id,
        record.type,
        record.subject,
        db_date(record.due_date),
        1 if record.done else 0,
        db_time(record.marked_as_done_time),
        db_time(record.add_time),
        db_time(record.update_time),
    )


# --- Deals -------------------------------------------------------------------------------------

DEAL_UPSERT = """
INSERT INTO deals (
  id, contact_id, organization_id, pipedrive_deal_id, pipedrive_person_id, pipedrive_org_id,
  title, value, currency, status, update_time
) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (pipedrive_deal_id) DO UPDATE SET
  contact_id = excluded.contact_id,
  organization_id = excluded.organization_id,
  pipedrive_person_id = excluded.pipedrive_person_id,
  pipedrive_org_id = excluded.pipedrive_org_id,
  title = excluded.title,
  value = excluded.value,
  currency = excluded.currency,
  status = excluded.status,
  update_time = excluded.update_time
"""


def deal_values(record: Deal) -> tuple[Any, ...]:
    check_storable((record.id, record.person_id, record.org_id))
    return (
        record.id,
        record.person_id,
        record.org_id,
        record.title,
        record.value,
        record.currency or None,
        record.status,
        db_time(record.update_time),
    )
