"""Plain, immutable rows handed to the UI and the exports.

Never live ORM objects: these cross threads and outlive sessions safely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple


@dataclass(frozen=True)
class OrganizationRef:
    id: str
    name: str
    pipedrive_org_id: int | None


class ActivityRow(NamedTuple):
    """A tuple, not a dataclass: a page builds thousands of these, and tuples are cheap."""

    id: str
    type: str
    subject: str | None
    due_date: date | None
    done: bool
    add_time: datetime | None


@dataclass(frozen=True)
class DealRow:
    id: str
    title: str
    value: float
    currency: str | None
    status: str


@dataclass(frozen=True)
class ContactRow:
    id: str
    pipedrive_person_id: int | None
    name: str
    email: str | None
    phone: str | None
    job_title: str | None
    organization: OrganizationRef | None
    warmness_score: int
    warmness_breakdown: dict[str, Any] | None
    last_contacted: datetime | None
    added_to_campaign: bool
    lead_status: str | None
    created_at: datetime
    next_activity: date | None = None
    recent_activities: tuple[ActivityRow, ...] = field(default=())
    #: The owner's name from Pipedrive's users (None until they are mirrored).
    owner_name: str | None = None
    #: How far the score moved in the last week (My-500's arrow; 0: it did not).
    score_move: int = 0


@dataclass(frozen=True)
class OrganizationRow:
    id: str
    name: str
    normalized_name: str
    pipedrive_org_id: int | None
    contact_count: int
    last_activity: datetime | None


@dataclass(frozen=True)
class Pagination:
    page: int
    limit: int
    total: int

    @property
    def total_pages(self) -> int:
        return max(1, -(-self.total // self.limit)) if self.limit else 1

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


@dataclass(frozen=True)
class SyncStatus:
    last_finished: datetime | None
    last_kind: str | None
    last_error: str | None
    running: bool


@dataclass(frozen=True)
class Performance:
    query_ms: float
    cache_hit: bool
    total_ms: float


@dataclass(frozen=True)
class ContactPage:
    """The seed-style payload: rows, pagination, sync status and performance."""

    rows: tuple[ContactRow, ...]
    pagination: Pagination
    sync_status: SyncStatus
    performance: Performance


def _iso(moment: datetime | date | None) -> str | None:
    return None if moment is None else moment.isoformat()


def contact_to_json(row: ContactRow) -> dict[str, Any]:
    org = row.organization
    return {
        "id": row.id,
        "pipedrive_person_id": row.pipedrive_person_id,
        "name": row.name,
        "email": row.email,
        "phone": row.phone,
        "job_title": row.job_title,
        "organization": org.name if org else None,
        "organization_id": org.id if org else None,
        "pipedrive_org_id": org.pipedrive_org_id if org else None,
        "warmness_score": row.warmness_score,
        "warmness_breakdown": row.warmness_breakdown,
        "last_contacted": _iso(row.last_contacted),
        "added_to_campaign": row.added_to_campaign,
        "lead_status": row.lead_status,
        "created_at": _iso(row.created_at),
        "next_activity": _iso(row.next_activity),
        "recent_activities": [
            {
                "id": a.id,
                "type": a.type,
                "subject": a.subject,
                "due_date": _iso(a.due_date),
                "done": a.done,
                "add_time": _iso(a.add_time),
            }
            for a in row.recent_activities
        ],
    }


def organization_to_json(row: OrganizationRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "normalized_name": row.normalized_name,
        "pipedrive_org_id": row.pipedrive_org_id,
        "contact_count": row.contact_count,
        "last_activity": _iso(row.last_activity),
    }
