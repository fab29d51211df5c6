"""My-500 query and search at the store level, beside the old page's N+1 loading."""

from __future__ import annotations

import sqlite3
import unicodedata
from datetime import date
from pathlib import Path

from benchmarks.datasets import database
from benchmarks.harness import Figure, time_ms
from pipedriven_desktop.store.clock import parse_text
from pipedriven_desktop.store.contact_query import MY500_ORDER, ContactFilter
from pipedriven_desktop.store.contact_service import ContactService, build_contact_row
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.store.rows import ActivityRow, ContactRow

PAGE = 500
SEARCH_TERMS = ["m", "mu", "mul", "mull", "mulle", "muller", "anna", "globex 12", "+49 170"]


def naive_page(path: Path, owner_id: int) -> tuple[int, list[ContactRow]]:
    """The old web page: the list, then per row one query for its organization and one for
    its activities; builds the same rows as the service, so only the loading differs."""
    conn = sqlite3.connect(path)
    statements = 0

    def run(sql: str, *params: object) -> list[tuple[object, ...]]:
        nonlocal statements
        statements += 1
        return conn.execute(sql, params).fetchall()

    total = run("SELECT count(*) FROM contacts WHERE owner_id = ?", owner_id)[0][0]
    contacts = run(
        "SELECT id, pipedrive_person_id, name, email, phone, job_title, warmness_score,"
        " warmness_breakdown, last_contacted, added_to_campaign, lead_status, created_at,"
        " organization_id FROM contacts c WHERE owner_id = ?"
        f" ORDER BY {MY500_ORDER} LIMIT ?",
        owner_id,
        PAGE,
    )
    rows = []
    today = date.today().isoformat()
    for contact in contacts:
        org = run("SELECT id, name, pipedrive_org_id FROM organizations WHERE id = ?", contact[12])
        activities = run(
            "SELECT id, type, subject, due_date, done, add_time FROM activities"
            " WHERE contact_id = ? ORDER BY add_time DESC, id LIMIT 5",
            contact[0],
        )
        upcoming = run(
            "SELECT min(due_date) FROM activities WHERE contact_id = ? AND done = 0"
            " AND due_date >= ?",
            contact[0],
            today,
        )
        base = build_contact_row(
            (*contact[:12], *(org[0] if org else (None, None, None)), None),
            date.fromisoformat(str(upcoming[0][0])) if upcoming[0][0] else None,
            tuple(
                ActivityRow(
                    str(a[0]),
                    str(a[1]),
                    a[2] if a[2] is None else str(a[2]),
                    date.fromisoformat(str(a[3])) if a[3] else None,
                    bool(a[4]),
                    parse_text(str(a[5])) if a[5] else None,
                )
                for a in activities
            ),
        )
        rows.append(base)
    conn.close()
    assert int(str(total)) >= len(rows)
    return statements, rows


def my500_figures(contacts: int) -> list[Figure]:
    path = database(contacts)
    db = open_database(path)
    service = ContactService(db)
    owner = service.owner_id()
    contact_filter = ContactFilter(owner_id=owner)
    statements = [0]

    def count(*_args: object) -> None:
        statements[0] += 1

    def fresh_page() -> None:
        ContactService(db).page(contact_filter, 1, PAGE)  # a new service: an empty cache

    timing = time_ms(fresh_page, repeat=9)
    db.reader().set_trace_callback(count)
    fresh_page()
    db.reader().set_trace_callback(None)
    cached = time_ms(lambda: service.page(contact_filter, 1, PAGE), repeat=9)
    naive = time_ms(lambda: naive_page(path, owner or 1), repeat=3)
    naive_statements, naive_rows = naive_page(path, owner or 1)
    same = ContactService(db).page(contact_filter, 1, PAGE).rows == tuple(naive_rows)
    db.close()
    label = f"{contacts:,}"
    return [
        Figure(
            figure=f"My-500 query, page of {PAGE} with orgs + 5 activities each ({label} contacts)",
            value=timing.median,
            unit="ms",
            naive=naive.median,
            minimum=timing.minimum,
            maximum=timing.maximum,
            runs=9,
            note="naive: per-row queries for organization and activities (N+1), same rows built",
            extra={"same_rows_as_naive": same},
        ),
        Figure(
            figure=f"My-500 query, SQL statements per page ({label} contacts)",
            value=statements[0],
            unit="statements",
            naive=naive_statements,
        ),
        Figure(
            figure=f"My-500 query, repeated read from cache ({label} contacts)",
            value=cached.median,
            unit="ms",
            minimum=cached.minimum,
            maximum=cached.maximum,
            runs=9,
        ),
    ]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def search_figures(contacts: int) -> list[Figure]:
    """Store-level search: FTS5 prefix query vs loading every contact and filtering in Python."""
    path = database(contacts)
    db = open_database(path)
    samples: list[float] = []
    for term in SEARCH_TERMS:
        contact_filter = ContactFilter(search=term)

        def run(f: ContactFilter = contact_filter) -> None:
            ContactService(db).page(f, 1, 100, with_activities=False)

        samples.extend(time_ms(run, repeat=5).samples)
    samples.sort()

    def naive() -> None:
        conn = sqlite3.connect(path)
        rows = conn.execute(
            "SELECT c.name, c.email, c.phone, o.name FROM contacts c "
            "LEFT JOIN organizations o ON o.id = c.organization_id"
        ).fetchall()
        conn.close()
        needle = _fold("mull")
        [r for r in rows if any(needle in _fold(v) for v in r if v)]

    naive_timing = time_ms(naive, repeat=3)
    db.close()
    p50 = samples[len(samples) // 2]
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    label = f"{contacts:,}"
    return [
        Figure(
            figure=f"Search query (FTS5, first 100 rows), p50 ({label} contacts)",
            value=p50,
            unit="ms",
            naive=naive_timing.median,
            minimum=samples[0],
            maximum=samples[-1],
            runs=len(samples),
        ),
        Figure(
            figure=f"Search query (FTS5, first 100 rows), p95 ({label} contacts)",
            value=p95,
            unit="ms",
            target=50,
            naive=naive_timing.median,
            runs=len(samples),
        ),
    ]
