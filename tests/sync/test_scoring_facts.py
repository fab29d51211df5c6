"""The pass's set-wise facts give what the rules give on each contact's own facts.

The pass reduces facts in SQL (brackets, days, counts per bonus type) and shares one
computation between contacts with equal reductions; here every contact's score and
breakdown are checked against `compute_warmness` on its full facts, read row by row.
"""

from __future__ import annotations

import json
import random
import shutil
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pipedriven_desktop.domain.warmness import ActivityFact, ContactFacts, compute_warmness
from pipedriven_desktop.store.clock import parse_text, to_text
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.meta import (
    LEAD_STATUS_FIELD_KEY,
    SCORES_DAY_KEY,
    lead_status_values,
    set_lead_status_values,
    set_meta,
)
from pipedriven_desktop.store.score_breakdowns import BREAKDOWN_SQL
from pipedriven_desktop.store.score_inputs import MAIL_COLUMNS, mail_facts
from pipedriven_desktop.sync.scoring import rescore, score_contacts
from tests.synthetic import populate

NOW = datetime(2026, 3, 10, 15, 45, tzinfo=UTC)
CONTACTS = 240


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic mirror with every kind of fact varied: lead statuses, mail facts,
    lost deals, scheduled activities of odd spellings, organizations without a name.
    Built once; each test scores a copy."""
    path = tmp_path_factory.mktemp("scoring-facts") / "mirror.sqlite3"
    database = open_database(path)
    naive = NOW.replace(tzinfo=None)
    populate(database, contacts=CONTACTS, activities_per_contact=4, seed=11, now=naive)
    rng = random.Random(5)
    with database.session() as session:
        conn = session.connection()
        set_meta(conn, LEAD_STATUS_FIELD_KEY, "abc")
        set_lead_status_values(conn, ["Hot lead", "qualified"], ["Contacted"])
        conn.exec_driver_sql(
            "INSERT INTO organizations (id, name, normalized_name, contact_count,"
            " created_at, updated_at) VALUES ('blank', '  ', '', 0, ?, ?)",
            (to_text(naive), to_text(naive)),
        )
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM contacts ORDER BY rowid")]
        for contact_id in ids:
            moments = [
                None if rng.random() < 0.3 else naive - timedelta(hours=rng.randint(0, 900))
                for _ in range(2)
            ]
            if rng.random() < 0.2:  # a reply and a mail sent the same day, either order
                sent = naive - timedelta(days=3, hours=12)
                moments = [sent + timedelta(hours=rng.choice([-2, 2])), sent]
            conn.exec_driver_sql(
                f"UPDATE contacts SET lead_status = ?, incoming_mail_count = ?,"
                f" outgoing_mail_count = ?, {MAIL_COLUMNS[0]} = ?, {MAIL_COLUMNS[1]} = ?,"
                f" {MAIL_COLUMNS[2]} = ? WHERE id = ?",
                (
                    rng.choice([None, "", "Hot Lead ", "contacted", "no_consent", "Qualified"]),
                    rng.choice([None, None, 1, 4]),
                    rng.choice([None, None, 0, 3]),
                    rng.choice([None, 5]),
                    to_text(moments[0]),
                    to_text(moments[1]),
                    contact_id,
                ),
            )
            if rng.random() < 0.15:
                conn.exec_driver_sql(
                    "UPDATE contacts SET organization_id = ? WHERE id = ?",
                    (rng.choice(["blank", None]), contact_id),
                )
            if rng.random() < 0.3:
                conn.exec_driver_sql(
                    "INSERT INTO deals (id, contact_id, title, value, status, currency)"
                    " VALUES (?, ?, 'x', ?, ?, ?)",
                    (
                        f"d-{contact_id}",
                        contact_id,
                        rng.choice([0.0, 800.0, 5000.0, 25_000.0]),
                        rng.choice(["lost", "open", "won", "deleted"]),
                        rng.choice([None, "EUR", "usd ", "PLN"]),
                    ),
                )
            for _ in range(rng.randint(0, 2)):  # scheduled and recent, odd spellings
                due = naive.date() + timedelta(days=rng.randint(-35, 20))
                conn.exec_driver_sql(
                    "INSERT INTO activities (id, contact_id, type, due_date, done)"
                    " VALUES (lower(hex(randomblob(16))), ?, ?, ?, 0)",
                    (contact_id, rng.choice(["Meeting", "CALL", "email", "lunch"]), due),
                )
    with database.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return path


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Iterator[Database]:
    copy = tmp_path / "mirror.sqlite3"
    shutil.copy(template, copy)
    database = open_database(copy)
    yield database
    database.close()


def _expected(db: Database, now: datetime) -> dict[str, tuple[int, dict[str, object]]]:
    """Each contact's score and breakdown from its own facts, read row by row."""
    conn = db.reader()
    activities: dict[str, list[ActivityFact]] = defaultdict(list)
    for contact_id, kind, due in conn.execute(
        "SELECT contact_id, type, due_date FROM activities WHERE contact_id IS NOT NULL"
    ):
        day = None if due is None else date.fromisoformat(due)
        activities[contact_id].append(ActivityFact(kind, day))
    # Open and won values per currency: never added across currencies.
    per_currency: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lost: dict[str, int] = defaultdict(int)
    for contact_id, value, status, currency in conn.execute(
        "SELECT contact_id, value, status, currency FROM deals"
    ):
        if status in ("open", "won"):
            per_currency[contact_id][(currency or "").strip().upper()] += value
        elif status == "lost":
            lost[contact_id] += 1
    deal_facts: dict[str, dict[str, object]] = {}
    for contact_id, totals in per_currency.items():
        currency, total = min(totals.items(), key=lambda item: (-item[1], item[0]))
        deal_facts[contact_id] = {
            "total_deal_value": total,
            "deal_currency": (currency or None) if total > 0 else None,
            "deal_currencies": len(totals),
        }
    named = {row[0] for row in conn.execute("SELECT id FROM organizations WHERE trim(name) <> ''")}
    lead_values = lead_status_values(conn)
    expected = {}
    for row in conn.execute(
        "SELECT id, email, phone, organization_id, job_title, lead_status, last_contacted,"
        f" incoming_mail_count, outgoing_mail_count, {', '.join(MAIL_COLUMNS)} FROM contacts"
    ):
        contact_id, email, phone, org, title, lead, last, incoming, outgoing, *mail = row
        last_moment = parse_text(last)
        facts = ContactFacts(
            has_email=bool(email),
            has_phone=bool(phone),
            has_organization=org in named,
            has_job_title=bool(title),
            activities=tuple(activities[contact_id]),
            lead_status=lead,
            last_activity=None if last_moment is None else last_moment.replace(tzinfo=UTC),
            incoming_mail_count=incoming,
            outgoing_mail_count=outgoing,
            lost_deal_count=lost[contact_id],
            **mail_facts(*mail),
            **deal_facts.get(contact_id, {}),  # type: ignore[arg-type]
        )
        warmness = compute_warmness(facts, now, lead_values)
        expected[contact_id] = (warmness.score, warmness.to_json())
    return expected


