"""The Insights window: it builds, shows the mirror's figures, and a bar click filters the table."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from PySide6.QtCharts import QAreaSeries
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from pipedriven_desktop.domain.warmness import WarmnessBand
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.ui.insights.charts import WarmnessBars, is_dark
from pipedriven_desktop.ui.insights.window import InsightsWindow
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import OWNER_ID

LOAD_MS = 15_000


@pytest.fixture(autouse=True)
def no_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """The offscreen platform warns that it cannot raise a window (a desktop can)."""
    monkeypatch.setattr(InsightsWindow, "raise_", lambda self: None)
    monkeypatch.setattr(MainWindow, "raise_", lambda self: None)


def open_insights(window: MainWindow, qtbot: Any) -> InsightsWindow:
    window.open_insights()
    insights = window.insights
    assert insights is not None
    qtbot.waitUntil(lambda: not insights.counting(), timeout=LOAD_MS)
    return insights


def bar_values(chart: WarmnessBars) -> list[int]:
    assert chart.series is not None
    return [round(sum(bars.at(score) for bars in chart.series.barSets())) for score in range(11)]


def scores_by_sql(window: MainWindow, owner: int | None) -> list[int]:
    counts = [0] * 11
    where, params = ("WHERE owner_id = ?", (owner,)) if owner is not None else ("", ())
    for score, count in window.db.reader().execute(
        f"SELECT warmness_score, count(*) FROM contacts {where} GROUP BY 1", params
    ):
        counts[score] = count
    return counts


def test_the_window_shows_both_distributions_of_the_mirror(window: MainWindow, qtbot: Any) -> None:
    insights = open_insights(window, qtbot)
    page = insights.warmness
    assert page is not None
    mine = bar_values(page.my500)
    everyone = bar_values(page.everyone)
    assert mine == scores_by_sql(window, OWNER_ID)
    assert everyone == scores_by_sql(window, None)
    assert sum(mine) == window.service.count(ContactFilter(owner_id=OWNER_ID))
    assert sum(everyone) > sum(mine)  # 80 % of the contacts are mine
    # Each bar sits in the set of its band: a 2 is cold, a 5 warm, an 8 hot.
    assert page.my500.series is not None
    cold, warm, hot = page.my500.series.barSets()
    assert (warm.at(2), cold.at(5), hot.at(5), cold.at(8)) == (0, 0, 0, 0)
    assert "Counted at" in insights.updated.text()


def test_a_click_on_a_bar_shows_that_band_in_the_table(window: MainWindow, qtbot: Any) -> None:
    insights = open_insights(window, qtbot)
    assert insights.warmness is not None
    chart = insights.warmness.everyone
    score = max(range(7, 11), key=lambda s: bar_values(chart)[s])  # a tall hot bar
    qtbot.mouseClick(
        chart.viewport(), Qt.MouseButton.LeftButton, pos=chart.bar_position(score).toPoint()
    )
    state = window.filter_bar.state()
    assert (state.band, state.all_contacts) == (WarmnessBand.HOT, True)
    assert window.model.contact_filter.band is WarmnessBand.HOT
    assert window.model.contact_filter.owner_id is None
    hot = sum(scores_by_sql(window, None)[7:])
    qtbot.waitUntil(lambda: window.model.total == hot, timeout=5000)
    rows = [window.model.row(r) for r in range(window.model.rowCount())]
    assert rows
    assert all(row is not None and 7 <= row.warmness_score <= 10 for row in rows)


def test_the_band_buttons_reach_the_table_from_the_keyboard(window: MainWindow, qtbot: Any) -> None:
    insights = open_insights(window, qtbot)
    assert insights.warmness is not None
    window.filter_bar.set_all_contacts(True)
    button = insights.warmness.my500_buttons.buttons[WarmnessBand.COLD]
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)
    state = window.filter_bar.state()
    assert (state.band, state.all_contacts) == (WarmnessBand.COLD, False)
    assert window.model.contact_filter.owner_id == OWNER_ID


def test_tabs_built_later_show_the_figures_that_arrived_before(
    window: MainWindow, qtbot: Any
) -> None:
    conn = window.db.reader()
    with conn:
        conn.execute(
            "INSERT INTO sync_runs (id, kind, started, finished, requests, error)"
            " VALUES ('r1', 'incremental', '2026-11-01 10:00:00.000000',"
            " '2026-11-01 10:00:02.500000', 8, 'Pipedrive did not answer')"
        )
    insights = open_insights(window, qtbot)
    assert insights.monitoring is None
    assert insights.organizations is None
    insights.tabs.setCurrentIndex(3)
    monitoring = insights.monitoring
    assert monitoring is not None
    assert monitoring.targets.rowCount() == 8
    coverage = next(
        r for r in range(8) if monitoring.targets.item(r, 0).text().startswith("Organization")
    )
    assert monitoring.targets.item(coverage, 2).text() == "> 90 %"
    assert monitoring.runs.rowCount() == 1
    assert monitoring.runs.item(0, 5).text() == "failed"
    assert monitoring.runs.item(0, 6).text() == "Pipedrive did not answer"
    insights.tabs.setCurrentIndex(1)
    organizations = insights.organizations
    assert organizations is not None
    linked, mine = conn.execute(
        "SELECT count(organization_id), count(*) FROM contacts WHERE owner_id = ?", (OWNER_ID,)
    ).fetchone()
    assert f"{linked / mine * 100:.1f}".removesuffix(".0") in organizations.coverage.text()


def test_history_draws_one_area_per_band_once_two_days_are_kept(
    window: MainWindow, qtbot: Any
) -> None:
    conn = window.db.reader()
    today = date.today()
    with conn:
        for days_ago in (3, 1):
            conn.execute(
                "INSERT INTO warmness_daily VALUES (?, ?, '[]', '2026-11-01 06:00:00.000000')",
                ((today - timedelta(days=days_ago)).isoformat(), json.dumps([5] * 11)),
            )
    insights = open_insights(window, qtbot)
    assert insights.warmness is not None
    series = insights.warmness.history.chart().series()
    assert [s.name() for s in series] == ["Cold", "Warm", "Hot"]
    hot = series[2]
    assert isinstance(hot, QAreaSeries)
    assert hot.upperSeries().at(0).y() == 55  # 11 scores × 5, stacked to the top


@pytest.mark.parametrize("dark", [False, True])
def test_charts_take_the_palette_light_or_dark(window: MainWindow, qtbot: Any, dark: bool) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = app.palette()
    palette = QPalette(before)
    window_color, base = ("#2b2b2b", "#1f1f1f") if dark else ("#efefef", "#ffffff")
    palette.setColor(QPalette.ColorRole.Window, QColor(window_color))
    palette.setColor(QPalette.ColorRole.Base, QColor(base))
    app.setPalette(palette)
    try:
        insights = open_insights(window, qtbot)
        assert insights.warmness is not None
        chart = insights.warmness.my500
        assert is_dark(chart.palette()) is dark
        assert chart.chart().backgroundBrush().color() == QColor(base)
    finally:
        app.setPalette(before)


def test_a_finished_sync_counts_the_shown_figures_again(window: MainWindow, qtbot: Any) -> None:
    insights = open_insights(window, qtbot)
    assert not insights.counting()
    window.sync_ended.emit()
    assert insights.counting()
    qtbot.waitUntil(lambda: not insights.counting(), timeout=LOAD_MS)
    insights.hide()
    window.sync_ended.emit()
    assert not insights.counting()
