"""The Insights window: how warm My-500 is, where it sits, and how the app performs.

It opens at once with every section saying "Counting…"; the figures are computed off
the UI thread (``loader.py``) and each section fills in as its figures arrive. A click on
a warmness bar (or its keyboard twin, the band buttons) asks the main window to show
that band in the table.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.domain.warmness import WarmnessBand
from pipedriven_desktop.store import insights
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.insights.charts import (
    BAND_LABELS,
    ActivityByWeek,
    TopOrganizations,
    WarmnessBars,
    WarmnessHistory,
)
from pipedriven_desktop.ui.insights.loader import InsightsLoader
from pipedriven_desktop.ui.insights.tables import (
    fill_table,
    muted_label,
    read_only_table,
    share,
)
from pipedriven_desktop.ui.style import heading

if TYPE_CHECKING:
    from pipedriven_desktop.ui.insights.monitoring import MonitoringPage

DEFAULT_SIZE = (1180, 780)


class _BandButtons(QWidget):
    """The keyboard's way to a bar: "Show in the table: Cold Warm Hot"."""

    clicked = Signal(object)

    def __init__(self, scope: str) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = muted_label(f"Show {scope} in the table:")
        layout.addWidget(label)
        self.buttons: dict[WarmnessBand, QPushButton] = {}
        for band in WarmnessBand:
            button = QPushButton(f"{BAND_LABELS[band]} {band.low}–{band.high}")
            button.setAutoDefault(False)
            button.clicked.connect(lambda _checked=False, b=band: self.clicked.emit(b))
            layout.addWidget(button)
            self.buttons[band] = button
        layout.addStretch(1)


class WarmnessPage(QWidget):
    band_requested = Signal(object, bool)

    def __init__(self) -> None:
        super().__init__()
        self.my500 = WarmnessBars("My-500 by warmness")
        self.everyone = WarmnessBars("All contacts by warmness")
        self.history = WarmnessHistory("My-500 over time")
        self.my500_buttons = _BandButtons("My-500")
        self.everyone_buttons = _BandButtons("all contacts")
        grid = QGridLayout(self)
        grid.addWidget(self.my500, 0, 0)
        grid.addWidget(self.everyone, 0, 1)
        grid.addWidget(self.my500_buttons, 1, 0)
        grid.addWidget(self.everyone_buttons, 1, 1)
        grid.addWidget(self.history, 2, 0, 1, 2)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(2, 2)
        self.my500.band_clicked.connect(lambda band: self.band_requested.emit(band, False))
        self.everyone.band_clicked.connect(lambda band: self.band_requested.emit(band, True))
        self.my500_buttons.clicked.connect(lambda band: self.band_requested.emit(band, False))
        self.everyone_buttons.clicked.connect(lambda band: self.band_requested.emit(band, True))

    def show_figures(self, figures: insights.WarmnessSection) -> None:
        self.my500.set_mix(figures.mix.my500)
        self.everyone.set_mix(figures.mix.all_contacts)
        self.history.set_history([(day.day, day.my500) for day in figures.history])


class OrganizationsPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.coverage = QLabel("Organization coverage: counting…")
        heading(self.coverage, 1.25)
        self.coverage.setObjectName("coverage")
        self.coverage_detail = muted_label("")
        self.campaign = QLabel("Campaign: counting…")
        heading(self.campaign, 1.1)
        self.campaign.setObjectName("campaignFigures")
        self.campaign_detail = muted_label("")
        self.campaign_detail.setWordWrap(True)
        self.top = TopOrganizations("Organizations with most of my contacts")
        self.quiet_title = QLabel("Hot contacts, no activity for 30 days")
        heading(self.quiet_title)
        self.quiet = read_only_table(["Organization", "Hot contacts of mine", "Last activity"])
        self.quiet.setObjectName("quietOrganizations")
        figures = QVBoxLayout()
        figures.addWidget(self.coverage)
        figures.addWidget(self.coverage_detail)
        figures.addSpacing(12)
        figures.addWidget(self.campaign)
        figures.addWidget(self.campaign_detail)
        figures.addSpacing(12)
        figures.addWidget(self.quiet_title)
        figures.addWidget(self.quiet, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(figures, 2)
        layout.addWidget(self.top, 3)

    def show_organizations(self, figures: insights.OrganizationFigures) -> None:
        target = insights.TARGETS["organization_coverage"]
        coverage = figures.coverage
        mark = "" if coverage is None else (" ✓" if coverage > target else " ✗")
        self.coverage.setText(f"Organization coverage: {share(coverage)}{mark}")
        self.coverage_detail.setText(
            f"{formatting.count(figures.linked)} of "
            f"{formatting.plural(figures.contacts, 'contact')} in My-500 are linked to an"
            f" organization · target > {share(target)}"
        )
        self.top.set_organizations([(o.name, o.contacts, o.average_warmness) for o in figures.top])
        fill_table(
            self.quiet,
            [
                (
                    o.name,
                    formatting.count(o.hot_contacts),
                    o.last_activity.strftime("%-d %b %Y") if o.last_activity else "never",
                )
                for o in figures.quiet_hot
            ],
        )

    def show_campaign(self, figures: insights.CampaignFigures) -> None:
        bands = insights.band_counts(figures.mix)
        self.campaign.setText(f"Campaign: {formatting.plural(figures.flagged, 'contact')} flagged")
        mix = ", ".join(
            f"{formatting.count(count)} {BAND_LABELS[band].lower()}"
            for band, count in bands.items()
        )
        self.campaign_detail.setText(
            f"{mix} · {formatting.count(figures.stale)} not contacted for "
            f"{insights.CAMPAIGN_STALE_DAYS} days or more"
        )


class ActivityPage(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.chart = ActivityByWeek("Activities of My-500 per week, by type")
        layout = QVBoxLayout(self)
        layout.addWidget(self.chart)

    def show_figures(self, figures: insights.ActivityWeeks) -> None:
        self.chart.set_weeks(figures.week_starts, figures.by_type)


#: Which page shows which section's figures.
_PAGE_OF_SECTION = {
    "warmness": "warmness",
    "organizations": "organizations",
    "campaign": "organizations",
    "activity": "activity",
    "monitoring": "monitoring",
}
_PAGES = (
    ("warmness", "&Warmness"),
    ("organizations", "&Organizations && campaign"),
    ("activity", "&Activity"),
    ("monitoring", "&Monitoring"),
)


class InsightsWindow(QWidget):
    """A window of its own (it closes with the main window, its parent).

    A tab's charts are built when the tab is first shown, so opening the window builds
    only the first tab; figures that arrive for a tab not built yet wait for it.
    """

    #: (band, all contacts?): show that band of My-500 or of all contacts in the table
    band_requested = Signal(object, bool)
    #: every section has its figures (for tests and the benchmark)
    loaded = Signal()

    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("insights")
        self.setWindowTitle("Insights")
        self.resize(*DEFAULT_SIZE)
        self.loader = InsightsLoader(db_path, self)
        self.loader.ready.connect(self._on_ready)
        self.loader.failed.connect(self._on_failed)
        self.loader.finished.connect(self._on_finished)
        self._figures: dict[str, object] = {}
        self._painted = False
        self._count_when_painted = False
        self._problem = ""

        title = QLabel("Insights")
        heading(title, 1.4)
        self.updated = muted_label("Counting…")
        self.refresh_button = QPushButton("&Refresh")
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.setToolTip("Count again from the mirror (Ctrl+R)")
        self.refresh_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.updated, 1)
        top.addWidget(self.refresh_button)

        self.warmness: WarmnessPage | None = None
        self.organizations: OrganizationsPage | None = None
        self.activity: ActivityPage | None = None
        self.monitoring: MonitoringPage | None = None
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for _name, label in _PAGES:
            holder = QWidget()
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.tabs.addTab(holder, label)
        self.tabs.currentChanged.connect(self._build_page)
        self._build_page(0)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)

        QShortcut(QKeySequence("Ctrl+R"), self, self.refresh)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)
        QShortcut(QKeySequence("Esc"), self, self.close)

    def refresh(self) -> None:
        """Count every figure again, off the UI thread; once the window has painted, so the
        counting threads do not compete with its first paint."""
        if self.loader.busy():
            return
        if not self._painted:
            self._count_when_painted = True
            return
        self._problem = ""
        self.updated.setText("Counting…")
        self.refresh_button.setEnabled(False)
        self.loader.load(utcnow())

    def refresh_if_shown(self) -> None:
        """After a sync: the figures (sync history first of all) are counted again."""
        if self.isVisible():
            self.refresh()

    def counting(self) -> bool:
        """Figures are asked for and not all arrived yet."""
        return self._count_when_painted or self.loader.busy()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            if self._count_when_painted:
                QTimer.singleShot(0, self._count_now)

    def _count_now(self) -> None:
        self._count_when_painted = False
        self.refresh()

    def _page(self, name: str) -> QWidget | None:
        page: QWidget | None = getattr(self, name)
        return page

    def _build_page(self, index: int) -> None:
        name = _PAGES[index][0]
        if self._page(name) is not None:
            return
        page: QWidget
        if name == "warmness":
            page = self.warmness = WarmnessPage()
            self.warmness.band_requested.connect(self.band_requested)
        elif name == "organizations":
            page = self.organizations = OrganizationsPage()
        elif name == "activity":
            page = self.activity = ActivityPage()
        else:
            from pipedriven_desktop.ui.insights.monitoring import MonitoringPage

            self.monitoring = MonitoringPage()
            page = QScrollArea()  # its tables keep their rows' height: the page scrolls
            page.setWidgetResizable(True)
            page.setFrameShape(QScrollArea.Shape.NoFrame)
            page.setWidget(self.monitoring)
        holder = self.tabs.widget(index)
        layout = holder.layout() if holder is not None else None
        assert layout is not None
        layout.addWidget(page)
        for section, figures in self._figures.items():
            if _PAGE_OF_SECTION[section] == name:
                self._show(section, figures)

    def _on_ready(self, section: str, figures: object) -> None:
        self._figures[section] = figures
        if self._page(_PAGE_OF_SECTION[section]) is not None:
            self._show(section, figures)

    def _show(self, section: str, figures: object) -> None:
        if isinstance(figures, insights.WarmnessSection) and self.warmness is not None:
            self.warmness.show_figures(figures)
        elif isinstance(figures, insights.OrganizationFigures) and self.organizations is not None:
            self.organizations.show_organizations(figures)
        elif isinstance(figures, insights.CampaignFigures) and self.organizations is not None:
            self.organizations.show_campaign(figures)
        elif isinstance(figures, insights.ActivityWeeks) and self.activity is not None:
            self.activity.show_figures(figures)
        elif isinstance(figures, insights.MonitoringSection) and self.monitoring is not None:
            self.monitoring.show_figures(figures)

    def _on_failed(self, section: str, message: str) -> None:
        self._problem = f"The {section} figures could not be counted: {message}"
        self.updated.setText(self._problem)

    def _on_finished(self) -> None:
        self.refresh_button.setEnabled(True)
        if not self._problem:
            self.updated.setText(f"Counted at {datetime.now().strftime('%H:%M')} from the mirror")
        self.loaded.emit()

    def shutdown(self) -> None:
        """Let running counts end before the database closes."""
        self.loader.wait()