def _stored(db: Database) -> dict[str, tuple[int, dict[str, object]]]:
    rows = db.reader().execute(f"SELECT c.id, c.warmness_score, {BREAKDOWN_SQL} FROM contacts c")
    return {contact_id: (score, json.loads(text)) for contact_id, score, text in rows}


@pytest.mark.parametrize("days", [0, 1, 8, 31, 95, 200])
def test_a_full_pass_gives_each_contact_what_its_own_facts_give(db: Database, days: int) -> None:
    now = NOW + timedelta(days=days, hours=days % 5)
    with db.session() as session:
        set_meta(session.connection(), SCORES_DAY_KEY, None)
    assert rescore(db, now) == CONTACTS
    assert _stored(db) == _expected(db, now)


def test_the_rules_fire_on_these_facts(db: Database) -> None:
    """The check above is worth something only if the facts make every rule fire."""
    rescore(db, NOW)
    reasons = " | ".join(str(breakdown) for _score, breakdown in _stored(db).values())
    for reason in (
        "lead status Hot Lead (counts as qualified)",
        "replied: mail received",
        "no reply yet",
        "response rate",
        "lost deal",
        "meeting scheduled",
        "no mail data",
    ):
        assert reason in reasons


def test_rescoring_some_contacts_gives_what_a_full_pass_gives(db: Database) -> None:
    rescore(db, NOW)
    later = NOW + timedelta(days=40)
    some = [row[0] for row in db.reader().execute("SELECT id FROM contacts LIMIT 60")]
    with db.session() as session:
        score_contacts(session.connection(), some, later)
    expected = _expected(db, later)
    stored = _stored(db)
    assert {i: stored[i] for i in some} == {i: expected[i] for i in some}
    assert any(stored[i] != expected[i] for i in expected if i not in some), "others untouched"


def test_a_blank_organization_earns_no_point(db: Database) -> None:
    rescore(db, NOW)
    for org_id, reasons in db.reader().execute(
        f"SELECT organization_id, {BREAKDOWN_SQL} ->> '$.components.base.items' FROM contacts c"
        " WHERE organization_id IS NULL OR organization_id = 'blank'"
    ):
        assert "has organization" not in (reasons or ""), org_id
