"""Today: my overdue activities, today's and the next 7 days', worked from the keyboard.

Sections (Overdue, Today, Next 7 days) hold the activities with their contact and
organization; Mark done and Reschedule act on the current one, Enter shows its contact in
the main window. The view neither reads nor writes: it asks through signals, and is handed
the agenda read off the UI thread, again whenever a change is in the mirror.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from pipedriven_desktop.store.agenda import Agenda, AgendaItem, Section
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.due import local_time_text
from pipedriven_desktop.ui.style import heading, muted

HEADERS = ("When", "Activity", "Contact", "Organization")
WHEN, ACTIVITY, CONTACT, ORGANIZATION = range(4)
#: The AgendaItem of an activity row (None on a section row).
ITEM_ROLE = Qt.ItemDataRole.UserRole + 1
#: Rows of a section carry their section's number + 1 as internal id; sections carry 0.
_SECTION_ID = 0

SYMBOLS = {"call": "☎", "meeting": "◉", "email": "✉", "task": "☑", "deadline": "⚑", "lunch": "☕"}

Index = QModelIndex | QPersistentModelIndex


def when_text(item: AgendaItem, today: date) -> str:
    """'3 days ago', 'today 09:30', 'all day', 'Tue 1 Dec 14:00' (local times)."""
    at = local_time_text(item.due_date, item.due_time)
    if item.due_date == today:
        return at or "all day"
    return f"{formatting.relative_day(item.due_date, today)} {at}".strip()


def section_title(section: Section, count: int, agenda: Agenda) -> str:
    if section is Section.OVERDUE and agenda.overdue_total > count:
        return f"{section.value} · latest {count:,} of {agenda.overdue_total:,}"
    return f"{section.value} · {count:,}"


class AgendaModel(QAbstractItemModel):
    """Three sections, each with its activities as children."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._agenda: Agenda | None = None
        self._sections: list[tuple[Section, tuple[AgendaItem, ...]]] = []

    @property
    def agenda(self) -> Agenda | None:
        return self._agenda

    def set_agenda(self, agenda: Agenda | None) -> None:
        self.beginResetModel()
        self._agenda = agenda
        self._sections = (
            [(section, agenda.in_section(section)) for section in Section] if agenda else []
        )
        self.endResetModel()

    def item(self, index: Index) -> AgendaItem | None:
        if not index.isValid() or index.internalId() == _SECTION_ID:
            return None
        items = self._sections[index.internalId() - 1][1]
        return items[index.row()] if index.row() < len(items) else None

    def index_of(self, activity_id: str) -> QModelIndex:
        for number, (_section, items) in enumerate(self._sections):
            for row, item in enumerate(items):
                if item.activity_id == activity_id:
                    return self.createIndex(row, 0, number + 1)
        return QModelIndex()

    def section_index(self, section: Section) -> QModelIndex:
        for number, (found, _items) in enumerate(self._sections):
            if found is section:
                return self.createIndex(number, 0, _SECTION_ID)
        return QModelIndex()

    # -- QAbstractItemModel ---------------------------------------------------------------------

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _SECTION_ID)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _SECTION_ID:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _SECTION_ID)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._sections)
        if parent.internalId() == _SECTION_ID and parent.column() == 0:
            return len(self._sections[parent.row()][1])
        return 0

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _SECTION_ID:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or self._agenda is None:
            return None
        if index.internalId() == _SECTION_ID:
            return self._section_data(index, role)
        item = self.item(index)
        if item is None:
            return None
        if role == ITEM_ROLE:
            return item
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, index.column())
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(item)
        overdue = item.due_date < self._agenda.today
        if role == Qt.ItemDataRole.FontRole and index.column() == WHEN and overdue:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _section_data(self, index: Index, role: int) -> object:
        assert self._agenda is not None
        section, items = self._sections[index.row()]
        if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
            return section_title(section, len(items), self._agenda)
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _display(self, item: AgendaItem, column: int) -> str:
        assert self._agenda is not None
        if column == WHEN:
            return when_text(item, self._agenda.today)
        if column == ACTIVITY:
            subject = item.subject or item.type.capitalize()
            waiting = "  ↑ waiting to be sent" if item.waiting else ""
            return f"{SYMBOLS.get(item.type, '•')}  {subject}{waiting}"
        if column == CONTACT:
            return item.contact_name or "—"
        return item.organization_name or ""

    def _tooltip(self, item: AgendaItem) -> str:
        lines = [f"{item.type.capitalize()}: {item.subject or ''}".strip()]
        lines.append(formatting.full_date(item.due_date))
        if item.note:
            lines.append(item.note)
        if item.waiting:
            lines.append("Made or changed here: sent to Pipedrive at the next sync.")
        return "\n".join(lines)


