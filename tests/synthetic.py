"""A synthetic mirror written straight into the store, for benchmarks and tests.

Bulk inserts through plain ``sqlite3`` (``executemany``) in one transaction, with
durability off and the secondary indexes and the search index built once at the
end instead of row by row: a million contacts take minutes, not an hour, so
benchmarks can build databases of any size without a sync. Rows are generated a
chunk at a time, so memory stays flat at any size; the data depend only on the
seed (and ``now``), whatever the chunk size.
"""

from __future__ import annotations

import random
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from pipedriven_desktop.domain.orgnames import normalize_org_name
from pipedriven_desktop.store.clock import to_text, utcnow
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import OWNER_KEY
from pipedriven_desktop.store.models import new_id
from pipedriven_desktop.store.organizations import refresh_organization_stats

FIRST = ["Anna", "José", "Zoë", "Łukasz", "Björn", "Chloé", "Mei", "Ömer", "Sven", "Priya", "Liam"]
LAST = ["Müller", "García", "Nowak", "O'Brien", "Smith", "Søren", "Tanaka", "Dubois", "Rossi"]
COMPANIES = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay"]
SUFFIXES = ["Corp", "Inc.", "GmbH", "Ltd", "AG", "Group", "Labs"]
ACTIVITY_TYPES = ["call", "meeting", "email", "task", "deadline", "lunch"]

#: Contacts generated and written per ``executemany`` round (with their activities and deals).
CHUNK = 20_000
#: The tables ``populate`` fills; their secondary indexes are rebuilt after the rows.
FILLED_TABLES = ("organizations", "contacts", "activities", "deals")
#: The trigger that keeps the search index in step with inserted contacts; the build
#: drops it and replays its statement once for all new contacts.
SEARCH_INSERT_TRIGGER = "contacts_fts_insert"
#: The insert triggers that copy an organization's name into its contacts (migration 0009);
#: the build fills the new contacts' copies in one statement instead.
ORGANIZATION_NAME_TRIGGERS = (
    "contacts_organization_name_insert",
    "organizations_name_to_contacts_insert",
)
#: Page cache for the build (KiB, as SQLite's negative ``cache_size`` means).
BUILD_CACHE_KIB = 512 * 1024

