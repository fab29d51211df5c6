"""A synthetic mirror written straight into the store, for benchmarks and tests.

Bulk inserts in one transaction: 100,000 contacts take seconds, not minutes, so
benchmarks can build databases of any size without a sync.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, insert, text

from pipedriven_desktop.domain.orgnames import normalize_org_name
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import OWNER_KEY
from pipedriven_desktop.store.models import (
    Activity,
    AppMeta,
    Base,
    Contact,
    Deal,
    Organization,
    new_id,
)
from pipedriven_desktop.store.organizations import refresh_organization_stats

FIRST = ["Anna", "José", "Zoë", "Łukasz", "Björn", "Chloé", "Mei", "Ömer", "Sven", "Priya", "Liam"]
LAST = ["Müller", "García", "Nowak", "O'Brien", "Smith", "Søren", "Tanaka", "Dubois", "Rossi"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay"]
SUFFIXES = ["Corp", "Inc.", "GmbH", "Ltd", "AG", "Group", "Labs"]
ACTIVITY_TYPES = ["call", "meeting", "email", "task", "deadline", "lunch"]


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def populate(
    db: Database,
    *,
    contacts: int,
    organizations: int | None = None,
    activities_per_contact: int = 5,
    owner_id: int = 1,
    owned_share: float = 1.0,
    seed: int = 1,
    now: datetime | None = None,
) -> None:
    """Fill ``db`` with ``contacts`` contacts and proportionate related rows."""
    rng = random.Random(seed)
    now = now or utcnow()
    org_count = organizations if organizations is not None else max(1, contacts // 5)
    org_rows: list[dict[str, Any]] = []
    for index in range(org_count):
        name = f"{rng.choice(COMPANIES)} {index} {rng.choice(SUFFIXES)}"
        org_rows.append(
            {
                "id": new_id(),
                "name": name,
                "normalized_name": normalize_org_name(name),
                "pipedrive_org_id": index + 1,
                "contact_count": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
    contact_rows: list[dict[str, Any]] = []
    activity_rows: list[dict[str, Any]] = []
    deal_rows: list[dict[str, Any]] = []
    for index in range(contacts):
        org = rng.choice(org_rows) if rng.random() < 0.85 else None
        first, last = rng.choice(FIRST), rng.choice(LAST)
        contact_id = new_id()
        last_contacted = now - timedelta(days=rng.randint(0, 400)) if rng.random() < 0.8 else None
        contact_rows.append(
            {
                "id": contact_id,
                "pipedrive_person_id": index + 1,
                "name": f"{first} {last}",
                "email": f"{first.lower()}.{index}@example.com" if rng.random() < 0.9 else None,
                "phone": f"+49 170 {index:07d}" if rng.random() < 0.7 else None,
                "job_title": "Head of Sales" if rng.random() < 0.5 else None,
                "organization_id": org["id"] if org else None,
                "pipedrive_org_id": org["pipedrive_org_id"] if org else None,
                "owner_id": owner_id if rng.random() < owned_share else owner_id + 1,
                "warmness_score": rng.randint(0, 10),
                "warmness_breakdown": None,
                "last_contacted": last_contacted,
                "added_to_campaign": rng.random() < 0.05,
                "created_at": now - timedelta(days=rng.randint(0, 900)),
                "updated_at": now,
            }
        )
        for _ in range(activities_per_contact):
            added = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
            activity_rows.append(
                {
                    "id": new_id(),
                    "pipedrive_activity_id": len(activity_rows) + 1,
                    "contact_id": contact_id,
                    "organization_id": org["id"] if org else None,
                    "pipedrive_person_id": index + 1,
                    "type": rng.choice(ACTIVITY_TYPES),
                    "subject": "Follow-up",
                    "due_date": (added + timedelta(days=rng.randint(0, 30))).date(),
                    "done": rng.random() < 0.6,
                    "add_time": added,
                    "update_time": added,
                }
            )
        if rng.random() < 0.2:
            deal_rows.append(
                {
                    "id": new_id(),
                    "pipedrive_deal_id": len(deal_rows) + 1,
                    "contact_id": contact_id,
                    "organization_id": org["id"] if org else None,
                    "pipedrive_person_id": index + 1,
                    "title": f"Deal {index}",
                    "value": float(rng.choice([500, 2500, 12000, 40000])),
                    "currency": "EUR",
                    "status": rng.choice(["open", "won", "lost"]),
                    "update_time": now,
                }
            )
    with db.session() as session:
        session.execute(insert(_table(Organization)), org_rows)
        session.execute(insert(_table(Contact)), contact_rows)
        if activity_rows:
            session.execute(insert(_table(Activity)), activity_rows)
        if deal_rows:
            session.execute(insert(_table(Deal)), deal_rows)
        session.merge(AppMeta(key=OWNER_KEY, value=str(owner_id)))
        refresh_organization_stats(session)
        session.execute(text("ANALYZE"))
