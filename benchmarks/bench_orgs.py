"""Organizations: how well near duplicates are found, and how fast at a first sync's scale.

- Matching: precision and recall on the committed labelled set of real company names
  (``tests/fixtures/org_matching/pairs.csv``), with the evidence a CRM has and by names
  alone, and how many distinct companies would merge without asking (must be 0).
- Suggestions for a first sync of 20,000 organizations: the sync's own step
  (``record_pending_suggestions``) on a mirror the organization writer filled page by page
  from the fake account's organizations (a third of them other spellings of earlier
  ones), with two contacts each; beside it the previous approach (every new name scored
  against every organization), timed on a sample and scaled up.
- The organization writer's cost per sync page of 500 new organizations, with 1,000 and
  with 50,000 already in the mirror: proportional to the page, not to the table. Beside it
  what loading the lookup tables on every page (the previous resolver) costs at 50,000.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import select, text

from benchmarks.harness import Figure
from pipedriven_desktop.domain.orgnames import BORDERLINE_SCORE, match_key
from pipedriven_desktop.pipedrive.fake_data import FakeAccount
from pipedriven_desktop.pipedrive.records import Organization
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.store.models import Organization as OrganizationRow
from pipedriven_desktop.store.models import OrganizationAlias
from pipedriven_desktop.sync.writers.organizations import OrganizationWriter
from pipedriven_desktop.sync.writers.suggestions import (
    pending_suggestions,
    record_pending_suggestions,
)
from tests.domain.org_matching_eval import evaluate, load_pairs, without_evidence

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
PAGE = 500
FIRST_SYNC = 20_000
LARGE_TABLE = 50_000
SMALL_TABLE = 1_000
SUGGESTION_RUNS = 3
PAGE_RUNS = 5
NAIVE_SAMPLE = 200


def matching_figures() -> list[Figure]:
    pairs = load_pairs()
    figures: list[Figure] = []
    for label, chosen in (
        ("names + evidence", pairs),
        ("names alone", [without_evidence(pair) for pair in pairs]),
    ):
        scores = evaluate(chosen)
        note = (
            f"{scores.pairs} labelled pairs of real company names: "
            f"{scores.true_positives + scores.false_negatives} duplicates, "
            f"{scores.true_negatives + scores.false_positives} distinct"
        )
        figures += [
            Figure(
                figure=f"Org matching precision ({label})",
                value=round(scores.precision, 3),
                unit="ratio",
                target=0.95,
                higher_is_better=True,
                note=note,
            ),
            Figure(
                figure=f"Org matching recall ({label})",
                value=round(scores.recall, 3),
                unit="ratio",
                target=0.95,
                higher_is_better=True,
                note=note,
            ),
        ]
        if label == "names + evidence":
            figures.append(
                Figure(
                    figure="Org matching: distinct companies merged automatically",
                    value=scores.automatic_merges_of_distinct,
                    unit="pairs",
                    target=0,
                )
            )
    return figures


def _records(count: int, seed: int) -> list[Organization]:
    account = FakeAccount.generate(
        seed=seed, persons=10, owned_persons=5, organizations=count, activities=0, deals=0
    )
    return [Organization.from_api(item) for item in account.organizations.values()]


def _write_pages(db: Database, records: Sequence[Organization], offset: int = 0) -> list[float]:
    """Write ``records`` as sync pages of new organizations; seconds per page."""
    writer = OrganizationWriter()
    seconds: list[float] = []
    for start in range(0, len(records), PAGE):
        page = [_renumbered(record, offset) for record in records[start : start + PAGE]]
        prepared = [(record, writer.prepare(record, NOW.isoformat())) for record in page]
        with db.sessions() as session, session.begin():
            started = time.perf_counter()
            writer.write(session, prepared, (), listing=False, rewrite=False, now=NOW)
            seconds.append(time.perf_counter() - started)
    return seconds


def _renumbered(record: Organization, offset: int) -> Organization:
    if not offset:
        return record
    from dataclasses import replace

    return replace(record, id=record.id + offset, name=f"{record.name} {offset}")


def _add_contacts(db: Database) -> None:
    """Two contacts per organization: one at its company domain (when it has a website),
    one at free mail."""
    with db.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO contacts (id, name, email, organization_id, pipedrive_org_id,"
            " warmness_score, added_to_campaign, created_at, updated_at)"
            " SELECT 'c1-' || id, 'Someone', 'someone@' || replace(replace("
            " website, 'https://', ''), 'www.', ''), id,"
            " pipedrive_org_id, 0, 0, created_at, updated_at FROM organizations"
            " WHERE website IS NOT NULL"
        )
        conn.exec_driver_sql(
            "INSERT INTO contacts (id, name, email, organization_id, pipedrive_org_id,"
            " warmness_score, added_to_campaign, created_at, updated_at)"
            " SELECT 'c2-' || id, 'Someone else', 'someone.else@gmail.com', id,"
            " pipedrive_org_id, 0, 0, created_at, updated_at FROM organizations"
        )


def _forget_name_caches() -> None:
    """Each run as the sync's first: no loose key, domain or pair remembered from before.

    The exact keys stay: the sync worked them out while writing the pages.
    """
    from pipedriven_desktop.domain import legal_forms, orgnames
    from pipedriven_desktop.store import organizations

    for cached in (
        orgnames.name_key,
        orgnames.name_match,
        orgnames.website_domain,
        orgnames.site_name,
        orgnames._company_domains,
        orgnames._fold_place,
        organizations._company_domain,
        legal_forms.fuzzy_legal_form,
    ):
        cached.cache_clear()


def _naive_seconds(db: Database) -> float:
    """The previous way, scaled: each new name scored against every organization."""
    with db.sessions() as session:
        names = [name for (name,) in session.execute(select(OrganizationRow.name))]
    keys = [" ".join(sorted(match_key(name).split())) for name in names]
    sample = keys[:: max(1, len(keys) // NAIVE_SAMPLE)][:NAIVE_SAMPLE]
    started = time.perf_counter()
    for key in sample:
        process.extract(key, keys, scorer=fuzz.ratio, score_cutoff=BORDERLINE_SCORE, limit=None)
    return (time.perf_counter() - started) / len(sample) * len(keys)


def suggestion_figures() -> list[Figure]:
    records = _records(FIRST_SYNC, seed=7)
    with tempfile.TemporaryDirectory() as tmp:
        db = open_database(Path(tmp) / "orgs.sqlite3")
        try:
            _write_pages(db, records)
            _add_contacts(db)
            samples: list[float] = []
            cpu: list[float] = []
            added = 0
            for _ in range(SUGGESTION_RUNS):
                _forget_name_caches()
                with db.sessions() as session:
                    session.begin()
                    queued = len(pending_suggestions(session.connection()))
                    started, cpu_started = time.perf_counter(), time.process_time()
                    added = record_pending_suggestions(session, NOW)
                    session.flush()
                    samples.append(time.perf_counter() - started)
                    cpu.append(time.process_time() - cpu_started)
                    session.rollback()
            naive = _naive_seconds(db)
        finally:
            db.close()
    return [
        Figure(
            figure=f"Org suggestions for a first sync of {FIRST_SYNC:,} organizations",
            value=round(statistics.median(samples), 3),
            unit="s",
            target=2.0,
            naive=round(naive, 1),
            minimum=round(min(samples), 3),
            maximum=round(max(samples), 3),
            runs=SUGGESTION_RUNS,
            note=(
                f"{queued:,} queued, {added:,} suggestions; naive: each name against every "
                f"organization (rapidfuzz), timed on {NAIVE_SAMPLE} names and scaled"
            ),
        ),
        Figure(
            figure=f"Org suggestions for {FIRST_SYNC:,} organizations, CPU time",
            value=round(statistics.median(cpu), 3),
            unit="s",
            target=2.0,
            minimum=round(min(cpu), 3),
            maximum=round(max(cpu), 3),
            runs=SUGGESTION_RUNS,
            note=(
                "this process's CPU seconds: the wall time less waiting for a shared core; "
                "every run starts without the names' loose keys"
            ),
        ),
    ]


def _table_load_ms(db: Database) -> float:
    """What the previous resolver read on every page: every alias and organization."""
    with db.sessions() as session:
        started = time.perf_counter()
        session.execute(
            select(OrganizationAlias.pipedrive_org_id, OrganizationAlias.organization_id)
        ).all()
        session.execute(
            select(OrganizationRow.id, OrganizationRow.normalized_name).order_by(
                OrganizationRow.created_at
            )
        ).all()
        return (time.perf_counter() - started) * 1000


def page_figures() -> list[Figure]:
    extra = _records(PAGE * PAGE_RUNS, seed=9)
    figures: list[Figure] = []
    for size in (SMALL_TABLE, LARGE_TABLE):
        with tempfile.TemporaryDirectory() as tmp:
            db = open_database(Path(tmp) / "orgs.sqlite3")
            try:
                _write_pages(db, _records(size, seed=5))
                with db.engine.begin() as conn:
                    conn.execute(text("DELETE FROM app_meta WHERE key LIKE 'orgs_pending%'"))
                samples = _write_pages(db, extra, offset=10_000_000)
                naive_ms = _table_load_ms(db)
            finally:
                db.close()
        figures.append(
            Figure(
                figure=f"Org writer, page of {PAGE} new organizations ({size:,} in the mirror)",
                value=round(statistics.median(samples) * 1000, 1),
                unit="ms",
                naive=round(naive_ms + statistics.median(samples) * 1000, 1)
                if size == LARGE_TABLE
                else None,
                minimum=round(min(samples) * 1000, 1),
                maximum=round(max(samples) * 1000, 1),
                runs=len(samples),
                note=(
                    "naive: the same page plus loading every alias and organization, "
                    "as the resolver did on each page"
                    if size == LARGE_TABLE
                    else ""
                ),
            )
        )
    return figures


def org_figures() -> list[Figure]:
    return matching_figures() + suggestion_figures() + page_figures()


def _main() -> None:  # pragma: no cover - a manual run of this section alone
    from benchmarks.harness import markdown_table

    print(markdown_table(org_figures()))


if __name__ == "__main__":
    _main()


__all__: list[Any] = ["org_figures"]
