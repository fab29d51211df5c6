"""The contact table: a headline ("My-500: 487 of 500") over a fast, paged table view.

Keys: Space toggles the campaign flag of the selected contacts (several with Shift or Ctrl),
Enter asks to open the current one in Pipedrive; the context menu calls, mails and flags.
A refresh keeps the selected contact and the scroll position. Columns are sized to their
content within caps and the last one takes the room left; an empty result explains itself.
"""

from __future__ import annotations

import heapq
import math

from PySide6.QtCore import (
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QKeyEvent, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.rows import ContactRow
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.contact_table_model import HEADERS, Column, ContactTableModel
from pipedriven_desktop.ui.elided_label import ElidedLabel
from pipedriven_desktop.ui.empty_hint import EmptyHint
from pipedriven_desktop.ui.links import mailto_url, tel_url
from pipedriven_desktop.ui.reach import call, mail
from pipedriven_desktop.ui.style import heading, muted
from pipedriven_desktop.ui.table_delegates import CampaignDelegate
from pipedriven_desktop.ui.table_rows import paint_rows
from pipedriven_desktop.ui.text_delegate import TextCellDelegate
from pipedriven_desktop.ui.warmness_delegate import MOVE_WIDTH, WarmnessDelegate

#: The narrowest a column starts, as the text a short cell holds; the user's widths win later.
COLUMN_SAMPLES: dict[Column, str] = {
    Column.NAME: "Anna Kowalczyk",
    Column.ORGANIZATION: "Feinmechanik AG",
    Column.LAST_CONTACTED: "11 months ago",
    Column.EMAIL: "anna.k@example.com",
    Column.PHONE: "+49 170 000000",
    Column.NEXT_ACTIVITY: "Wed 30 Sep",
    Column.OWNER: "Margaret O'Brien",
}
CELL_PADDING = 16
#: Columns sized to their longest loaded cell, up to a cap in pixels (longer ones elide).
CONTENT_CAPS: dict[Column, int] = {
    Column.NAME: 320,
    Column.ORGANIZATION: 300,
    Column.EMAIL: 360,
    Column.OWNER: 220,
    Column.PHONE: 190,
}
#: Columns are sized to the rows a screen shows first; of those, a column's few longest
#: texts (by characters) are measured in pixels.
MEASURED_ROWS = 60
MEASURED_TEXTS = 4
#: Room to spare goes to these, up to their caps (names and emails read best with air).
GROWING = (Column.NAME, Column.ORGANIZATION, Column.EMAIL, Column.OWNER)
#: When the view is narrow, columns give up width in stages, each down to its width in pixels
#: there: the secondary text columns to a still readable width, then phone and next activity,
#: then every text column (the name last of all) to its floor. Narrower still scrolls sideways.
SHRINK_STAGES: tuple[dict[Column, int], ...] = (
    {Column.ORGANIZATION: 130, Column.OWNER: 110, Column.EMAIL: 170},
    {Column.NEXT_ACTIVITY: 84, Column.PHONE: 110},
    {
        Column.NAME: 100,
        Column.ORGANIZATION: 84,
        Column.EMAIL: 100,
        Column.OWNER: 84,
        # the bar gives up the room of the weekly arrow, which stays
        Column.WARMNESS: WarmnessDelegate.WIDTH - MOVE_WIDTH,
    },
)


_LOOK_CHANGES = frozenset(
    {QEvent.Type.FontChange, QEvent.Type.PaletteChange, QEvent.Type.StyleChange}
)


class ContactTableView(QTableView):
    """The table itself; tells once when it first painted rows (start-up is measured to it)."""

    first_painted = Signal()
    toggle_requested = Signal()
    open_requested = Signal()
    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._painted_rows = False
        #: paint the rows in one pass (``table_rows``) rather than cell by cell
        self.rows_in_one_pass = True

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        if self.rows_in_one_pass and isinstance(model, ContactTableModel):
            painter = QPainter(self.viewport())
            try:
                paint_rows(self, model, painter, event.rect())
            finally:
                painter.end()
        else:
            super().paintEvent(event)
        if not self._painted_rows and model is not None and model.rowCount() > 0:
            self._painted_rows = True
            self.first_painted.emit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.resized.emit()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in _LOOK_CHANGES:
            delegate = self.itemDelegate()
            if isinstance(delegate, TextCellDelegate):
                delegate.forget()  # texts laid out in the old font, colours of the old palette
        super().changeEvent(event)

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
    #: the empty hint's offer: show the same search in All contacts
    show_all_requested = Signal()
    #: (ContactRow) log an activity / schedule the next one / add a note; it was dialled
    log_requested = Signal(object)
    schedule_requested = Signal(object)
    note_requested = Signal(object)
    called = Signal(object)

    def __init__(self, model: ContactTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._current_id: str | None = None

        self.headline = QLabel("My-500")
        self.headline.setObjectName("headline")
        heading(self.headline, 1.35)
        self.subline = ElidedLabel("")
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
        heading_row.addWidget(self.subline, 1, Qt.AlignmentFlag.AlignBaseline)
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
        self._saved_selection: list[str] = []
        self._restore_after_reset = False
        model.modelReset.connect(self._restore_position)
        self.view.toggle_requested.connect(self.toggle_current_campaign)
        self.view.open_requested.connect(self._open_current)
        self.view.doubleClicked.connect(self._on_double_clicked)

        self.empty_hint = EmptyHint(self.view)
        self.empty_hint.hide()
        self.empty_hint.show_all_requested.connect(self.show_all_requested)
        self.view.resized.connect(self._place_empty_hint)
        model.loaded.connect(self._on_loaded)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._on_context_menu)

    def _configure_view(self) -> None:
        view = self.view
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setCornerButtonEnabled(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.setItemDelegate(TextCellDelegate(self.model.text_at, view))
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
        header_metrics = header.fontMetrics()
        self._base_widths = {
            column: max(
                metrics.horizontalAdvance(sample),
                header_metrics.horizontalAdvance(HEADERS[column]) + 12,
            )
            + CELL_PADDING
            for column, sample in COLUMN_SAMPLES.items()
        }
        self._base_widths[Column.WARMNESS] = WarmnessDelegate.WIDTH
        # The campaign column is as wide as its header's label (the box sits centred in it).
        self._base_widths[Column.CAMPAIGN] = max(
            36, header_metrics.horizontalAdvance(HEADERS[Column.CAMPAIGN]) + 22
        )
        self._ideal_widths = dict(self._base_widths)
        self._fitting = False
        self._user_sized = False
        self._fit_columns()
        header.setSectionResizeMode(Column.CAMPAIGN, QHeaderView.ResizeMode.Fixed)
        header.sectionResized.connect(self._on_section_resized)
        view.resized.connect(self._fit_columns)
        view.resized.connect(self._tell_rows_shown)
        view.setSortingEnabled(True)
        view.setColumnHidden(Column.OWNER, True)

    def _tell_rows_shown(self) -> None:
        """Let a search's keystroke read only the rows the view has room for (and one more,
        for a row cut by the bottom edge)."""
        row_height = max(1, self.view.verticalHeader().defaultSectionSize())
        self.model.set_first_rows(math.ceil(self.view.viewport().height() / row_height) + 1)

    def _measure_content(self) -> None:
        """Widen the text columns to their longest loaded cell (first page only), within caps."""
        # Runs on every filter change, inside the keystroke budget: only the few longest
        # texts (by characters) of each column are measured in pixels.
        metrics = self.view.fontMetrics()
        widths = dict(self._base_widths)
        for column, cap in CONTENT_CAPS.items():
            texts = heapq.nlargest(
                MEASURED_TEXTS, self.model.column_texts(column, MEASURED_ROWS), key=len
            )
            longest = max((metrics.horizontalAdvance(text) for text in texts), default=0)
            widths[column] = min(cap, max(widths[column], longest + CELL_PADDING))
        self._ideal_widths = widths

    def _fit_columns(self) -> None:
        """Ideal widths when they fit; otherwise the flexible columns give up the difference.

        Room to spare widens the text columns up to their caps (names and emails read
        best with air); the last visible column stretches into whatever is left.
        """
        if self._user_sized:
            return
        view = self.view
        widths = {
            column: width
            for column, width in self._ideal_widths.items()
            if not view.isColumnHidden(column)
        }
        available = self.view.viewport().width()
        if available > 0:
            for minimums in SHRINK_STAGES:
                overflow = sum(widths.values()) - available
                if overflow > 0:
                    _shrink(widths, minimums, overflow)
            spare = available - sum(widths.values())
            if spare > 0:
                _grow(widths, {column: CONTENT_CAPS[column] for column in GROWING}, spare)
        overflow = sum(widths.values()) - available
        last = max(widths)
        self._fitting = True
        try:
            for column, width in widths.items():
                if column == last and overflow <= 0:
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
        """Make the contact current (and selected) if the model holds it.

        A contact that is part of a selection of several only becomes current: following
        it (after a flag moved it) must not drop the others.
        """
        row = self.model.row_of(contact_id)
        if row is None:
            return False
        selection = self.view.selectionModel()
        if selection.isRowSelected(row, QModelIndex()) and len(selection.selectedRows()) > 1:
            selection.setCurrentIndex(
                self.model.index(row, Column.NAME), QItemSelectionModel.SelectionFlag.NoUpdate
            )
        else:
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
        current = self.view.currentIndex()
        try:
            self.model.reload(current.row() if current.isValid() else None)
        finally:
            self._restore_after_reset = False

    def selected_rows(self) -> list[int]:
        """The selected model rows, top to bottom; the current row when none is selected."""
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        if not rows and self.view.currentIndex().isValid():
            rows = [self.view.currentIndex().row()]
        return rows

    def selected_contacts(self) -> list[ContactRow]:
        return [row for row in (self.model.row(number) for number in self.selected_rows()) if row]

    def toggle_current_campaign(self) -> None:
        """Space: every selected contact into the campaign, or all out when all are in."""
        self.model.toggle_campaign_rows(self.selected_rows())

    def set_selected_campaign(self, flag: bool) -> int:
        """Add (or remove) every selected contact; returns how many changed."""
        return self.model.set_campaign_rows(self.selected_rows(), flag)

    def context_menu(self) -> QMenu:
        """Call, mail, copy, flag the selection, open: for the current contact and selection."""
        menu = QMenu(self)
        current = self.current_contact()
        selected = self.selected_contacts()
        phone = current.phone if current else None
        email = current.email if current else None
        call_action = menu.addAction(f"Call {phone}" if phone else "Call")
        call_action.setObjectName("callContact")
        call_action.setEnabled(tel_url(phone or "") is not None)
        call_action.triggered.connect(lambda: self._call(current))
        mail_action = menu.addAction(f"Mail {email}" if email else "Mail")
        mail_action.setObjectName("mailContact")
        mail_action.setEnabled(mailto_url(email or "") is not None)
        mail_action.triggered.connect(lambda: mail(email))
        copy_email = menu.addAction("Copy email")
        copy_email.setEnabled(bool(email))
        copy_email.triggered.connect(lambda: QGuiApplication.clipboard().setText(email or ""))
        copy_phone = menu.addAction("Copy phone")
        copy_phone.setEnabled(bool(phone))
        copy_phone.triggered.connect(lambda: QGuiApplication.clipboard().setText(phone or ""))
        menu.addSeparator()
        for name, text, shortcut, signal in (
            ("logContact", "Log activity…", "Ctrl+L", self.log_requested),
            ("scheduleContact", "Schedule next activity…", "Ctrl+Shift+N", self.schedule_requested),
            ("noteContact", "Add note…", "Ctrl+Shift+T", self.note_requested),
        ):
            work = menu.addAction(text)
            work.setObjectName(name)
            work.setShortcut(shortcut)  # shown; the window's own actions take the keys
            work.setEnabled(current is not None)
            work.triggered.connect(lambda _=False, s=signal: s.emit(current))
        menu.addSeparator()
        many = len(selected) > 1
        outside = sum(1 for row in selected if not row.added_to_campaign)
        inside = len(selected) - outside
        add = menu.addAction(
            f"Add {formatting.plural(len(selected), 'contact')} to campaign"
            if many
            else "Add to campaign"
        )
        add.setObjectName("addToCampaign")
        add.setShortcut("Space")
        add.setEnabled(outside > 0)
        add.triggered.connect(lambda: self.set_selected_campaign(True))
        remove = menu.addAction(
            f"Remove {formatting.plural(len(selected), 'contact')} from campaign"
            if many
            else "Remove from campaign"
        )
        remove.setObjectName("removeFromCampaign")
        remove.setEnabled(inside > 0)
        remove.triggered.connect(lambda: self.set_selected_campaign(False))
        menu.addSeparator()
        open_action = menu.addAction("Open in Pipedrive")
        open_action.setShortcut("Return")
        open_action.setEnabled(current is not None and current.pipedrive_person_id is not None)
        open_action.triggered.connect(self._open_current)
        return menu

    def _call(self, contact: ContactRow | None) -> None:
        """Dial, then let the window offer to log the call."""
        if contact is not None and call(contact.phone):
            self.called.emit(contact)

    def _reselect(self, contact_ids: list[str]) -> None:
        """Select these contacts again (those still fetched), keeping the current one."""
        selection = self.view.selectionModel()
        flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
        for contact_id in contact_ids:
            row = self.model.row_of(contact_id)
            if row is not None:
                selection.select(self.model.index(row, Column.NAME), flags)

    def _on_context_menu(self, position: QPoint) -> None:
        index = self.view.indexAt(position)
        if not index.isValid():
            return
        selection = self.view.selectionModel()
        if not selection.isRowSelected(index.row(), QModelIndex()):
            self._select_row(index.row())
        else:
            selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)
        menu = self.context_menu()
        menu.exec(self.view.viewport().mapToGlobal(position))
        menu.deleteLater()

    def _on_loaded(self, total: int, *_status: object) -> None:
        contact_filter = self.model.contact_filter
        hide_owner = contact_filter.owner_id is not None
        if self.view.isColumnHidden(Column.OWNER) != hide_owner:
            self.view.setColumnHidden(Column.OWNER, hide_owner)
        self._measure_content()
        self._fit_columns()
        # Lay the new rows out now, not on the next turn of the event loop: a layout left
        # for later repaints the table a second time after the first paint of each keystroke.
        self.view.doItemsLayout()
        if total == 0:
            status = self.model.sync_status
            syncing = status is not None and status.running
            self.empty_hint.explain(contact_filter, self.model.all_contacts_count(), syncing)
            self._place_empty_hint()
            self.empty_hint.show()
            self.empty_hint.raise_()
        else:
            self.empty_hint.hide()

    def _place_empty_hint(self) -> None:
        self.empty_hint.setGeometry(self.view.viewport().geometry())

    # -- slots ----------------------------------------------------------------------------------

    def _remember_position(self) -> None:
        self._saved_scroll = self.view.verticalScrollBar().value()
        self._saved_id = self._current_id
        self._saved_selection = [row.id for row in self.selected_contacts()]

    def _restore_position(self) -> None:
        previous = self._saved_id
        self._current_id = None
        found = previous is not None and self.select_contact(previous)
        if found and len(self._saved_selection) > 1:
            self._reselect(self._saved_selection)
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


def _shrink(widths: dict[Column, int], minimums: dict[Column, int], overflow: int) -> None:
    """Take ``overflow`` pixels from the given columns in proportion to their spare width."""
    columns = [column for column in minimums if column in widths]
    spare = sum(max(0, widths[column] - minimums[column]) for column in columns)
    if spare <= 0:
        return
    share = min(1.0, overflow / spare)
    for column in columns:
        widths[column] -= math.ceil(max(0, widths[column] - minimums[column]) * share)


def _grow(widths: dict[Column, int], caps: dict[Column, int], spare: int) -> None:
    """Give up to ``spare`` pixels to the given columns in proportion to their room to a cap."""
    columns = [column for column in caps if column in widths]
    room = sum(max(0, caps[column] - widths[column]) for column in columns)
    if room <= 0:
        return
    share = min(1.0, spare / room)
    for column in columns:
        widths[column] += int(max(0, caps[column] - widths[column]) * share)
