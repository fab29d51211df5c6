"""The Insights charts (QtCharts), drawn in the palette's colours so light and dark both read.

The warmness bands keep the colours of the filter bar's chips and of the table's bars.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time

from PySide6.QtCharts import (
    QAreaSeries,
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QHorizontalBarSeries,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QWidget

from pipedriven_desktop.domain.warmness import SCORE_MAX, WarmnessBand
from pipedriven_desktop.ui.warmness_delegate import warmness_color

BAND_LABELS = {WarmnessBand.COLD: "Cold", WarmnessBand.WARM: "Warm", WarmnessBand.HOT: "Hot"}
#: Activity types in a steady order and colour; others follow in the palette's turn.
TYPE_COLORS = {
    "call": "#4e79a7",
    "meeting": "#f28e2b",
    "email": "#59a14f",
    "task": "#b07aa1",
    "deadline": "#e15759",
    "lunch": "#edc948",
}
SPARE_COLORS = ("#76b7b2", "#ff9da7", "#9c755f", "#bab0ac")


def band_color(band: WarmnessBand) -> QColor:
    return warmness_color((band.low + band.high) / 2)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class ChartCard(QChartView):
    """A chart view that follows the palette; ``placeholder`` text until figures arrive."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        chart = QChart()
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        super().__init__(chart, parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(220)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._title = title
        self.placeholder("Counting…")

    def placeholder(self, text: str) -> None:
        chart = self.chart()
        self._clear()
        chart.setTitle(f"{self._title} — {text}")
        self._style()

    def _clear(self) -> None:
        chart = self.chart()
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)

    def _style(self) -> None:
        """Theme first (it resets colours), then the palette's text and background."""
        palette = self.palette()
        chart = self.chart()
        text = palette.color(QPalette.ColorRole.WindowText)
        grid = palette.color(QPalette.ColorRole.Mid)
        chart.setBackgroundBrush(palette.color(QPalette.ColorRole.Base))
        chart.setBackgroundPen(palette.color(QPalette.ColorRole.Mid))
        chart.setBackgroundRoundness(6)
        chart.setMargins(QMargins(6, 6, 6, 6))
        chart.setTitleBrush(text)
        title_font = chart.titleFont()
        title_font.setBold(True)
        title_font.setPointSizeF(max(self.font().pointSizeF(), 9.0))
        chart.setTitleFont(title_font)
        chart.legend().setLabelColor(text)
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        for axis in chart.axes():
            axis.setLabelsColor(text)
            axis.setGridLineColor(grid)
            axis.setLinePenColor(grid)
            axis.setTitleBrush(text)
        self.setBackgroundBrush(palette.color(QPalette.ColorRole.Window))

    def _theme(self) -> None:
        dark = is_dark(self.palette())
        self.chart().setTheme(
            QChart.ChartTheme.ChartThemeDark if dark else QChart.ChartTheme.ChartThemeLight
        )


def _value_axis(maximum: float) -> QValueAxis:
    axis = QValueAxis()
    axis.setRange(0, max(1.0, maximum * 1.08))
    axis.setLabelFormat("%d")
    axis.applyNiceNumbers()
    return axis


