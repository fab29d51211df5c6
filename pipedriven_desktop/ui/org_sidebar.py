"""The organization sidebar: pick All contacts, No organization or one organization.

The choice is remembered by key, not by row, so it survives the list being re-read after
a sync or narrowed by the sidebar's own filter box.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.org_sidebar_model import (
    ALL_CONTACTS,
    KEY_ROLE,
    OrgSidebarModel,
    SidebarColumn,
)
from pipedriven_desktop.ui.style import heading
from pipedriven_desktop.ui.table_delegates import RowDelegate

FILTER_DEBOUNCE_MS = 120
SIDEBAR_WIDTH = 240
SIDEBAR_MIN_WIDTH = 190


class OrgSidebar(QWidget):
    """Organizations with the counts of the contacts in scope; a click narrows the table.

    In My-500 only the user's contacts are counted and organizations without any are
    left out, so a count is what the table shows once the organization is chosen.
    """

    #: the chosen key: ALL_CONTACTS, NO_ORGANIZATION or an organization id
    selection_changed = Signal(str)
    #: the "Possible duplicates" entry was clicked
    duplicates_requested = Signal()

    def __init__(self, queries: OrgQueries, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._queries = queries
        self._scope = ContactFilter()
        self._selected = ALL_CONTACTS
        self.model = OrgSidebarModel(self)

        title = QLabel("Organizations")
        heading(title, 1.0)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("orgFilter")
        self.filter_edit.setPlaceholderText("Filter organizations")
        self.filter_edit.setClearButtonEnabled(True)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(FILTER_DEBOUNCE_MS)
        self._debounce.timeout.connect(self.refresh)
        self.filter_edit.textChanged.connect(lambda _text: self._debounce.start())

        # A table view, not a tree: it lays out 20,000 uniform rows without visiting them.
        self.view = QTableView()
        self.view.setObjectName("orgList")
        self.view.setModel(self.model)
        self.view.setItemDelegate(RowDelegate(self.view))
        self.view.setShowGrid(False)
        self.view.setWordWrap(False)
        self.view.setCornerButtonEnabled(False)
        self.view.horizontalHeader().setVisible(False)
        rows = self.view.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(SidebarColumn.NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(SidebarColumn.COUNT, QHeaderView.ResizeMode.Fixed)
        self._fit_count_column(999)
        self.view.selectionModel().currentRowChanged.connect(self._on_current_changed)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.view, 1)

        self.duplicates_button = QPushButton("Possible duplicates")
        self.duplicates_button.setObjectName("duplicatesButton")
        self.duplicates_button.setFlat(True)
        self.duplicates_button.setToolTip("Review organizations that may be the same company")
        self.duplicates_button.clicked.connect(self.duplicates_requested)
        self.duplicates_button.hide()
        layout.addWidget(self.duplicates_button)

    def sizeHint(self) -> QSize:
        return QSize(SIDEBAR_WIDTH, 600)

    def minimumSizeHint(self) -> QSize:
        # Room for a typical organization name and its count: narrower, and names vanish.
        return QSize(SIDEBAR_MIN_WIDTH, super().minimumSizeHint().height())

    @property
    def selected_key(self) -> str:
        return self._selected

    def set_scope(self, scope: ContactFilter) -> None:
        """The contacts the fixed entries count (My-500 or everyone); re-reads the list."""
        self._scope = ContactFilter(owner_id=scope.owner_id)
        self.refresh()

    def refresh(self) -> None:
        """Re-read counts and organizations, keeping the chosen entry."""
        counts = self._queries.sidebar(self._scope.owner_id, self.filter_edit.text())
        self.model.set_data(
            counts.all_count,
            counts.no_organization,
            counts.organizations,
            scoped=self._scope.owner_id is not None,
        )
        self._fit_count_column(counts.all_count)
        self.set_duplicate_count(self._queries.open_suggestion_count())
        if self.model.row_of(self._selected) is None and not self.filter_edit.text().strip():
            self._set_selected(ALL_CONTACTS)  # the organization is gone from the mirror
        self._show_selected()

    def set_duplicate_count(self, count: int) -> None:
        """The badge on the duplicates entry; hidden when there is nothing to review."""
        self.duplicates_button.setText(f"Possible duplicates  ({formatting.count(count)})")
        self.duplicates_button.setVisible(count > 0)

    def _fit_count_column(self, largest: int) -> None:
        """As wide as the widest count (All contacts', or No organization's with its share,
        in bold): the names get the rest."""
        font = QFont(self.view.font())
        font.setWeight(QFont.Weight.DemiBold)
        metrics = QFontMetrics(font)
        texts = (formatting.count(largest), self.model.count_text(1))
        width = max(metrics.horizontalAdvance(text) for text in texts) + 14
        self.view.horizontalHeader().resizeSection(SidebarColumn.COUNT, width)

    def select(self, key: str) -> None:
        """Choose an entry from elsewhere (e.g. the detail pane's organization link)."""
        if self.model.row_of(key) is None and self.filter_edit.text():
            self.filter_edit.blockSignals(True)
            self.filter_edit.clear()
            self.filter_edit.blockSignals(False)
            self.refresh()
        self._set_selected(key)
        self._show_selected()

    def _set_selected(self, key: str) -> None:
        if key != self._selected:
            self._selected = key
            self.selection_changed.emit(key)

    def _show_selected(self) -> None:
        row = self.model.row_of(self._selected)
        selection = self.view.selectionModel()
        selection.blockSignals(True)
        try:
            if row is None:
                selection.clear()
            else:
                index = self.model.index(row, SidebarColumn.NAME)
                selection.setCurrentIndex(
                    index,
                    QItemSelectionModel.SelectionFlag.ClearAndSelect
                    | QItemSelectionModel.SelectionFlag.Rows,
                )
                self.view.scrollTo(index)
        finally:
            selection.blockSignals(False)
        self.view.viewport().update()

    def _on_current_changed(
        self, current: QModelIndex, _previous: QModelIndex | QPersistentModelIndex
    ) -> None:
        if current.isValid():
            self._set_selected(str(current.data(KEY_ROLE)))