class AgendaDialog(QDialog):
    """The Today window; ``set_agenda`` shows what was read, ``reload`` asks for it again."""

    #: (AgendaItem) mark it done / move it / show its contact
    mark_done_requested = Signal(object)
    reschedule_requested = Signal(object)
    contact_requested = Signal(object)
    #: read the agenda again (F5)
    reload_requested = Signal()
    #: an agenda was handed in and is shown
    loaded = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("agendaDialog")
        self.setWindowTitle("Today")
        self.model = AgendaModel(self)

        self.title = QLabel("Today")
        heading(self.title, 1.35)
        self.summary = QLabel()
        self.summary.setObjectName("agendaSummary")
        muted(self.summary)
        self.empty = QLabel()
        self.empty.setObjectName("agendaEmpty")
        self.empty.setWordWrap(True)
        muted(self.empty)
        self.empty.hide()

        self.view = QTreeView()
        self.view.setObjectName("agendaView")
        self.view.setModel(self.model)
        self.view.setUniformRowHeights(True)
        self.view.setRootIsDecorated(False)
        self.view.setItemsExpandable(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(WHEN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(ACTIVITY, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CONTACT, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ORGANIZATION, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(CONTACT, 170)
        header.resizeSection(ORGANIZATION, 170)
        self.view.activated.connect(self._on_activated)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_buttons())

        self.done_button = QPushButton("Mark &done")
        self.done_button.setObjectName("agendaDone")
        self.done_button.setToolTip("Mark the selected activity done (Alt+D)")
        self.done_button.clicked.connect(self._mark_done)
        self.move_button = QPushButton("&Reschedule…")
        self.move_button.setObjectName("agendaReschedule")
        self.move_button.clicked.connect(self._reschedule)
        self.contact_button = QPushButton("Show &contact")
        self.contact_button.setToolTip("Show the contact in the main window (Enter)")
        self.contact_button.clicked.connect(self._show_contact)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        for button in (self.done_button, self.move_button, self.contact_button, close):
            button.setAutoDefault(False)
        QShortcut(QKeySequence("F5"), self, self.reload)

        buttons = QHBoxLayout()
        buttons.addWidget(self.done_button)
        buttons.addWidget(self.move_button)
        buttons.addWidget(self.contact_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(10)
        top.addWidget(self.summary, 1, Qt.AlignmentFlag.AlignBaseline)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.empty)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.resize(860, 520)
        self.summary.setText("Reading…")
        self._update_buttons()

    # -- public ---------------------------------------------------------------------------------

    def reload(self) -> None:
        self.reload_requested.emit()

    def set_agenda(self, agenda: Agenda | None) -> None:
        """Show ``agenda``, keeping the current activity (or the one after it) selected."""
        current = self.current_item()
        keep_row = self.view.currentIndex()
        self.model.set_agenda(agenda)
        for row in range(self.model.rowCount()):
            self.view.setFirstColumnSpanned(row, QModelIndex(), True)
        self.view.expandAll()
        self._describe(agenda)
        target = self.model.index_of(current.activity_id) if current else QModelIndex()
        if not target.isValid() and keep_row.isValid():
            target = self._nearby(keep_row.parent().row(), keep_row.row())
        if not target.isValid():
            target = self._first_item()
        if target.isValid():
            self.view.setCurrentIndex(target)
        self.view.setFocus()
        self._update_buttons()
        self.loaded.emit()

    def current_item(self) -> AgendaItem | None:
        return self.model.item(self.view.currentIndex())

    def select_activity(self, activity_id: str) -> bool:
        index = self.model.index_of(activity_id)
        if index.isValid():
            self.view.setCurrentIndex(index)
        return index.isValid()

    # -- internals ------------------------------------------------------------------------------

    def _describe(self, agenda: Agenda | None) -> None:
        if agenda is None:
            self.summary.setText("")
            self.title.setText("Today")
            self.empty.setText(
                "The agenda lists your own activities; it knows who you are after the first sync."
            )
            self.empty.show()
            return
        today = agenda.today
        self.title.setText(f"Today, {today:%A} {today.day} {today:%B}")
        overdue = agenda.overdue_total
        due_today = len(agenda.in_section(Section.TODAY))
        coming = len(agenda.in_section(Section.COMING))
        self.summary.setText(
            f"{formatting.count(overdue)} overdue · {formatting.count(due_today)} today · "
            f"{formatting.count(coming)} in the next 7 days"
        )
        self.setWindowTitle(f"Today — {overdue:,} overdue" if overdue else "Today")
        self.empty.setText("Nothing due: no open activities of yours in the next 7 days.")
        self.empty.setVisible(not agenda.items)

    def _first_item(self) -> QModelIndex:
        for section in range(self.model.rowCount()):
            parent = self.model.index(section, 0)
            if self.model.rowCount(parent):
                return self.model.index(0, 0, parent)
        return QModelIndex()

    def _nearby(self, section: int, row: int) -> QModelIndex:
        """The row now where the removed one was (the next one moved up), else the one before."""
        if section < 0:
            return QModelIndex()
        parent = self.model.index(section, 0)
        count = self.model.rowCount(parent)
        if count == 0:
            return QModelIndex()
        return self.model.index(min(row, count - 1), 0, parent)

    def _update_buttons(self) -> None:
        item = self.current_item()
        self.done_button.setEnabled(item is not None)
        self.move_button.setEnabled(item is not None)
        self.contact_button.setEnabled(item is not None and item.contact_id is not None)

    def _on_activated(self, index: QModelIndex) -> None:
        if self.model.item(index) is not None:
            self._show_contact()

    def _mark_done(self) -> None:
        item = self.current_item()
        if item is not None:
            self.mark_done_requested.emit(item)

    def _reschedule(self) -> None:
        item = self.current_item()
        if item is not None:
            self.reschedule_requested.emit(item)

    def _show_contact(self) -> None:
        item = self.current_item()
        if item is not None and item.contact_id is not None:
            self.contact_requested.emit(item)
