"""The organization sidebar: pick All contacts, No organization or one organization.

The choice is remembered by key, not by row, so it survives the list being re-read after
a sync or narrowed by the sidebar's own filter box.

At start-up the list is read lazily (``load_lazily``): the largest organizations at once
(a screenful, by index), the full list (a pass over every contact in scope) off the UI
thread, shown when it arrives.
"""

from __future__ import annotations

from array import array

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
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_preview import (
    GroupedCounts,
    largest_organizations,
    matching_rowids,
    narrowed,
    organization_names,
    organization_rowid,
)
from pipedriven_desktop.store.org_queries import OrgQueries, SidebarCounts
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.latest_read import LatestRead
from pipedriven_desktop.ui.org_sidebar_model import (
    ALL_CONTACTS,
    KEY_ROLE,
    UNKNOWN_COUNT,
    CompactOrganizations,
    OrgSidebarModel,
    SidebarColumn,
)
from pipedriven_desktop.ui.sidebar_reader import sidebar_reader
from pipedriven_desktop.ui.style import heading
from pipedriven_desktop.ui.table_delegates import RowDelegate

FILTER_DEBOUNCE_MS = 120
SIDEBAR_WIDTH = 240
SIDEBAR_MIN_WIDTH = 190
#: Organizations shown before the full list arrives: more than a tall screen holds.
PREVIEW_ROWS = 80


class OrgSidebar(QWidget):
    """Organizations with the counts of the contacts in scope; a click narrows the table.

    In My-500 only the user's contacts are counted and organizations without any are
    left out, so a count is what the table shows once the organization is chosen.
    """

    #: the chosen key: ALL_CONTACTS, NO_ORGANIZATION or an organization id
    selection_changed = Signal(str)
    #: the "Possible duplicates" entry was clicked
    duplicates_requested = Signal()
    #: the full list read off the UI thread is shown (after ``load_lazily``)
    loaded = Signal()

    def __init__(
        self, queries: OrgQueries, parent: QWidget | None = None, *, db: Database | None = None
    ) -> None:
        super().__init__(parent)
        self._queries = queries
        #: the mirror, for reading lazily (without it every read is on the UI thread)
        self._db = db
        self._reader: LatestRead | None = None
        #: the full counts read off the UI thread, by scope, until the next set_scope
        self._lazy: tuple[int | None, GroupedCounts] | None = None
        #: whether the full list is shown (not yet read, or only the preview: False)
        self.complete = False
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
        self._forget_lazy()
        self.refresh()

    def load_lazily(self, scope: ContactFilter) -> None:
        """Like ``set_scope``, but only the largest organizations are read now; the full list
        is read off the UI thread and replaces them when it arrives (``loaded``)."""
        if self._db is None:
            self.set_scope(scope)
            return
        self._scope = ContactFilter(owner_id=scope.owner_id)
        self._forget_lazy()
        self.complete = False
        owner = self._scope.owner_id
        preview = largest_organizations(self._db.reader(), owner, PREVIEW_ROWS)
        self.model.set_data(
            UNKNOWN_COUNT,
            UNKNOWN_COUNT,
            narrowed(preview, self.filter_edit.text()),
            scoped=owner is not None,
        )
        self._show_selected()
        if self._reader is None:
            self._reader = sidebar_reader(self._db.path, self)
            self._reader.answered.connect(self._on_read)
        self._reader.request(owner)

    def wait(self, msecs: int = -1) -> bool:
        """Block until a read off the UI thread has ended (before the database closes)."""
        return self._reader is None or self._reader.wait(msecs)

    def refresh(self) -> None:
        """Re-read counts and organizations, keeping the chosen entry.

        After a lazy load the counts read off the UI thread are narrowed instead, and while
        they are still on their way the filter is applied when they come.
        """
        if self._lazy is not None and self._lazy[0] == self._scope.owner_id:
            self._show_grouped(self._lazy[1])
            return
        if not self.complete:
            return
        self._show(self._queries.sidebar(self._scope.owner_id, self.filter_edit.text()))
        self.set_duplicate_count(self._queries.open_suggestion_count())

    def _forget_lazy(self) -> None:
        self._lazy = None
        self.complete = True
        if self._reader is not None:
            self._reader.cancel()

    def _on_read(self, owner: object, answer: object) -> None:
        if owner != self._scope.owner_id or not isinstance(answer, tuple):
            return
        counts, suggestions = answer
        if not isinstance(counts, GroupedCounts):
            return
        self._lazy = (self._scope.owner_id, counts)
        self.complete = True
        self.refresh()
        self.set_duplicate_count(suggestions)
        self.loaded.emit()

    def _show_grouped(self, grouped: GroupedCounts) -> None:
        """The list read off the UI thread, narrowed by the filter box (one LIKE query)."""
        assert self._db is not None
        conn = self._db.reader()
        rowids, counts = grouped.rowids, grouped.counts
        search = self.filter_edit.text()
        if search.strip():
            wanted = matching_rowids(conn, search)
            kept = [index for index, rowid in enumerate(rowids) if rowid in wanted]
            rowids = array("q", (rowids[index] for index in kept))
            counts = array("q", (counts[index] for index in kept))
        organizations = CompactOrganizations(
            rowids,
            counts,
            lambda chunk: organization_names(conn, chunk),
            lambda org_id: organization_rowid(conn, org_id),
        )
        self.model.set_compact(
            grouped.all_count,
            grouped.no_organization,
            organizations,
            scoped=self._scope.owner_id is not None,
        )
        self._fit_count_column(grouped.all_count)
        if self.model.row_of(self._selected) is None and not search.strip():
            self._set_selected(ALL_CONTACTS)  # the organization is gone from the mirror
        self._show_selected()

    def _show(self, counts: SidebarCounts) -> None:
        self.model.set_data(
            counts.all_count,
            counts.no_organization,
            counts.organizations,
            scoped=self._scope.owner_id is not None,
        )
        self._fit_count_column(counts.all_count)
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
