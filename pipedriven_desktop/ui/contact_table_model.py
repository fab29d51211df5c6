"""The contact table's model: SQL-backed pages, fetched only as the view scrolls.

Filtering and ordering happen in SQLite (``ContactFilter``); the model holds the rows
the view has asked for so far, a page at a time, and never the whole mirror. A change of
one contact (the campaign flag) shows at once, announced with a targeted ``dataChanged``
(not a reset), and is saved off the UI thread by a ``CampaignWriter``; a save that fails
puts the saved flag back and says why (``campaign_failed``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_query import ContactFilter, SortKey
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.rows import ContactRow, Performance, SyncStatus
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.campaign_writer import CampaignWriter

logger = logging.getLogger(__name__)

PAGE_SIZE = 100

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex

_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_EDIT = Qt.ItemDataRole.EditRole.value
_CHECK = Qt.ItemDataRole.CheckStateRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_SERVED_ROLES = frozenset({_DISPLAY, _EDIT, _CHECK, _TOOLTIP, ROW_ROLE, SORT_ROLE})
_CHECKED = Qt.CheckState.Checked
_UNCHECKED = Qt.CheckState.Unchecked


class Column(IntEnum):
    CAMPAIGN = 0
    NAME = 1
    ORGANIZATION = 2
    WARMNESS = 3
    LAST_CONTACTED = 4
    EMAIL = 5
    PHONE = 6
    NEXT_ACTIVITY = 7
    #: shown in All contacts only (in My-500 the owner is always the user)
    OWNER = 8


_COLUMNS: tuple[Column, ...] = tuple(Column)
_COLUMN_COUNT = len(_COLUMNS)

HEADERS: dict[Column, str] = {
    Column.CAMPAIGN: "Campaign",
    Column.NAME: "Name",
    Column.ORGANIZATION: "Organization",
    Column.WARMNESS: "Warmness",
    Column.LAST_CONTACTED: "Last contacted",
    Column.EMAIL: "Email",
    Column.PHONE: "Phone",
    Column.NEXT_ACTIVITY: "Next activity",
    Column.OWNER: "Owner",
}

HEADER_TIPS: dict[Column, str] = {
    Column.CAMPAIGN: "In the current campaign (Space toggles)",
    Column.WARMNESS: "Warmness score, 0 (cold) to 10 (hot)",
    Column.NEXT_ACTIVITY: "The next open activity that is due",
    Column.OWNER: "Who owns the contact in Pipedrive",
}

#: Which SQL order a header click asks for; the next activity is not sortable.
SORT_KEYS: dict[Column, SortKey] = {
    Column.CAMPAIGN: SortKey.CAMPAIGN,
    Column.NAME: SortKey.NAME,
    Column.ORGANIZATION: SortKey.ORGANIZATION,
    Column.WARMNESS: SortKey.WARMNESS,
    Column.LAST_CONTACTED: SortKey.LAST_CONTACTED,
    Column.EMAIL: SortKey.EMAIL,
    Column.PHONE: SortKey.PHONE,
}

COLUMN_FOR_SORT: dict[SortKey, Column] = {key: column for column, key in SORT_KEYS.items()}


def sort_key(row: ContactRow, column: Column) -> Any:
    """A plain comparable value per column (for SORT_ROLE): what SQL orders by."""
    org = row.organization
    values: dict[Column, Any] = {
        Column.CAMPAIGN: int(row.added_to_campaign),
        Column.NAME: row.name.casefold(),
        Column.ORGANIZATION: org.name.casefold() if org else "",
        Column.WARMNESS: row.warmness_score,
        Column.LAST_CONTACTED: row.last_contacted.isoformat() if row.last_contacted else "",
        Column.EMAIL: (row.email or "").casefold(),
        Column.PHONE: row.phone or "",
        Column.NEXT_ACTIVITY: row.next_activity.isoformat() if row.next_activity else "",
        Column.OWNER: owner_text(row).casefold(),
    }
    return values[column]


def owner_text(row: ContactRow) -> str:
    """The owner's name, as Pipedrive's users list has it; a dash when it is unknown."""
    return row.owner_name or "—"


@dataclass
class _PendingFlag:
    """A contact's campaign flag while saves of it are in flight."""

    wanted: bool
    #: the flag in the mirror (None if unknown: the row was not fetched)
    stored: bool | None
    in_flight: int = 0


