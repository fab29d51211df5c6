"""Recomputing every warmness score at 100,000 contacts, beside per-contact queries."""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.datasets import database
from benchmarks.harness import Figure
from pipedriven_desktop.domain.warmness import ActivityFact, ContactFacts, compute_warmness
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.sync.scoring import rescore

NAIVE_SAMPLE = 2_000
RUNS = 3


def _naive_seconds_per_contact(path: Path, now: datetime) -> float:
    """The old way: per contact, one query for its activities and one for its deals."""
    conn = sqlite3.connect(path)
    contacts = conn.execute(
        "SELECT id, email, phone, organization_id, job_title FROM contacts LIMIT ?",
        (NAIVE_SAMPLE,),
    ).fetchall()
    started = time.perf_counter()
    for contact_id, email, phone, org, title in contacts:
        acts = conn.execute(
            "SELECT type, due_date, done FROM activities WHERE contact_id = ?", (contact_id,)
        ).fetchall()
        value = conn.execute(
            "SELECT coalesce(sum(value), 0) FROM deals WHERE contact_id = ?", (contact_id,)
        ).fetchone()[0]
        facts = ContactFacts(
            has_email=bool(email),
            has_phone=bool(phone),
            has_organization=bool(org),
            has_job_title=bool(title),
            activities=tuple(
                ActivityFact(type=t, due_date=datetime.fromisoformat(d).date(), done=bool(n))
                for t, d, n in acts
                if d
            ),
            total_deal_value=float(value),
        )
        compute_warmness(facts, now)
    conn.close()
    return (time.perf_counter() - started) / len(contacts)


def score_figures(contacts: int = 100_000) -> list[Figure]:
    source = database(contacts)
    now = datetime.now(UTC)
    samples: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "scores.sqlite3"
        shutil.copy(source, copy)
        for _ in range(RUNS):
            conn = sqlite3.connect(copy)
            conn.execute("UPDATE contacts SET score_computed_at = NULL")
            conn.commit()
            conn.close()
            db = open_database(copy)
            started = time.perf_counter()
            scored = rescore(db, now)
            samples.append(time.perf_counter() - started)
            db.close()
            assert scored == contacts
        next_day = []
        for day in range(1, RUNS + 1):
            db = open_database(copy)
            started = time.perf_counter()
            rescore(db, now + timedelta(days=day))
            next_day.append(time.perf_counter() - started)
            db.close()
        naive = _naive_seconds_per_contact(copy, now) * contacts
    samples.sort()
    return [
        Figure(
            figure=f"Recompute every warmness score ({contacts:,} contacts)",
            value=samples[len(samples) // 2],
            unit="s",
            target=1,
            naive=naive,
            minimum=samples[0],
            maximum=samples[-1],
            runs=RUNS,
            note=f"every contact changed; naive: two queries per contact, from {NAIVE_SAMPLE:,}",
        ),
        Figure(
            figure=f"Daily rescore when only time moved ({contacts:,} contacts)",
            value=sorted(next_day)[len(next_day) // 2],
            unit="s",
            target=1,
            naive=naive,
            minimum=min(next_day),
            maximum=max(next_day),
            runs=RUNS,
            note="every contact re-scored, only changed rows written",
        ),
    ]
