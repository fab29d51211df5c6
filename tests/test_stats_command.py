"""``stats``: the Insights figures headlessly, with stable JSON keys."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from pipedriven_desktop import cli
from pipedriven_desktop.stats_command import collect_stats, text_lines
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.query_stats import QueryRecorder, flush
from tests.store.test_insights import NOW, add_run, mirror  # noqa: F401 (a fixture)

TOP_KEYS = {
    "generated_at",
    "owner_id",
    "targets",
    "warmness",
    "organizations",
    "campaign",
    "activity",
    "sync",
    "queries",
}
SECTION_KEYS = {
    "targets": {
        "startup_ms",
        "incremental_sync_ms",
        "search_ms",
        "query_ms",
        "cache_hit_rate",
        "organization_coverage",
        "sync_success_rate",
    },
    "warmness": {"my500", "all_contacts", "bands"},
    "organizations": {
        "my500_contacts",
        "linked",
        "coverage",
        "top",
        "hot_without_activity_30_days",
    },
    "campaign": {"flagged", "mix", "not_contacted_90_days"},
    "activity": {"weeks"},
    "sync": {
        "success_rate_30_days",
        "succeeded_30_days",
        "failed_30_days",
        "incremental_median_ms",
        "last_runs",
    },
    "queries": {
        "cache_hit_rate_7_days",
        "query_mean_ms_7_days",
        "search_mean_ms_7_days",
        "startup_mean_ms_7_days",
        "operations_7_days",
    },
}
RUN_KEYS = {
    "started",
    "finished",
    "kind",
    "seconds",
    "requests",
    "fetched",
    "created",
    "updated",
    "deleted",
    "failed",
    "outcome",
    "error",
}
OPERATION_KEYS = {"operation", "calls", "cache_hits", "p50_ms", "p95_ms", "mean_ms"}


@pytest.fixture
def with_history(mirror: Database) -> Database:  # noqa: F811 (the fixture imported above)
    add_run(mirror, utcnow() - timedelta(days=2), 0.5)
    add_run(mirror, utcnow() - timedelta(days=1), 3.0, "Pipedrive did not answer")
    recorder = QueryRecorder()
    recorder.record("window", 4.0, True)
    recorder.record("window", 40.0, False)
    recorder.record("startup", 700.0, None)
    flush(mirror.reader(), recorder)
    return mirror


def test_json_has_the_documented_keys_and_the_figures(
    with_history: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.main(["stats", "--db", str(with_history.path), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 0
    stats = json.loads(out)
    assert set(stats) == TOP_KEYS
    for section, keys in SECTION_KEYS.items():
        assert set(stats[section]) == keys, section
    assert stats["owner_id"] == 1
    assert stats["warmness"]["my500"] == [1, 0, 2, 0, 0, 1, 0, 1, 0, 2, 1]
    assert stats["warmness"]["bands"]["my500"] == {"cold": 3, "warm": 1, "hot": 4}
    assert stats["organizations"]["coverage"] == pytest.approx(7 / 8)
    assert stats["campaign"] == {
        "flagged": 3,
        "mix": [1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0],
        "not_contacted_90_days": 2,  # never contacted, and 120 days ago
    }
    sync = stats["sync"]
    assert (sync["succeeded_30_days"], sync["failed_30_days"]) == (1, 1)
    assert sync["success_rate_30_days"] == 0.5
    assert [run["outcome"] for run in sync["last_runs"]] == ["failed", "ok"]
    assert set(sync["last_runs"][0]) == RUN_KEYS
    assert sync["last_runs"][0]["error"] == "Pipedrive did not answer"
    queries = stats["queries"]
    assert queries["cache_hit_rate_7_days"] == 0.5
    assert queries["startup_mean_ms_7_days"] == 700.0
    window = next(op for op in queries["operations_7_days"] if op["operation"] == "window")
    assert set(window) == OPERATION_KEYS
    assert (window["calls"], window["p50_ms"], window["p95_ms"]) == (2, 5, 40.0)
    assert len(stats["activity"]["weeks"]) == 12
    assert set(stats["activity"]["weeks"][0]) == {"week_start", "total", "by_type"}


def test_an_empty_mirror_gives_nulls_not_errors(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["stats", "--db", str(db.path), "--format", "json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert set(stats) == TOP_KEYS
    assert stats["organizations"]["coverage"] is None
    assert stats["sync"]["success_rate_30_days"] is None
    assert stats["queries"]["cache_hit_rate_7_days"] is None
    assert stats["warmness"]["all_contacts"] == [0] * 11


def test_text_names_each_figure_beside_its_target(with_history: Database) -> None:
    text = "\n".join(text_lines(collect_stats(with_history.path, NOW)))
    assert "coverage: 87.5 % of 8 My-500 contacts linked (target > 90 %)" in text
    assert "3 flagged (2 cold, 0 warm, 1 hot)" in text
    assert "cache hit rate:" in text
    assert "Pipedrive did not answer" in text


def test_text_is_the_default_format(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["stats", "--db", str(db.path)]) == 0
    assert capsys.readouterr().out.startswith("Warmness (score 0..10)\n")
