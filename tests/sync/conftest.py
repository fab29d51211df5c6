"""Fixtures: a small seeded account served by the fake Pipedrive over real HTTP, a client
that never really sleeps, and a check that the mirror holds exactly the account."""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from pipedriven_desktop.domain.orgnames import normalize_org_name
from pipedriven_desktop.domain.warmness import (
    ActivityFact,
    ContactFacts,
    LeadStatusValues,
    compute_warmness,
)
from pipedriven_desktop.pipedrive import (
    FAKE_LEAD_STATUS_FIELD,
    FakeAccount,
    FakePipedriveServer,
    Person,
    PipedriveClient,
)
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import lead_status_values
from pipedriven_desktop.store.score_breakdowns import BREAKDOWN_SQL
from pipedriven_desktop.sync.service import SyncResult, run_sync
from tests.fakes import SleepRecorder

TOKEN = "tok-9d2c4e6a8b0f1357-secret"
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
#: Small enough for speed, large enough for several pages at PAGE of 100.
SIZES = {
    "persons": 260,
    "owned_persons": 90,
    "organizations": 70,
    "activities": 520,
    "deals": 60,
}
PAGE = 100


#: The client's time.sleep stand-in, under the name these tests use.
Sleeps = SleepRecorder


@pytest.fixture
def account() -> FakeAccount:
    return FakeAccount.generate(seed=5, now=NOW, **SIZES)


@pytest.fixture
def server(account: FakeAccount) -> Iterator[FakePipedriveServer]:
    with FakePipedriveServer(account, token=TOKEN) as fake:
        yield fake
    assert fake.errors == []


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(base_url: str, token: str, sleeps: Callable[[float], None]) -> PipedriveClient:
    return PipedriveClient(
        base_url, token, timeout=5, max_retries=4, backoff_base=0.01, sleep=sleeps
    )


@pytest.fixture
def client(server: FakePipedriveServer, sleeps: Sleeps) -> Iterator[PipedriveClient]:
    with make_client(server.base_url, TOKEN, sleeps) as api:
        yield api


SyncFn = Callable[..., SyncResult]


@pytest.fixture
def sync(db: Database, client: PipedriveClient) -> SyncFn:
    """run_sync on the test's mirror and client, at NOW, with small pages."""

    def run(**kwargs: Any) -> SyncResult:
        kwargs.setdefault("now", lambda: NOW)
        kwargs.setdefault("lead_status_field", FAKE_LEAD_STATUS_FIELD)
        kwargs.setdefault("page_size", PAGE)
        return run_sync(kwargs.pop("db", db), kwargs.pop("client", client), **kwargs)

    return run


def rows(db: Database, sql: str, **params: Any) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(text(sql), params).all())


#: Pages the mirror may still grow by: room for a run's bookkeeping, not for a page of persons.
HEADROOM_PAGES = 4


@contextmanager
def disk_full(db: Database, headroom: int = HEADROOM_PAGES) -> Iterator[None]:
    """Every connection of ``db`` sees a disk with only ``headroom`` pages left.

    The file's free pages are taken first (by a filler table, dropped on leaving), so
    the room left does not depend on how earlier writes happened to free pages.
    """
    with db.engine.begin() as conn:
        free = conn.exec_driver_sql("PRAGMA freelist_count").scalar()
        page_size = conn.exec_driver_sql("PRAGMA page_size").scalar()
        conn.exec_driver_sql("CREATE TABLE disk_filler (data BLOB)")
        if free:
            conn.exec_driver_sql(
                "INSERT INTO disk_filler VALUES (zeroblob(?))", (free * page_size,)
            )
    with db.engine.connect() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
    assert isinstance(pages, int)

    def limit(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages + headroom}")

    event.listen(db.engine, "connect", limit)
    db.engine.dispose()
    try:
        yield
    finally:
        event.remove(db.engine, "connect", limit)
        db.engine.dispose()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE disk_filler")


