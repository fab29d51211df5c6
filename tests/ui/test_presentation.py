"""Wording, links, the warmness ramp and its painting, the status texts."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication

from pipedriven_desktop.store.rows import Performance, SyncStatus
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.links import mailto_url, person_url, tel_url
from pipedriven_desktop.ui.status_bar import performance_text, sync_text
from pipedriven_desktop.ui.sync_bar import progress_text
from pipedriven_desktop.ui.table_delegates import paint_check
from pipedriven_desktop.ui.warmness_delegate import (
    BAR_WIDTH,
    PADDING,
    TEXT_WIDTH,
    WARMNESS_CELL_ROLE,
    band_name,
    paint_warmness,
    warmness_color,
)

NOW = datetime(2026, 5, 14, 12, 0)


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (None, "never"),
        (NOW - timedelta(seconds=20), "just now"),
        (NOW - timedelta(minutes=4), "4 min ago"),
        (NOW - timedelta(hours=3), "3 h ago"),
        (NOW - timedelta(days=1, hours=1), "yesterday"),
        (NOW - timedelta(days=3), "3 days ago"),
        (NOW - timedelta(days=65), "2 months ago"),
        (NOW - timedelta(days=400), "1 year ago"),
        (NOW + timedelta(minutes=5), "just now"),
    ],
)
def test_relative_past(moment: datetime | None, text: str) -> None:
    assert formatting.relative_past(moment, NOW) == text


def test_relative_day_and_full_dates() -> None:
    today = NOW.date()
    assert formatting.relative_day(today, today) == "today"
    assert formatting.relative_day(today + timedelta(days=1), today) == "tomorrow"
    assert formatting.relative_day(today + timedelta(days=4), today) == "in 4 days"
    assert formatting.relative_day(date(2026, 6, 1), today) == "Mon 1 Jun"
    assert formatting.relative_day(date(2027, 6, 1), today) == "1 Jun 2027"
    assert formatting.relative_day(None, today) == ""
    assert (
        formatting.full_datetime(datetime(2025, 3, 4, 14, 5)) == "Tuesday 4 March 2025, 14:05 UTC"
    )
    assert formatting.money(12000.0, "EUR") == "12,000 EUR"
    assert formatting.money(99.5, None) == "99.50"
    assert formatting.plural(1, "contact") == "1 contact"
    assert formatting.plural(2500, "contact") == "2,500 contacts"


def test_person_url() -> None:
    assert (
        person_url("acme", "https://api.pipedrive.com", 7) == "https://acme.pipedrive.com/person/7"
    )
    assert person_url("acme.pipedrive.com", "", 7) == "https://acme.pipedrive.com/person/7"
    assert person_url("", "https://api.pipedrive.com", 7) == "https://app.pipedrive.com/person/7"
    assert person_url("", "http://127.0.0.1:8080", 7) == "http://127.0.0.1:8080/person/7"


def test_tel_and_mailto_urls() -> None:
    assert tel_url("+49 (170) 000-02.41") == "tel:+491700000241"
    assert tel_url("0170 1234") == "tel:01701234"
    assert tel_url("n/a") is None
    assert mailto_url(" anna@example.com ") == "mailto:anna@example.com"
    assert mailto_url("not an address") is None
    assert mailto_url("a@b.c?cc=x@evil.example") is None


def test_ramp_runs_from_cold_blue_to_hot_red() -> None:
    cold, hot = warmness_color(0), warmness_color(10)
    assert cold.blue() > cold.red()
    assert hot.red() > hot.blue()
    assert warmness_color(-5) == cold
    assert warmness_color(42) == hot
    reds = [warmness_color(score).red() for score in range(11)]
    assert reds[3] < reds[4]  # the band changes between 3 and 4
    assert [band_name(s) for s in (0, 3, 4, 6, 7, 10)] == ["cold"] * 2 + ["warm"] * 2 + ["hot"] * 2


def test_paint_warmness_draws_the_ramp_colour(qapp: Any) -> None:
    image = QImage(120, 20, QImage.Format.Format_ARGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    paint_warmness(painter, QRectF(0, 0, 120, 20), 10, QApplication.palette())
    painter.end()
    hot = warmness_color(10)
    pixel = image.pixelColor(22 + 8 + 20, 10)
    assert abs(pixel.red() - hot.red()) < 10
    assert abs(pixel.blue() - hot.blue()) < 10


def test_status_texts() -> None:
    never = SyncStatus(None, None, None, False)
    synced = SyncStatus(NOW - timedelta(minutes=4), "incremental", None, False)
    failed = SyncStatus(NOW - timedelta(hours=2), "incremental", "boom", False)
    assert sync_text(never, NOW, offline=False, running=False) == "Never synced"
    assert sync_text(synced, NOW, offline=False, running=False) == "Synced 4 min ago"
    assert sync_text(synced, NOW, offline=True, running=False) == "Offline, last synced 4 min ago"
    assert sync_text(failed, NOW, offline=False, running=False).startswith("Last sync failed")
    assert sync_text(synced, NOW, offline=False, running=True) == "Syncing…"
    assert performance_text(Performance(1.234, False, 2.0)) == "Query 1.2 ms (SQLite)"
    assert performance_text(Performance(0.01, True, 0.1)) == "Query 0.0 ms (cache)"
    assert progress_text("persons", 1500, None) == "Contacts: 1,500"
    assert progress_text("scores", 10, 500) == "Warmness scores: 10 of 500"


def test_palette_text_is_used_not_fixed_colours(qapp: Any) -> None:
    palette = QPalette(QApplication.palette())
    palette.setColor(QPalette.ColorRole.Text, QColor(1, 2, 3))
    image = QImage(120, 20, QImage.Format.Format_ARGB32)
    image.fill(QColor(255, 255, 255))
    painter = QPainter(image)
    paint_warmness(painter, QRectF(0, 0, 120, 20), 0, palette)
    painter.end()
    darkest = min(
        (image.pixelColor(x, y) for x in range(0, 22) for y in range(20)),
        key=lambda c: c.red() + c.green() + c.blue(),
    )
    assert darkest.red() < 60


def _dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Base, "#1e1e20"),
        (QPalette.ColorRole.Text, "#e6e6e6"),
        (QPalette.ColorRole.Highlight, "#3d6fb6"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
    ):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.mark.parametrize("checked", [False, True])
@pytest.mark.parametrize("selected", [False, True])
def test_campaign_box_stands_out_on_a_dark_palette(
    qapp: Any, checked: bool, selected: bool
) -> None:
    palette = _dark_palette()
    background_role = QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base
    background = palette.color(background_role)
    image = QImage(24, 24, QImage.Format.Format_ARGB32)
    image.fill(background)
    painter = QPainter(image)
    paint_check(painter, QRectF(4, 4, 16, 16), checked, palette, selected)
    painter.end()
    # The box's outline (or fill) differs from the row behind it by a clear margin.
    contrast = max(
        abs(image.pixelColor(x, y).lightness() - background.lightness())
        for x in range(24)
        for y in range(24)
    )
    assert contrast > 100


class _CountingModel(QStandardItemModel):
    """A campaign box and a warmness score per row; counts the questions asked per column."""

    def __init__(self, rows: int) -> None:
        super().__init__(rows, 4)
        self.asked: Counter[int] = Counter()
        for row in range(rows):
            box = QStandardItem()
            box.setCheckable(True)
            box.setCheckState(Qt.CheckState.Checked if row % 2 else Qt.CheckState.Unchecked)
            self.setItem(row, 0, box)
            score = QStandardItem()
            score.setData((row % 11, 0), WARMNESS_CELL_ROLE)
            self.setItem(row, 3, score)

    def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        self.asked[index.column()] += 1
        return super().data(index, role)


def test_box_and_warmness_cells_ask_one_question_each_and_draw_as_before(qapp: Any) -> None:
    """A search repaints every visible cell: the box and bar cells read one value each (not
    every role) and reuse their drawing, which still matches painting them afresh."""
    from PySide6.QtWidgets import QTableView

    from pipedriven_desktop.ui.table_delegates import CampaignDelegate
    from pipedriven_desktop.ui.warmness_delegate import WarmnessDelegate

    model = _CountingModel(rows=6)
    view = QTableView()
    view.setModel(model)
    view.setItemDelegateForColumn(0, CampaignDelegate(view))
    view.setItemDelegateForColumn(3, WarmnessDelegate(view))
    view.setColumnWidth(3, WarmnessDelegate.WIDTH)
    view.resize(600, 300)
    view.grab()
    model.asked.clear()
    first = view.grab().toImage()
    assert model.asked[0] == 6
    assert model.asked[3] == 6
    second = view.grab().toImage()
    assert first == second
    # The cached warmness cell equals paint_warmness on the same background.
    cell = view.visualRect(model.index(5, 3))
    expected = QImage(cell.size(), QImage.Format.Format_ARGB32_Premultiplied)
    expected.fill(Qt.GlobalColor.transparent)
    painter = QPainter(expected)
    painter.setFont(view.font())
    rect = QRectF(0, 0, cell.width(), cell.height()).adjusted(4, 0, -8, 0)
    paint_warmness(painter, rect, 5, view.palette())
    painter.end()
    shown = first.copy(cell.translated(view.viewport().pos()))
    bar_pixel = shown.pixelColor(22 + 8 + 10, cell.height() // 2)
    assert bar_pixel == expected.pixelColor(22 + 8 + 10, cell.height() // 2)


def test_a_score_that_moved_this_week_shows_a_warm_or_cold_arrow_after_its_bar(qapp: Any) -> None:
    from PySide6.QtWidgets import QTableView

    from pipedriven_desktop.ui.warmness_delegate import WarmnessDelegate

    model = QStandardItemModel(3, 1)
    for row, move in enumerate((2, 0, -3)):
        item = QStandardItem()
        item.setData((5, move), WARMNESS_CELL_ROLE)
        model.setItem(row, 0, item)
    view = QTableView()
    view.setModel(model)
    view.setItemDelegateForColumn(0, WarmnessDelegate(view))
    view.setColumnWidth(0, WarmnessDelegate.WIDTH)
    view.resize(300, 200)
    image = view.grab().toImage()

    def arrow_colours(row: int) -> list[QColor]:
        cell = view.visualRect(model.index(row, 0)).translated(view.viewport().pos())
        start = cell.left() + PADDING // 2 + TEXT_WIDTH + PADDING + BAR_WIDTH + 2
        background = image.pixelColor(cell.right() - 1, cell.top() + 1)
        return [
            colour
            for x in range(start, cell.right() - 2)
            for y in range(cell.top() + 2, cell.bottom() - 2)
            if (colour := image.pixelColor(x, y)) != background
        ]

    up, still, down = arrow_colours(0), arrow_colours(1), arrow_colours(2)
    assert still == []
    assert up
    assert max(colour.red() - colour.blue() for colour in up) > 60
    assert down
    assert max(colour.blue() - colour.red() for colour in down) > 60


def test_the_weekly_move_in_words_for_the_tooltip() -> None:
    from pipedriven_desktop.ui.formatting import score_move_text

    assert score_move_text(0) == ""
    assert score_move_text(2) == " · up 2 since last week"
    assert score_move_text(-3) == " · down 3 since last week"
