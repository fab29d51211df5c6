"""My-500 query and search at the store level, beside the old page's N+1 loading."""

from __future__ import annotations

import json
import sqlite3
import statistics
import time
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
SEARCH_PAGE = 100
#: What people type: letters of a surname, first names, an organization, email fragments,
#: phone digits (from its start and from inside the number).
SEARCH_TERMS = [
    "m", "mu", "mul", "mull", "mulle", "muller", "s", "smith", "anna", "globex 12",
    "example", "anna.4", "+49 170", "0042", "4711",
]  # fmt: skip
#: The plain SQL baseline scans every contact per term (and, for a rare term, walks the
#: whole order for its page): fewer repeats keep it affordable, one at a million.
LIKE_REPEAT = 3
LIKE_REPEAT_LARGE = 1
LARGE = 1_000_000


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


#: What the service reads per row (see ``build_contact_row``).
_ROW_COLUMNS = (
    "c.id, c.pipedrive_person_id, c.name, c.email, c.phone, c.job_title, c.warmness_score,"
    " c.warmness_breakdown, c.last_contacted, c.added_to_campaign, c.lead_status, c.created_at,"
    " o.id, o.name, o.pipedrive_org_id, u.name"
)
_NEXT_ACTIVITY = (
    "SELECT page.value, (SELECT min(a.due_date) FROM activities a WHERE a.contact_id ="
    " page.value AND a.done = 0 AND a.due_date >= ?) FROM json_each(?) AS page"
)


def like_page(conn: sqlite3.Connection, term: str) -> tuple[int, list[ContactRow]]:
    """The plain SQL way: every word ``LIKE '%word%'`` in name, email, phone or organization;
    the count and the first page in My-500 order with each row's next activity, built into
    the same rows as the service's, so only the search differs."""
    words = term.split()
    where = " AND ".join(
        "(c.name LIKE ? OR c.email LIKE ? OR c.phone LIKE ? OR o.name LIKE ?)" for _ in words
    )
    params = [f"%{word}%" for word in words for _ in range(4)]
    source = (
        "contacts c LEFT JOIN organizations o ON o.id = c.organization_id"
        " LEFT JOIN users u ON u.id = c.owner_id"
    )
    total = int(conn.execute(f"SELECT count(*) FROM {source} WHERE {where}", params).fetchone()[0])
    found = conn.execute(
        f"SELECT {_ROW_COLUMNS} FROM {source} WHERE {where} ORDER BY {MY500_ORDER} LIMIT ?",
        (*params, SEARCH_PAGE),
    ).fetchall()
    ids = json.dumps([row[0] for row in found])
    upcoming = dict(conn.execute(_NEXT_ACTIVITY, (date.today().isoformat(), ids)).fetchall())
    rows = [
        build_contact_row(row, date.fromisoformat(upcoming[row[0]]) if upcoming[row[0]] else None)
        for row in found
    ]
    return total, rows


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def search_figures(contacts: int) -> list[Figure]:
    """Store-level search: FTS5 beside a plain SQL ``LIKE`` and beside filtering in Python."""
    path = database(contacts)
    db = open_database(path)
    samples: list[float] = []
    by_term: dict[str, float] = {}
    first: list[float] = []
    first_by_term: dict[str, float] = {}
    first_cpu: list[float] = []
    counts: list[float] = []
    counts_by_term: dict[str, float] = {}
    for term in SEARCH_TERMS:
        contact_filter = ContactFilter(search=term)

        def run(f: ContactFilter = contact_filter) -> None:
            ContactService(db).page(f, 1, SEARCH_PAGE, with_activities=False)

        def keystroke(f: ContactFilter = contact_filter) -> None:
            """What a keystroke reads: the first page, and the count only if it is as cheap."""
            service = ContactService(db)
            service.window(f, 0, SEARCH_PAGE)
            service.count_if_cheap(f)

        def exact_count(f: ContactFilter = contact_filter) -> None:
            ContactService(db).count(f)

        timing = time_ms(run, repeat=5)
        samples.extend(timing.samples)
        by_term[term] = round(timing.median, 2)
        for _ in range(5):
            started = time.process_time()
            timing = time_ms(keystroke, repeat=1, warmup=0)
            first_cpu.append((time.process_time() - started) * 1000)
            first.extend(timing.samples)
        first_by_term[term] = round(statistics.median(first[-5:]), 2)
        timing = time_ms(exact_count, repeat=3, warmup=0)
        counts.extend(timing.samples)
        counts_by_term[term] = round(timing.median, 2)
    samples.sort()
    first.sort()
    first_cpu.sort()
    counts.sort()
    like_conn = sqlite3.connect(path)
    like_samples: list[float] = []
    like_by_term: dict[str, float] = {}
    for term in SEARCH_TERMS:

        def like(t: str = term) -> None:
            like_page(like_conn, t)

        large = contacts >= LARGE
        timing = time_ms(
            like, repeat=LIKE_REPEAT_LARGE if large else LIKE_REPEAT, warmup=0 if large else 1
        )
        like_samples.extend(timing.samples)
        like_by_term[term] = round(timing.median, 2)
    like_conn.close()
    like_samples.sort()

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
    like_p50 = like_samples[len(like_samples) // 2]
    label = f"{contacts:,}"
    terms = f"{len(SEARCH_TERMS)} terms × 5 runs: " + ", ".join(SEARCH_TERMS)
    return [
        Figure(
            figure=f"Search first page (100 rows), as a keystroke reads it, p50 ({label} contacts)",
            value=first[len(first) // 2],
            unit="ms",
            minimum=first[0],
            maximum=first[-1],
            runs=len(first),
            note="the way to the page chosen from the first 2,001 hits; the exact count only when"
            f" those are all the hits; {terms}",
            extra={"median_by_term": first_by_term},
        ),
        Figure(
            figure=f"Search first page (100 rows), as a keystroke reads it, p95 ({label} contacts)",
            value=_p95(first),
            unit="ms",
            runs=len(first),
        ),
        Figure(
            figure=f"Search first page, processor time, p95 ({label} contacts)",
            value=_p95(first_cpu),
            unit="ms",
            runs=len(first_cpu),
            note="time.process_time around each read",
        ),
        Figure(
            figure=f"Search exact count (off the UI thread), p95 ({label} contacts)",
            value=_p95(counts),
            unit="ms",
            minimum=counts[0],
            maximum=counts[-1],
            runs=len(counts),
            note="read by a worker thread after the first page, once typing pauses",
            extra={"median_by_term": counts_by_term},
        ),
        Figure(
            figure=f"Search query (FTS5, count + first 100 rows), p50 ({label} contacts)",
            value=p50,
            unit="ms",
            naive=like_p50,
            minimum=samples[0],
            maximum=samples[-1],
            runs=len(samples),
            note=f"naive: plain SQL LIKE '%word%' over the same terms; {terms}",
            extra={"median_by_term": by_term, "like_median_by_term": like_by_term},
        ),
        Figure(
            figure=f"Search query (FTS5, count + first 100 rows), p95 ({label} contacts)",
            value=_p95(samples),
            unit="ms",
            naive=_p95(like_samples),
            runs=len(samples),
            note="naive: plain SQL LIKE, p95 over the same terms; no target: the 50 ms"
            " target is the keystroke's",
        ),
        Figure(
            figure=f"Search the old page's way, filtered in Python ({label} contacts)",
            value=naive_timing.median,
            unit="ms",
            minimum=naive_timing.minimum,
            maximum=naive_timing.maximum,
            runs=3,
            note="all contacts with their organization loaded, 'mull' matched after folding",
        ),
    ]
