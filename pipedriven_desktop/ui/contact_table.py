"""The contact table: a headline ("My-500: 487 of 500") over a fast, paged table view.

Keys: Space toggles the campaign flag of the current contact, Enter asks to open it in
Pipedrive. A refresh keeps the selected contact and the scroll position.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.rows import ContactRow
from pipedriven_desktop.ui.contact_table_model import Column, ContactTableModel
from pipedriven_desktop.ui.style import heading, muted
from pipedriven_desktop.ui.table_delegates import CampaignDelegate, RowDelegate
from pipedriven_desktop.ui.warmness_delegate import WarmnessDelegate

#: Starting widths, as the text a typical cell holds; the user's own widths win afterwards.
COLUMN_SAMPLES: dict[Column, str] = {
    Column.NAME: "Małgorzata Kowalczyk",
    Column.ORGANIZATION: "Zürcher Feinmechanik AG",
    Column.LAST_CONTACTED: "11 months ago",
    Column.EMAIL: "margaret.obrien@example.com",
    Column.PHONE: "+49 170 0000000",
    Column.NEXT_ACTIVITY: "Next activity",
}
CELL_PADDING = 18
#: Columns that give up width when the view is narrow, never below FLEX_MIN pixels.
FLEX_COLUMNS = (Column.NAME, Column.ORGANIZATION, Column.EMAIL)
FLEX_MIN = 110


class ContactTableView(QTableView):
    """The table itself; tells once when it first painted rows (start-up is measured to it)."""

    first_painted = Signal()
    toggle_requested = Signal()
    open_requested = Signal()
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._painted_rows = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        model = self.model()
        if not self._painted_rows and model is not None and model.rowCount() > 0:
            self._painted_rows = True
            self.first_painted.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_Space and not event.modifiers():
            self.toggle_requested.emit()
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class ContactTable(QWidget):
    """Headline plus table, bound to a ``ContactTableModel``."""

    #: the contact now current (None when nothing is)
    current_changed = Signal(object)
    #: the user asked to open this contact in Pipedrive
    open_requested = Signal(object)

    def __init__(self, model: ContactTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._current_id: str | None = None

        self.headline = QLabel("My-500")
        self.headline.setObjectName("headline")
        heading(self.headline, 1.35)
        self.subline = QLabel("")
        self.subline.setObjectName("subline")
        muted(self.subline)

        self.view = ContactTableView(self)
        self.view.setObjectName("contactTable")
        self.view.setModel(model)
        self._configure_view()

        heading_row = QHBoxLayout()
        heading_row.setContentsMargins(2, 0, 2, 0)
        heading_row.addWidget(self.headline)
        heading_row.addSpacing(10)
        heading_row.addWidget(self.subline, 0, Qt.AlignmentFlag.AlignBaseline)
        heading_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(heading_row)
        layout.addWidget(self.view, 1)

        selection = self.view.selectionModel()
        selection.currentRowChanged.connect(self._on_current_row_changed)
        model.modelAboutToBeReset.connect(self._remember_position)
        self._saved_scroll = 0
        self._saved_id: str | None = None
        self._restore_after_reset = False
        model.modelReset.connect(self._restore_position)
        self.view.toggle_requested.connect(self.toggle_current_campaign)
        self.view.open_requested.connect(self._open_current)
        self.view.doubleClicked.connect(self._on_double_clicked)

    def _configure_view(self) -> None:
        view = self.view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setCornerButtonEnabled(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setItemDelegate(RowDelegate(view))
        view.setItemDelegateForColumn(Column.CAMPAIGN, CampaignDelegate(view))
        view.setItemDelegateForColumn(Column.WARMNESS, WarmnessDelegate(view))

        rows = view.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 14)
        rows.setMinimumSectionSize(view.fontMetrics().height() + 4)

        header = view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(False)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setMinimumSectionSize(28)
        metrics = view.fontMetrics()
        self._ideal_widths = {
            column: metrics.horizontalAdvance(sample) + CELL_PADDING
            for column, sample in COLUMN_SAMPLES.items()
        }
        self._ideal_widths[Column.WARMNESS] = WarmnessDelegate.WIDTH
        self._ideal_widths[Column.CAMPAIGN] = max(36, metrics.height() + 20)
        self._fitting = False
        self._user_sized = False
        self._fit_columns()
        header.setSectionResizeMode(Column.CAMPAIGN, QHeaderView.ResizeMode.Fixed)
        header.sectionResized.connect(self._on_section_resized)
        view.resized.connect(self._fit_columns)
        view.setSortingEnabled(True)

    def _fit_columns(self) -> None:
        """Ideal widths when they fit; otherwise the flexible columns give up the difference."""
        if self._user_sized:
            return
        widths = dict(self._ideal_widths)
        available = self.view.viewport().width()
        overflow = sum(widths.values()) - available
        if overflow > 0 and available > 0:
            flexible = sum(widths[column] - FLEX_MIN for column in FLEX_COLUMNS)
            if flexible > 0:
                share = min(1.0, overflow / flexible)
                for column in FLEX_COLUMNS:
                    widths[column] -= math.ceil((widths[column] - FLEX_MIN) * share)
        self._fitting = True
        try:
            for column, width in widths.items():
                if column == Column.NEXT_ACTIVITY and overflow <= 0:
                    continue  # the last column stretches into the room left
                if self.view.columnWidth(column) != width:
                    self.view.setColumnWidth(column, width)
        finally:
            self._fitting = False

    def _on_section_resized(self, _index: int, _old: int, _new: int) -> None:
        header = self.view.horizontalHeader()
        if not self._fitting and header.underMouse():
            self._user_sized = True

    # -- public ---------------------------------------------------------------------------------

    def set_headline(self, headline: str, subline: str = "") -> None:
        self.headline.setText(headline)
        self.subline.setText(subline)
        self.subline.setVisible(bool(subline))

    def current_contact(self) -> ContactRow | None:
        index = self.view.currentIndex()
        return self.model.row(index.row()) if index.isValid() else None

    def select_contact(self, contact_id: str) -> bool:
        """Make the contact current (and selected) if the model holds it."""
        row = self.model.row_of(contact_id)
        if row is None:
            return False
        self._select_row(row)
        return True

    def select_first(self) -> None:
        if self.model.rowCount() > 0:
            self._select_row(0)

    def _select_row(self, row: int) -> None:
        self.view.selectionModel().setCurrentIndex(
            self.model.index(row, Column.NAME),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def reload(self) -> None:
        """Re-read the rows (after a sync), keeping the selected contact and the scroll."""
        self._restore_after_reset = True
        try:
            self.model.reload()
        finally:
            self._restore_after_reset = False

    def toggle_current_campaign(self) -> None:
        index = self.view.currentIndex()
        if index.isValid():
            self.model.toggle_campaign(index.row())

    # -- slots ----------------------------------------------------------------------------------

    def _remember_position(self) -> None:
        self._saved_scroll = self.view.verticalScrollBar().value()
        self._saved_id = self._current_id

    def _restore_position(self) -> None:
        previous = self._saved_id
        self._current_id = None
        found = previous is not None and self.select_contact(previous)
        if self._restore_after_reset:
            self.view.doItemsLayout()
            self.view.verticalScrollBar().setValue(self._saved_scroll)
        elif found:
            self.view.scrollTo(self.view.currentIndex())
        else:
            self.view.scrollToTop()
        if previous is not None and not found:
            self.current_changed.emit(None)

    def _on_current_row_changed(
        self, current: QModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        row = self.model.row(current.row()) if current.isValid() else None
        new_id = row.id if row is not None else None
        if new_id == self._current_id:
            return
        self._current_id = new_id
        self.current_changed.emit(row)

    def _on_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and index.column() != Column.CAMPAIGN:
            row = self.model.row(index.row())
            if row is not None:
                self.open_requested.emit(row)

    def _open_current(self) -> None:
        row = self.current_contact()
        if row is not None:
            self.open_requested.emit(row)