class WarmnessBars(ChartCard):
    """Contacts per score 0..10, each bar in its band's colour; a click asks for the band."""

    band_clicked = Signal(object)

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.series: QStackedBarSeries | None = None

    def set_mix(self, mix: Sequence[int]) -> None:
        self._clear()
        self._theme()
        chart = self.chart()
        total = sum(mix)
        chart.setTitle(f"{self._title} — {total:,} contacts")
        series = QStackedBarSeries()
        series.setBarWidth(0.8)
        for band in WarmnessBand:
            bars = QBarSet(f"{BAND_LABELS[band]} {band.low}–{band.high}")
            bars.append([float(mix[s]) if band.low <= s <= band.high else 0.0 for s in _scores()])
            bars.setColor(band_color(band))
            bars.setBorderColor(band_color(band))
            series.append(bars)
        series.clicked.connect(lambda index, _bars: self.band_clicked.emit(WarmnessBand.of(index)))
        chart.addSeries(series)
        scores = QBarCategoryAxis()
        scores.append([str(s) for s in _scores()])
        scores.setTitleText("warmness score")
        chart.addAxis(scores, Qt.AlignmentFlag.AlignBottom)
        counts = _value_axis(max(mix, default=0))
        chart.addAxis(counts, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(scores)
        series.attachAxis(counts)
        self.series = series
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click a bar to show that band's contacts in the table")
        self._style()

    def bar_position(self, score: int) -> QPointF:
        """Where the bar of ``score`` is drawn, in view coordinates (for a click)."""
        assert self.series is not None
        height = sum(bars.at(score) for bars in self.series.barSets())
        point = self.chart().mapToPosition(QPointF(score, height / 2), self.series)
        return QPointF(self.mapFromScene(self.chart().mapToScene(point)))


class WarmnessHistory(ChartCard):
    """My-500's mix per day as stacked areas: cold at the bottom, hot on top."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self._lines: list[QLineSeries] = []

    def set_history(self, days: Sequence[tuple[date, Sequence[int]]]) -> None:
        if len(days) < 2:
            self.placeholder(
                "a snapshot is kept each day after scoring; the chart starts with the second"
            )
            return
        self._clear()
        self._lines = []
        self._theme()
        chart = self.chart()
        chart.setTitle(f"{self._title} — last {len(days)} days with a snapshot")
        lower: QLineSeries | None = None
        running = [0] * len(days)
        axis_x = QDateTimeAxis()
        axis_x.setFormat("d MMM")
        axis_x.setTickCount(min(7, len(days)))
        highest = max(sum(mix) for _day, mix in days)
        axis_y = _value_axis(highest)
        chart.addAxis(axis_x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(axis_y, Qt.AlignmentFlag.AlignLeft)
        for band in WarmnessBand:
            upper = QLineSeries()
            for index, (day, mix) in enumerate(days):
                running[index] += sum(mix[band.low : band.high + 1])
                upper.append(_msecs(day), running[index])
            # The area keeps pointers to its lines, not the lines: they are kept here.
            self._lines.append(upper)
            area = QAreaSeries(upper, lower) if lower is not None else QAreaSeries(upper)
            area.setName(BAND_LABELS[band])
            area.setColor(band_color(band))
            area.setBorderColor(band_color(band).darker(115))
            chart.addSeries(area)
            area.attachAxis(axis_x)
            area.attachAxis(axis_y)
            lower = QLineSeries()
            lower.append(upper.points())
            self._lines.append(lower)
        axis_x.setRange(
            QDateTime.fromMSecsSinceEpoch(int(_msecs(days[0][0]))),
            QDateTime.fromMSecsSinceEpoch(int(_msecs(days[-1][0]))),
        )
        self._style()


class TopOrganizations(ChartCard):
    """The organizations holding most of my contacts, with their average warmness."""

    def set_organizations(self, rows: Sequence[tuple[str, int, float]]) -> None:
        if not rows:
            self.placeholder("no contact is linked to an organization")
            return
        self._clear()
        self._theme()
        chart = self.chart()
        chart.setTitle(f"{self._title} — contacts, average warmness")
        bars = QBarSet("My contacts")
        names = QBarCategoryAxis()
        labels = []
        for name, contacts, average in reversed(rows):  # the largest on top
            bars.append(float(contacts))
            short = name if len(name) <= 28 else name[:27] + "…"
            labels.append(f"{short} · {average:.1f}")
        palette = self.palette()
        bars.setColor(palette.color(QPalette.ColorRole.Highlight))
        bars.setBorderColor(palette.color(QPalette.ColorRole.Highlight))
        bars.setLabelColor(palette.color(QPalette.ColorRole.WindowText))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        series.setLabelsPosition(QHorizontalBarSeries.LabelsPosition.LabelsInsideEnd)
        bars.setLabelColor(palette.color(QPalette.ColorRole.HighlightedText))
        chart.addSeries(series)
        names.append(labels)
        chart.addAxis(names, Qt.AlignmentFlag.AlignLeft)
        counts = _value_axis(max(c for _n, c, _a in rows))
        chart.addAxis(counts, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(names)
        series.attachAxis(counts)
        chart.legend().hide()
        self._style()


class ActivityByWeek(ChartCard):
    """Activities per week, stacked by type."""

    def set_weeks(self, starts: Sequence[date], by_type: Mapping[str, Sequence[int]]) -> None:
        if not any(sum(counts) for counts in by_type.values()):
            self.placeholder("no activity of My-500 due in the last 12 weeks")
            return
        self._clear()
        self._theme()
        chart = self.chart()
        total = sum(sum(counts) for counts in by_type.values())
        chart.setTitle(f"{self._title} — {total:,} in 12 weeks")
        series = QStackedBarSeries()
        spare = iter(SPARE_COLORS * 4)
        for kind in sorted(by_type, key=lambda k: (k not in TYPE_COLORS, k)):
            bars = QBarSet(kind)
            bars.append([float(v) for v in by_type[kind]])
            color = QColor(TYPE_COLORS.get(kind) or next(spare, "#888888"))
            bars.setColor(color)
            bars.setBorderColor(color)
            series.append(bars)
        chart.addSeries(series)
        weeks = QBarCategoryAxis()
        weeks.append([f"{d.day} {d.strftime('%b')}" for d in starts])
        chart.addAxis(weeks, Qt.AlignmentFlag.AlignBottom)
        week_totals = [sum(counts[i] for counts in by_type.values()) for i in range(len(starts))]
        counts_axis = _value_axis(max(week_totals, default=0))
        chart.addAxis(counts_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(weeks)
        series.attachAxis(counts_axis)
        self._style()


def _scores() -> range:
    return range(SCORE_MAX + 1)


def _msecs(day: date) -> float:
    return datetime.combine(day, time()).timestamp() * 1000
