"""The Monitoring tab: each figure beside the specification's target, query times per
operation (this session and the last 7 days) and the sync history with its success rate."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import QLabel, QTableWidget, QVBoxLayout, QWidget

from pipedriven_desktop.store import insights
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.insights.tables import (
    fill_table,
    fit_rows,
    muted_label,
    read_only_table,
    share,
)
from pipedriven_desktop.ui.style import heading

OUTCOME_WORDS = {
    "ok": "succeeded",
    "failed": "failed",
    "cancelled": "cancelled",
    "running": "running",
    "interrupted": "interrupted (the app stopped during it)",
}


def ms(value: float | None, bound: bool = False) -> str:
    if value is None:
        return "—"
    prefix = "≤ " if bound else ""
    if value >= 1000:
        return f"{prefix}{value / 1000:.2f} s"
    return f"{prefix}{value:.1f} ms" if value < 100 else f"{prefix}{value:.0f} ms"


def _verdict(value: float | None, target: float, higher_is_better: bool) -> str:
    if value is None:
        return "not measured yet"
    met = value > target if higher_is_better else value < target
    return "✓ met" if met else "✗ missed"


class MonitoringPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.targets = read_only_table(["Figure", "Value", "Target", ""])
        self.targets.setObjectName("targets")
        self.operations = read_only_table(
            [
                "Operation",
                "Calls (session)",
                "Cache hits",
                "p50",
                "p95",
                "Calls (7 days)",
                "p50 (7 days)",
                "p95 (7 days)",
            ]
        )
        self.operations.setObjectName("operations")
        self.runs = read_only_table(
            ["Started", "Kind", "Duration", "Requests", "Records", "Outcome", "Error"]
        )
        self.runs.setObjectName("syncRuns")
        self.note = muted_label(
            "Recorded on this computer only. Durations over 7 days are read from "
            "log-spaced buckets (0.1, 0.2, 0.5, 1, 2, 5 … 5,000 ms): ≤ is the bucket's top."
        )
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        for title, widget, stretch in (
            ("Against the targets", self.targets, 0),
            ("Queries and cache", self.operations, 0),
            ("Sync history", self.runs, 1),
        ):
            label = QLabel(title)
            heading(label)
            layout.addWidget(label)
            layout.addWidget(widget, stretch)
        layout.addWidget(self.note)

    def show_figures(self, figures: insights.MonitoringSection) -> None:
        queries, sync = figures.queries, figures.sync
        targets = insights.TARGETS
        session_hits = insights.QueryFigures.hit_rate(queries.session)
        days_hits = insights.QueryFigures.hit_rate(queries.recent_days)
        query_mean = insights.QueryFigures.mean_ms(queries.recent_days, search=False)
        search_mean = insights.QueryFigures.mean_ms(queries.recent_days, search=True)
        startup = queries.startup_ms if queries.startup_ms is not None else queries.startup_days_ms
        rows: list[tuple[str, str, str, str]] = [
            (
                "Start-up to My-500 painted",
                ms(startup),
                f"< {ms(targets['startup_ms'])}",
                _verdict(startup, targets["startup_ms"], False),
            ),
            (
                "Incremental sync (median, 30 days)",
                ms(sync.incremental_ms),
                f"< {ms(targets['incremental_sync_ms'])}",
                _verdict(sync.incremental_ms, targets["incremental_sync_ms"], False),
            ),
            (
                "Search (mean, 7 days)",
                ms(search_mean),
                f"< {ms(targets['search_ms'])}",
                _verdict(search_mean, targets["search_ms"], False),
            ),
            (
                "Query (mean, 7 days)",
                ms(query_mean),
                f"< {ms(targets['query_ms'])}",
                _verdict(query_mean, targets["query_ms"], False),
            ),
            (
                "Cache hit rate, this session",
                share(session_hits),
                f"> {share(targets['cache_hit_rate'])}",
                _verdict(session_hits, targets["cache_hit_rate"], True),
            ),
            (
                "Cache hit rate, 7 days",
                share(days_hits),
                f"> {share(targets['cache_hit_rate'])}",
                _verdict(days_hits, targets["cache_hit_rate"], True),
            ),
            (
                "Organization coverage of My-500",
                share(figures.coverage),
                f"> {share(targets['organization_coverage'])}",
                _verdict(figures.coverage, targets["organization_coverage"], True),
            ),
            (
                f"Sync success rate, 30 days ({sync.succeeded} of {sync.succeeded + sync.failed})",
                share(sync.success_rate),
                f"> {share(targets['sync_success_rate'])}",
                _verdict(sync.success_rate, targets["sync_success_rate"], True),
            ),
        ]
        fill_table(self.targets, rows)
        fit_rows(self.targets)
        self._mark_missed(self.targets)
        days = {op.operation: op for op in queries.recent_days}
        session = {op.operation: op for op in queries.session}
        fill_table(
            self.operations,
            [
                _operation_row(name, session.get(name), days.get(name))
                for name in sorted(set(days) | set(session))
            ],
        )
        fit_rows(self.operations)
        fill_table(self.runs, [_run_row(run) for run in sync.runs])
        if figures.flush_error:
            self.note.setText(
                f"This session's query figures are not saved yet: {figures.flush_error}"
            )

    def _mark_missed(self, table: QTableWidget) -> None:
        """A missed target in the palette's link colour stays readable in light and dark."""
        for row in range(table.rowCount()):
            item = table.item(row, 3)
            if item is not None and item.text().startswith("✗"):
                item.setForeground(QBrush(self.palette().color(QPalette.ColorRole.Link)))


def _operation_row(
    name: str, session: insights.OperationFigures | None, days: insights.OperationFigures | None
) -> Sequence[str]:
    def hits(op: insights.OperationFigures | None) -> str:
        if op is None or name.split(".")[-1] not in insights.CACHED_OPERATIONS or not op.calls:
            return "—"
        return f"{op.cache_hits / op.calls * 100:.0f} %"

    return (
        name,
        formatting.count(session.calls) if session else "—",
        hits(session),
        ms(session.p50_ms) if session else "—",
        ms(session.p95_ms) if session else "—",
        formatting.count(days.calls) if days else "—",
        ms(days.p50_ms, bound=True) if days else "—",
        ms(days.p95_ms, bound=True) if days else "—",
    )


def _run_row(run: insights.SyncRunRow) -> Sequence[str]:
    records = run.created + run.updated + run.deleted
    return (
        run.started.strftime("%-d %b %H:%M"),
        run.kind,
        ms(None if run.seconds is None else run.seconds * 1000),
        formatting.count(run.requests),
        f"{formatting.count(run.fetched)} fetched, {formatting.count(records)} changed",
        OUTCOME_WORDS.get(run.outcome, run.outcome),
        run.error or "",
    )