class ContactTableModel(QAbstractTableModel):
    """Contacts matching a ``ContactFilter``, in its order, fetched a page at a time."""

    #: total rows for the filter, and the performance and sync status of the first page
    loaded = Signal(int, object, object)
    #: (contact id, new flag) after a campaign flag was saved
    campaign_changed = Signal(str, bool)
    #: (contact id, flag asked for, message) when a save failed; the row shows the saved flag
    campaign_failed = Signal(str, bool, str)

    def __init__(
        self,
        service: ContactService,
        db: Database,
        parent: QObject | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self._service = service
        self._db = db
        self._page_size = page_size
        self._filter = ContactFilter()
        self._rows: list[ContactRow] = []
        self._row_of: dict[str, int] = {}
        self._total = 0
        self._now = utcnow()
        self.performance: Performance | None = None
        self.sync_status: SyncStatus | None = None
        self._writer: CampaignWriter | None = None
        self._pending: dict[str, _PendingFlag] = {}

    # -- state ---------------------------------------------------------------------------------

    @property
    def contact_filter(self) -> ContactFilter:
        return self._filter

    @property
    def total(self) -> int:
        """How many contacts match the filter (the model may hold fewer)."""
        return self._total

    def row(self, row: int) -> ContactRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def column_texts(self, column: Column, limit: int) -> list[str]:
        """The display texts of ``column`` in the first ``limit`` rows (for sizing columns)."""
        return [self._display(row, column) or "" for row in self._rows[:limit]]

    def all_contacts_count(self) -> int | None:
        """How many contacts the same filter finds in All contacts; None when it is All already."""
        if self._filter.owner_id is None:
            return None
        return self._service.count_in_all_contacts(self._filter)

    def row_of(self, contact_id: str) -> int | None:
        """The model row holding ``contact_id``, if it has been fetched."""
        return self._row_of.get(contact_id)

    def set_filter(self, contact_filter: ContactFilter) -> None:
        """Show the contacts matching ``contact_filter`` from the top."""
        self._filter = contact_filter
        self._load(self._page_size)

    def set_sort(self, key: SortKey, descending: bool) -> None:
        if (key, descending) != (self._filter.sort, self._filter.descending):
            self.set_filter(replace(self._filter, sort=key, descending=descending))

    def reload(self) -> None:
        """Read the same filter again (after a sync), keeping as many rows as were fetched."""
        self._load(max(self._page_size, len(self._rows)))

    def _load(self, limit: int) -> None:
        # Read first, reset after: a failing read leaves the model as it was. One page gives the
        # rows (with their next activity), the total, the timing and the sync status.
        page = self._service.page(self._filter, 1, limit, with_activities=False)
        rows = self._with_pending(page.rows)
        self.beginResetModel()
        self._now = utcnow()
        self._rows = rows
        self._row_of = {row.id: index for index, row in enumerate(rows)}
        self._total = page.pagination.total
        self.performance = page.performance
        self.sync_status = page.sync_status
        self.endResetModel()
        self.loaded.emit(self._total, page.performance, page.sync_status)

    # -- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: _Index) -> None:
        if parent.isValid() or len(self._rows) >= self._total:
            return
        fetched = self._service.window(self._filter, len(self._rows), self._page_size)
        # A flag toggled since the first page can shift the order by a row; never show twice.
        fresh = self._with_pending(row for row in fetched if row.id not in self._row_of)
        if not fresh:
            self._total = len(self._rows)
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
        for offset, row in enumerate(fresh):
            self._row_of[row.id] = first + offset
        self._rows.extend(fresh)
        self.endInsertRows()

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        column = Column(section)
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(column, HEADERS[column])
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return HEADERS[column]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == Column.CAMPAIGN:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: reject early, cheaply.
        if role not in _SERVED_ROLES:
            return None
        row_number, column_number = index.row(), index.column()
        if not (0 <= row_number < len(self._rows) and 0 <= column_number < _COLUMN_COUNT):
            return None
        row = self._rows[row_number]
        column = _COLUMNS[column_number]
        if role == _DISPLAY:
            return self._display(row, column)
        if role == _CHECK:
            if column is Column.CAMPAIGN:
                return _CHECKED if row.added_to_campaign else _UNCHECKED
            return None
        if role == _EDIT:
            if column is Column.WARMNESS:
                return row.warmness_score
            return self._display(row, column)
        if role == ROW_ROLE:
            return row
        if role == SORT_ROLE:
            return sort_key(row, column)
        if role == _TOOLTIP:
            return self._tooltip(row, column)
        return None

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if (
            not index.isValid()
            or role != Qt.ItemDataRole.CheckStateRole
            or index.column() != Column.CAMPAIGN
        ):
            return False
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, True)
        return self.set_campaign(index.row(), checked)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Header clicks sort in SQL; column -1 (indicator cleared) means My-500's order."""
        if column < 0 or column >= len(Column):
            self.set_sort(SortKey.MY500, False)
            return
        key = SORT_KEYS.get(Column(column))
        if key is not None:
            self.set_sort(key, order == Qt.SortOrder.DescendingOrder)

    # -- edits ----------------------------------------------------------------------------------

    def set_campaign(self, row_number: int, flag: bool) -> bool:
        """Show the flag now and save it off the UI thread; only the changed cell is announced."""
        row = self.row(row_number)
        if row is None:
            return False
        if row.added_to_campaign != flag:
            self.save_campaign(row.id, flag)
        return True

    def toggle_campaign(self, row_number: int) -> bool:
        row = self.row(row_number)
        return row is not None and self.set_campaign(row_number, not row.added_to_campaign)

    def set_campaign_rows(self, row_numbers: Iterable[int], flag: bool) -> int:
        """Flag (or unflag) every given row; returns how many changed and are being saved."""
        changed = 0
        for row_number in sorted(set(row_numbers)):
            row = self.row(row_number)
            if row is not None and row.added_to_campaign != flag:
                self.save_campaign(row.id, flag)
                changed += 1
        return changed

    def toggle_campaign_rows(self, row_numbers: Iterable[int]) -> int:
        """Space on a selection: all into the campaign, or all out when all are in already."""
        wanted = [row for row in (self.row(number) for number in row_numbers) if row is not None]
        if not wanted:
            return 0
        flag = not all(row.added_to_campaign for row in wanted)
        return self.set_campaign_rows((self._row_of[row.id] for row in wanted), flag)

    def save_campaign(self, contact_id: str, flag: bool) -> None:
        """Show ``flag`` on the contact's row (if fetched) and queue its save (also Retry's)."""
        pending = self._pending.get(contact_id)
        if pending is None:
            row_number = self._row_of.get(contact_id)
            shown = self._rows[row_number].added_to_campaign if row_number is not None else None
            pending = self._pending[contact_id] = _PendingFlag(wanted=flag, stored=shown)
        pending.wanted = flag
        pending.in_flight += 1
        self._show_flag(contact_id, flag)
        self._campaign_writer().submit(contact_id, flag)

    def saves_in_flight(self) -> int:
        return sum(pending.in_flight for pending in self._pending.values())

    def wait_for_saves(self, msecs: int = -1) -> bool:
        """Block until queued saves have ended (before the database closes); False on timeout."""
        return self._writer is None or self._writer.wait(msecs)

    def _campaign_writer(self) -> CampaignWriter:
        if self._writer is None:
            self._writer = CampaignWriter(self._db.path, self)
            self._writer.saved.connect(self._on_campaign_saved)
            self._writer.failed.connect(self._on_campaign_failed)
        return self._writer

    def _on_campaign_saved(self, contact_id: str, flag: bool) -> None:
        pending = self._pending.get(contact_id)
        if pending is not None:
            pending.stored = flag
            pending.in_flight -= 1
            if pending.in_flight <= 0:
                del self._pending[contact_id]
                self._show_flag(contact_id, flag)  # a reload may have read the old flag
        self.campaign_changed.emit(contact_id, flag)

    def _on_campaign_failed(self, contact_id: str, flag: bool, message: str) -> None:
        pending = self._pending.get(contact_id)
        if pending is not None:
            pending.in_flight -= 1
            if pending.in_flight <= 0:
                del self._pending[contact_id]
                if pending.stored is not None:
                    self._show_flag(contact_id, pending.stored)
        self.campaign_failed.emit(contact_id, flag, message)

    def _show_flag(self, contact_id: str, flag: bool) -> None:
        row_number = self._row_of.get(contact_id)
        if row_number is None:
            return
        row = self._rows[row_number]
        if row.added_to_campaign == flag:
            return
        self._rows[row_number] = replace(row, added_to_campaign=flag)
        cell = self.index(row_number, Column.CAMPAIGN)
        self.dataChanged.emit(
            cell, cell, [Qt.ItemDataRole.CheckStateRole, Qt.ItemDataRole.ToolTipRole]
        )

    def _with_pending(self, rows: Iterable[ContactRow]) -> list[ContactRow]:
        """Rows as read, showing the flags still being saved as the user set them."""
        if not self._pending:
            return list(rows)
        shown: list[ContactRow] = []
        for row in rows:
            pending = self._pending.get(row.id)
            if pending is not None and row.added_to_campaign != pending.wanted:
                row = replace(row, added_to_campaign=pending.wanted)
            shown.append(row)
        return shown

    # -- presentation ---------------------------------------------------------------------------

    def _display(self, row: ContactRow, column: Column) -> str | None:
        if column is Column.CAMPAIGN:
            return None
        if column is Column.NAME:
            return row.name
        if column is Column.ORGANIZATION:
            return row.organization.name if row.organization else ""
        if column is Column.WARMNESS:
            return str(row.warmness_score)
        if column is Column.LAST_CONTACTED:
            return formatting.relative_past(row.last_contacted, self._now)
        if column is Column.EMAIL:
            return row.email or ""
        if column is Column.PHONE:
            return row.phone or ""
        if column is Column.OWNER:
            return owner_text(row)
        return formatting.relative_day(row.next_activity, self._now.date())

    def _tooltip(self, row: ContactRow, column: Column) -> str | None:
        if column is Column.CAMPAIGN:
            return "In campaign" if row.added_to_campaign else "Not in campaign"
        if column is Column.LAST_CONTACTED:
            return formatting.full_datetime(row.last_contacted)
        if column is Column.NEXT_ACTIVITY:
            return formatting.full_date(row.next_activity) or "No open activity due"
        if column is Column.WARMNESS:
            return f"Warmness {row.warmness_score} of 10"
        text = self._display(row, column)
        return text or None

    def now(self) -> datetime:
        return self._now