def mirror_snapshot(db: Database) -> dict[str, list[Any]]:
    """Every mirrored table's rows, in a stable order, to compare before and after."""
    tables = (
        "organizations",
        "organization_aliases",
        "contacts",
        "activities",
        "deals",
        "org_suggestions",
        "sync_state",
        "app_meta",
    )
    return {table: rows(db, f"SELECT * FROM {table} ORDER BY 1") for table in tables}


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def _stored(value: Any) -> Any:
    """A value read back with text(): datetimes and dates come back as strings."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == " ":
        return datetime.fromisoformat(value)
    return value


@dataclass
class Mirror:
    contacts: dict[int, Any]
    activities: dict[int, Any]
    deals: dict[int, Any]
    aliases: dict[int, str]
    organizations: dict[str, Any]


def load_mirror(db: Database) -> Mirror:
    return Mirror(
        contacts={
            r.pipedrive_person_id: r
            for r in rows(db, f"SELECT c.*, {BREAKDOWN_SQL} AS breakdown_text FROM contacts c")
        },
        activities={r.pipedrive_activity_id: r for r in rows(db, "SELECT * FROM activities")},
        deals={r.pipedrive_deal_id: r for r in rows(db, "SELECT * FROM deals")},
        aliases={
            r[0]: r[1]
            for r in rows(db, "SELECT pipedrive_org_id, organization_id FROM organization_aliases")
        },
        organizations={r.id: r for r in rows(db, "SELECT * FROM organizations")},
    )


def assert_mirror_matches(db: Database, account: FakeAccount, now: datetime = NOW) -> None:
    """The mirror holds exactly what the account lists, mapped and derived as designed."""
    mirror = load_mirror(db)
    people = {
        pid: Person.from_api(
            {**item, **account.person_extras.get(pid, {})},
            lead_status_field=FAKE_LEAD_STATUS_FIELD,
        )
        for pid, item in account.persons.items()
    }
    orgs = account.organizations
    live_deals = {i: d for i, d in account.deals.items() if d["status"] != "deleted"}

    # Organizations: every Pipedrive id has its alias; equal normalized names share one
    # local organization, different ones never do.
    assert set(mirror.aliases) == set(orgs)
    local_by_key: dict[str, set[str]] = defaultdict(set)
    for org_id, org in orgs.items():
        local_by_key[normalize_org_name(org["name"])].add(mirror.aliases[org_id])
    for key, locals_ in local_by_key.items():
        assert len(locals_) == 1, f"{key!r} split over {len(locals_)} organizations"
    all_locals = [next(iter(v)) for v in local_by_key.values()]
    assert len(all_locals) == len(set(all_locals)), "different names were merged"
    assert set(mirror.organizations) == set(mirror.aliases.values())

    # Persons.
    assert set(mirror.contacts) == set(people)
    for pid, person in people.items():
        row = mirror.contacts[pid]
        assert row.name == person.name
        assert row.email == person.primary_email
        assert row.phone == person.primary_phone
        assert row.job_title == person.job_title
        assert row.owner_id == person.owner_id
        assert row.pipedrive_org_id == person.org_id
        assert row.organization_id == mirror.aliases.get(person.org_id)  # type: ignore[arg-type]
        assert row.lead_status == person.lead_status  # never the marketing status
        assert row.marketing_status == person.marketing_status
        assert row.email_messages_count == person.email_messages_count
        assert _stored(row.created_at) == _time(account.persons[pid]["add_time"])
        assert _stored(row.last_pipedrive_update) == _time(account.persons[pid]["update_time"])

    # Activities, linked to contacts, organizations and deals by Pipedrive id.
    contact_ids = {pid: row.id for pid, row in mirror.contacts.items()}
    deal_ids = {did: row.id for did, row in mirror.deals.items()}
    assert set(mirror.activities) == set(account.activities)
    last_done: dict[int, datetime] = {}
    for aid, act in account.activities.items():
        row = mirror.activities[aid]
        assert row.pipedrive_person_id == act["person_id"]
        assert row.contact_id == contact_ids.get(act["person_id"])
        assert row.organization_id == mirror.aliases.get(act["org_id"])
        assert row.pipedrive_deal_id == act["deal_id"]
        assert row.deal_id == deal_ids.get(act["deal_id"])
        assert (row.type, row.subject, bool(row.done)) == (act["type"], act["subject"], act["done"])
        assert row.due_date == act["due_date"]
        assert _stored(row.marked_as_done_time) == _time(act["marked_as_done_time"])
        if act["done"] and act["person_id"] is not None:
            moment = _time(act["marked_as_done_time"]) or datetime.fromisoformat(act["due_date"])
            last_done[act["person_id"]] = max(moment, last_done.get(act["person_id"], moment))

    # Deals: deleted ones are not in the mirror.
    assert set(mirror.deals) == set(live_deals)
    for did, deal in live_deals.items():
        row = mirror.deals[did]
        assert (row.title, row.value, row.status) == (deal["title"], deal["value"], deal["status"])
        assert row.contact_id == contact_ids.get(deal["person_id"])
        assert row.organization_id == mirror.aliases.get(deal["org_id"])

    # Derived: last contacted, organization counters, scores.
    for pid, row in mirror.contacts.items():
        assert _stored(row.last_contacted) == last_done.get(pid), pid
    counts: dict[str, int] = defaultdict(int)
    for row in mirror.contacts.values():
        if row.organization_id is not None:
            counts[row.organization_id] += 1
    for local_id, organization in mirror.organizations.items():
        assert organization.contact_count == counts.get(local_id, 0)
    with db.engine.connect() as conn:
        lead_values = lead_status_values(conn)
    _assert_scores(mirror, account, people, last_done, now, lead_values)


def _assert_scores(
    mirror: Mirror,
    account: FakeAccount,
    people: dict[int, Person],
    last_done: dict[int, datetime],
    now: datetime,
    lead_values: LeadStatusValues,
) -> None:
    """Each score is what the warmness function gives for the account's own facts: the
    configured lead statuses, the mail facts, lost deals named, and the organization
    point only for an organization the mirror holds under a name."""
    activities: dict[int, list[ActivityFact]] = defaultdict(list)
    for act in account.activities.values():
        if act["person_id"] is not None:
            activities[act["person_id"]].append(
                ActivityFact(
                    type=act["type"],
                    due_date=date.fromisoformat(act["due_date"]) if act["due_date"] else None,
                    done=act["done"],
                )
            )
    # Open and won values per currency: amounts in different currencies are never added.
    per_currency: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lost_deals: dict[int, int] = defaultdict(int)
    for deal in account.deals.values():
        if deal["person_id"] is None:
            continue
        if deal["status"] in ("open", "won"):
            currency = (deal.get("currency") or "").strip().upper()
            per_currency[deal["person_id"]][currency] += deal["value"]
        elif deal["status"] == "lost":
            lost_deals[deal["person_id"]] += 1
    deal_facts: dict[int, dict[str, Any]] = {}
    for pid, totals in per_currency.items():
        currency, total = min(totals.items(), key=lambda item: (-item[1], item[0]))
        deal_facts[pid] = {
            "total_deal_value": total,
            "deal_currency": (currency or None) if total > 0 else None,
            "deal_currencies": len(totals),
        }
    named: set[str | None] = {
        local for local, org in mirror.organizations.items() if (org.name or "").strip()
    }
    for pid, person in people.items():
        last = last_done.get(pid)
        facts = ContactFacts(
            has_email=bool(person.primary_email),
            has_phone=bool(person.primary_phone),
            has_organization=person.org_id is not None
            and mirror.aliases.get(person.org_id) in named,
            has_job_title=bool(person.job_title),
            activities=tuple(activities[pid]),
            lead_status=person.lead_status,
            last_activity=None if last is None else last.replace(tzinfo=UTC),
            incoming_mail_count=person.incoming_mail_count,
            outgoing_mail_count=person.outgoing_mail_count,
            lost_deal_count=lost_deals[pid],
            email_messages_count=person.email_messages_count,
            last_incoming_mail=person.last_incoming_mail_time,
            last_outgoing_mail=person.last_outgoing_mail_time,
            **deal_facts.get(pid, {}),
        )
        row = mirror.contacts[pid]
        expected = compute_warmness(facts, now, lead_values)
        assert row.warmness_score == expected.score, pid
        # Rows whose score did not change keep their stamp; the breakdown is always current.
        assert _breakdown(row.breakdown_text) == expected.to_json(), pid
        assert row.score_computed_at is not None


def later(days: float) -> Callable[[], datetime]:
    return lambda: NOW + timedelta(days=days)


def _breakdown(value: object) -> object:
    import json

    return json.loads(value) if isinstance(value, str) else value