_ORG_SQL = (
    "INSERT INTO organizations (id, name, normalized_name, pipedrive_org_id, contact_count,"
    " created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)"
)
_CONTACT_SQL = (
    "INSERT INTO contacts (id, pipedrive_person_id, name, email, phone, job_title,"
    " organization_id, pipedrive_org_id, owner_id, warmness_score, warmness_breakdown,"
    " last_contacted, added_to_campaign, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'null', ?, ?, ?, ?)"
)
_ACTIVITY_SQL = (
    "INSERT INTO activities (id, pipedrive_activity_id, contact_id, organization_id,"
    " pipedrive_person_id, type, subject, due_date, done, add_time, update_time)"
    " VALUES (?, ?, ?, ?, ?, ?, 'Follow-up', ?, ?, ?, ?)"
)
_DEAL_SQL = (
    "INSERT INTO deals (id, pipedrive_deal_id, contact_id, organization_id, pipedrive_person_id,"
    " title, value, currency, status, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, 'EUR', ?, ?)"
)
_TRIGGER_BODY = re.compile(r"\bBEGIN\s+(INSERT INTO .*?)\s*;\s*END\s*$", re.DOTALL | re.IGNORECASE)


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
    now_text = to_text(now)
    org_count = organizations if organizations is not None else max(1, contacts // 5)
    orgs: list[tuple[str, int]] = []
    org_rows: list[tuple[Any, ...]] = []
    for index in range(org_count):
        name = f"{rng.choice(COMPANIES)} {index} {rng.choice(SUFFIXES)}"
        org_id = new_id()
        orgs.append((org_id, index + 1))
        org_rows.append((org_id, name, normalize_org_name(name), index + 1, now_text, now_text))
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        with _bulk_build(conn):
            conn.executemany(_ORG_SQL, org_rows)
            counters = [0, 0]  # activities and deals written so far, for their Pipedrive ids
            for start in range(0, contacts, CHUNK):
                rows = _contact_chunk(
                    rng,
                    range(start, min(contacts, start + CHUNK)),
                    orgs,
                    counters,
                    activities_per_contact=activities_per_contact,
                    owner_id=owner_id,
                    owned_share=owned_share,
                    now=now,
                )
                conn.executemany(_CONTACT_SQL, rows[0])
                conn.executemany(_ACTIVITY_SQL, rows[1])
                conn.executemany(_DEAL_SQL, rows[2])
            conn.execute(
                "INSERT OR REPLACE INTO app_meta (key, value) VALUES (?, ?)",
                (OWNER_KEY, str(owner_id)),
            )
    finally:
        conn.close()
    with db.session() as session:
        refresh_organization_stats(session)
    reader = sqlite3.connect(db.path, isolation_level=None)
    try:
        reader.execute("ANALYZE")
    finally:
        reader.close()


def _contact_chunk(
    rng: random.Random,
    indexes: range,
    orgs: list[tuple[str, int]],
    counters: list[int],
    *,
    activities_per_contact: int,
    owner_id: int,
    owned_share: float,
    now: datetime,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Contacts, activities and deals for ``indexes``, drawing from ``rng`` in a fixed order."""
    now_text = to_text(now)
    contact_rows: list[tuple[Any, ...]] = []
    activity_rows: list[tuple[Any, ...]] = []
    deal_rows: list[tuple[Any, ...]] = []
    for index in indexes:
        org = rng.choice(orgs) if rng.random() < 0.85 else None
        org_id, org_pipedrive_id = org if org else (None, None)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        contact_id = new_id()
        last_contacted = now - timedelta(days=rng.randint(0, 400)) if rng.random() < 0.8 else None
        email = f"{first.lower()}.{index}@example.com" if rng.random() < 0.9 else None
        phone = f"+49 170 {index:07d}" if rng.random() < 0.7 else None
        job_title = "Head of Sales" if rng.random() < 0.5 else None
        owner = owner_id if rng.random() < owned_share else owner_id + 1
        score = rng.randint(0, 10)
        in_campaign = rng.random() < 0.05
        created = now - timedelta(days=rng.randint(0, 900))
        contact_rows.append(
            (
                contact_id,
                index + 1,
                f"{first} {last}",
                email,
                phone,
                job_title,
                org_id,
                org_pipedrive_id,
                owner,
                score,
                None if last_contacted is None else to_text(last_contacted),
                in_campaign,
                to_text(created),
                now_text,
            )
        )
        for _ in range(activities_per_contact):
            added = now - timedelta(days=rng.randint(0, 365), minutes=rng.randint(0, 1440))
            kind = rng.choice(ACTIVITY_TYPES)
            due = (added + timedelta(days=rng.randint(0, 30))).date().isoformat()
            done = rng.random() < 0.6
            counters[0] += 1
            added_text = to_text(added)
            activity_rows.append(
                (new_id(), counters[0], contact_id, org_id, index + 1, kind, due, done,
                 added_text, added_text)
            )  # fmt: skip
        if rng.random() < 0.2:
            value = float(rng.choice([500, 2500, 12000, 40000]))
            status = rng.choice(["open", "won", "lost"])
            counters[1] += 1
            deal_rows.append(
                (new_id(), counters[1], contact_id, org_id, index + 1, f"Deal {index}", value,
                 status, now_text)
            )  # fmt: skip
    return contact_rows, activity_rows, deal_rows


@contextmanager
def _bulk_build(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction with durability off; secondary indexes and search rows built after.

    Indexes are dropped and created again from their own SQL (a sort instead of a
    million random inserts), and the search index's insert trigger is replayed as
    one ``INSERT … SELECT`` over the new contacts. Without a journal a failed build
    leaves the file unusable: ``benchmarks.datasets`` builds into a file of its own
    and renames it once complete.
    """
    conn.execute("PRAGMA journal_mode=OFF")  # refused (stays WAL) while others have it open
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(f"PRAGMA cache_size=-{BUILD_CACHE_KIB}")
    conn.execute("PRAGMA temp_store=MEMORY")
    conn.execute("BEGIN IMMEDIATE")
    try:
        marks = ", ".join("?" * len(FILLED_TABLES))
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            f" AND tbl_name IN ({marks})",
            FILLED_TABLES,
        ).fetchall()
        trigger_sql, search_rows = _search_trigger(conn)
        name_triggers = [
            row[0]
            for name in ORGANIZATION_NAME_TRIGGERS
            for row in conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (name,)
            )
        ]
        first_new = int(conn.execute("SELECT coalesce(max(rowid), 0) FROM contacts").fetchone()[0])
        for name, _sql in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute(f"DROP TRIGGER {SEARCH_INSERT_TRIGGER}")
        for name in ORGANIZATION_NAME_TRIGGERS:
            conn.execute(f"DROP TRIGGER IF EXISTS {name}")
        yield
        if name_triggers:
            conn.execute(
                "UPDATE contacts SET organization_name ="
                " (SELECT o.name FROM organizations o WHERE o.id = contacts.organization_id)"
                " WHERE rowid > ? AND organization_id IS NOT NULL",
                (first_new,),
            )
        for _name, sql in indexes:
            conn.execute(sql)
        conn.execute(f"{search_rows} WHERE c.rowid > ?", (first_new,))
        # One segment, as a first sync leaves the index (sync.writers.search_index).
        conn.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('optimize')")
        conn.execute(trigger_sql)
        for sql in name_triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        conn.execute("PRAGMA journal_mode=WAL")


def _search_trigger(conn: sqlite3.Connection) -> tuple[str, str]:
    """The search index's insert trigger: its SQL, and its statement for every contact
    (``INSERT … SELECT … FROM contacts c``).

    Any other trigger on an insert into the filled tables would be skipped by the
    build without a word, so it is refused here instead.
    """
    marks = ", ".join("?" * len(FILLED_TABLES))
    others = [
        name
        for name, sql in conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN ({marks})",
            FILLED_TABLES,
        )
        if name not in (SEARCH_INSERT_TRIGGER, *ORGANIZATION_NAME_TRIGGERS)
        and re.search(r"\bINSERT\s+ON\b", sql, re.IGNORECASE)
    ]
    if others:
        raise RuntimeError(f"populate() does not replay insert triggers {others}")
    sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
        (SEARCH_INSERT_TRIGGER,),
    ).fetchone()[0]
    body = _TRIGGER_BODY.search(sql)
    if body is None:
        raise RuntimeError(f"unexpected {SEARCH_INSERT_TRIGGER}: {sql}")
    return sql, re.sub(r"\bnew\.", "c.", body.group(1)) + " FROM contacts c"
