"""The headless ``stats`` command: the Insights figures as JSON (stable keys) or text.

The JSON keys are documented in the README and kept stable: a key is added, never
renamed or removed. Durations are milliseconds, shares are fractions from 0 to 1, and
a figure that cannot be known yet (no sync run, no recorded query) is ``null``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from pipedriven_desktop.store import insights
from pipedriven_desktop.store.clock import to_text, utcnow
from pipedriven_desktop.store.database import open_database

__all__ = ["LAST_RUNS", "collect_stats", "print_stats"]

#: Sync runs listed under ``sync.last_runs``, newest first.
LAST_RUNS = 10


def collect_stats(db_path: Path, now: datetime | None = None) -> dict[str, Any]:
    """Every figure of the Insights view, as plain JSON-ready values."""
    moment = now or utcnow()
    today = moment.date()
    db = open_database(db_path)
    try:
        conn = db.reader()
        owner = insights.owner_id(conn)
        mix = insights.warmness_mix(conn, owner)
        orgs = insights.organization_figures(conn, owner, moment)
        campaign = insights.campaign_figures(conn, owner, moment)
        weeks = insights.activity_weeks(conn, owner, today)
        history = insights.sync_history(conn, moment)
        queries = insights.query_figures(conn, today, None)
    finally:
        db.close()
    return {
        "generated_at": to_text(moment),
        "owner_id": owner,
        "targets": dict(insights.TARGETS),
        "warmness": {
            "my500": list(mix.my500),
            "all_contacts": list(mix.all_contacts),
            "bands": {"my500": _bands(mix.my500), "all_contacts": _bands(mix.all_contacts)},
        },
        "organizations": {
            "my500_contacts": orgs.contacts,
            "linked": orgs.linked,
            "coverage": orgs.coverage,
            "top": [
                {
                    "id": o.id,
                    "name": o.name,
                    "contacts": o.contacts,
                    "average_warmness": round(o.average_warmness, 2),
                }
                for o in orgs.top
            ],
            "hot_without_activity_30_days": [
                {
                    "id": o.id,
                    "name": o.name,
                    "hot_contacts": o.hot_contacts,
                    "last_activity": to_text(o.last_activity),
                }
                for o in orgs.quiet_hot
            ],
        },
        "campaign": {
            "flagged": campaign.flagged,
            "mix": list(campaign.mix),
            "not_contacted_90_days": campaign.stale,
        },
        "activity": {
            "weeks": [
                {
                    "week_start": start.isoformat(),
                    "total": weeks.totals[index],
                    "by_type": {kind: counts[index] for kind, counts in weeks.by_type.items()},
                }
                for index, start in enumerate(weeks.week_starts)
            ],
        },
        "sync": {
            "success_rate_30_days": history.success_rate,
            "succeeded_30_days": history.succeeded,
            "failed_30_days": history.failed,
            "incremental_median_ms": history.incremental_ms,
            "last_runs": [_run(run) for run in history.runs[:LAST_RUNS]],
        },
        "queries": {
            "cache_hit_rate_7_days": insights.QueryFigures.hit_rate(queries.recent_days),
            "query_mean_ms_7_days": insights.QueryFigures.mean_ms(queries.recent_days, False),
            "search_mean_ms_7_days": insights.QueryFigures.mean_ms(queries.recent_days, True),
            "startup_mean_ms_7_days": queries.startup_days_ms,
            "operations_7_days": [
                {
                    "operation": op.operation,
                    "calls": op.calls,
                    "cache_hits": op.cache_hits,
                    "p50_ms": op.p50_ms,
                    "p95_ms": op.p95_ms,
                    "mean_ms": None if op.mean_ms is None else round(op.mean_ms, 3),
                }
                for op in queries.recent_days
            ],
        },
    }


def print_stats(db_path: Path, fmt: str, out: TextIO, now: datetime | None = None) -> None:
    stats = collect_stats(db_path, now)
    if fmt == "json":
        out.write(json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write("\n".join(text_lines(stats)) + "\n")


def text_lines(stats: dict[str, Any]) -> list[str]:
    """The same figures for a person: one line each, targets beside them."""
    targets = stats["targets"]
    warmness, orgs = stats["warmness"], stats["organizations"]
    campaign, sync, queries = stats["campaign"], stats["sync"], stats["queries"]
    lines = [
        "Warmness (score 0..10)",
        f"  My-500:        {_mix(warmness['my500'])}   {_band_text(warmness['bands']['my500'])}",
        f"  All contacts:  {_mix(warmness['all_contacts'])}   "
        f"{_band_text(warmness['bands']['all_contacts'])}",
        "Organizations",
        f"  coverage: {_share(orgs['coverage'])} of {orgs['my500_contacts']:,} My-500 contacts "
        f"linked (target > {_share(targets['organization_coverage'])})",
    ]
    lines += [
        f"  {o['name']}: {o['contacts']} contacts, average warmness {o['average_warmness']:.1f}"
        for o in orgs["top"]
    ]
    lines += [
        f"  hot, no activity for 30 days: {o['name']} ({o['hot_contacts']} hot)"
        for o in orgs["hot_without_activity_30_days"]
    ]
    lines += [
        "Campaign",
        f"  {campaign['flagged']:,} flagged ({_band_text(_bands(campaign['mix']))}), "
        f"{campaign['not_contacted_90_days']:,} not contacted for 90+ days",
        "Sync",
        f"  success rate over 30 days: {_share(sync['success_rate_30_days'])} "
        f"({sync['succeeded_30_days']} ok, {sync['failed_30_days']} failed; "
        f"target > {_share(targets['sync_success_rate'])})",
    ]
    lines += [
        f"  {run['started'][:16]}  {run['kind']:<11} {run['outcome']:<11} "
        f"{_ms(None if run['seconds'] is None else run['seconds'] * 1000)}"
        f"{'  ' + run['error'] if run['error'] else ''}"
        for run in sync["last_runs"]
    ]
    lines += [
        "Queries and cache (last 7 days)",
        f"  cache hit rate: {_share(queries['cache_hit_rate_7_days'])} "
        f"(target > {_share(targets['cache_hit_rate'])})",
        f"  start-up: {_ms(queries['startup_mean_ms_7_days'])} "
        f"(target < {_ms(targets['startup_ms'])})",
    ]
    lines += [
        f"  {op['operation']:<22} {op['calls']:>7,} {'call ' if op['calls'] == 1 else 'calls'}"
        f"  p50 ≤ {_ms(op['p50_ms'])}"
        f"  p95 ≤ {_ms(op['p95_ms'])}"
        for op in queries["operations_7_days"]
    ]
    return lines


def _bands(mix: Sequence[int]) -> dict[str, int]:
    return {band.name.lower(): count for band, count in insights.band_counts(mix).items()}


def _run(run: insights.SyncRunRow) -> dict[str, Any]:
    return {
        "started": to_text(run.started),
        "finished": to_text(run.finished),
        "kind": run.kind,
        "seconds": run.seconds,
        "requests": run.requests,
        "fetched": run.fetched,
        "created": run.created,
        "updated": run.updated,
        "deleted": run.deleted,
        "failed": run.failed,
        "outcome": run.outcome,
        "error": run.error,
    }


def _mix(mix: Sequence[int]) -> str:
    return " ".join(f"{count:>5}" for count in mix)


def _band_text(bands: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {name}" for name, count in bands.items())


def _share(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 100:.1f}".removesuffix(".0") + " %"  # 90.4 % is not 90 %


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1000:.1f} s" if value >= 1000 else f"{value:.1f} ms"
