"""The contact table's model: SQL-backed pages, fetched only as the view scrolls.

Filtering and ordering happen in SQLite (``ContactFilter``). The model has a row for every
matching contact but holds only the pages near what the view shows: a page is read when
a cell of it is first asked for and dropped when the view has moved far away, so memory
stays bounded at any size. A page next to one held is sought from that page's edge row
(keyset paging, never OFFSET); a page nearer the end than the start is read from the end
in the reversed order, so Ctrl+End costs what the first page does. Only a jump into the
middle (dragging the scroll bar) reads with OFFSET, from whichever end is nearer.

A search's keystroke reads only the rows the view shows (``set_first_rows``), not a whole
page: every row read costs the keystroke its lookups and its share of a walk of the index.
That first page is held short and read whole once a row beyond it is asked for.

At start-up the total may come later, counted off the UI thread (``count_later``); until
then the model grows a page at a time as the view asks (``fetchMore``). A change of
one contact (the campaign flag) shows at once, announced with a targeted ``dataChanged``
(not a reset), and is saved off the UI thread by a ``CampaignWriter``; a save that fails
puts the saved flag back and says why (``campaign_failed``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_query import ContactFilter, SortKey
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.rows import ContactRow, Performance, SyncStatus
from pipedriven_desktop.ui import formatting
from pipedriven_desktop.ui.campaign_writer import CampaignWriter
from pipedriven_desktop.ui.count_reader import count_reader
from pipedriven_desktop.ui.latest_read import LatestRead
from pipedriven_desktop.ui.warmness_delegate import WARMNESS_CELL_ROLE

logger = logging.getLogger(__name__)

#: Rows per page: a tall screen's worth. The first page is read on every keystroke of a
#: search, so rows beyond what is shown cost time there for nothing.
PAGE_SIZE = 64
#: Pages held at most; the ones farthest from the page last read are dropped first.
MAX_PAGES = 32
#: A search's exact count is asked for once typing has paused this long: each keystroke
#: would otherwise start a count (up to most of a second at a million contacts) that the
#: next keystroke makes moot, competing with the table for the processor.
SEARCH_COUNT_PAUSE_MS = 250

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex

_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_EDIT = Qt.ItemDataRole.EditRole.value
_CHECK = Qt.ItemDataRole.CheckStateRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_SERVED_ROLES = frozenset(
    {_DISPLAY, _EDIT, _CHECK, _TOOLTIP, ROW_ROLE, SORT_ROLE, WARMNESS_CELL_ROLE}
)
_CHECKED = Qt.CheckState.Checked
_UNCHECKED = Qt.CheckState.Unchecked
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
_CELL_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHECKABLE_FLAGS = _CELL_FLAGS | Qt.ItemFlag.ItemIsUserCheckable


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
_CAMPAIGN_COLUMN = int(Column.CAMPAIGN)

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
    Column.NEXT_ACTIVITY: "The earliest open activity, an overdue one first",
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

    #: total rows for the filter (-1 while it is being counted), and the performance and
    #: sync status of the first page
    loaded = Signal(int, object, object)
    #: the total, once counted off the UI thread (after ``set_filter(..., count_later=True)``)
    counted = Signal(int)
    #: (contact id, new flag) after a campaign flag was saved
    campaign_changed = Signal(str, bool)
    #: (contact id, flag asked for, message) when a save failed; the row shows the saved flag
    campaign_failed = Signal(str, bool, str)
    #: (contact id, flag asked for) while another writer holds the mirror; still saving
    campaign_waiting = Signal(str, bool)

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
        #: rows a search's keystroke reads: what the view shows (a page until it says)
        self._first_rows = page_size
        self._filter = ContactFilter()
        #: held pages by number: page n holds rows n*page_size onwards
        self._pages: dict[int, list[ContactRow]] = {}
        self._row_of: dict[str, int] = {}
        #: rows the view sees; the total once known, else the rows read so far
        self._extent = 0
        #: the exact count; None while it is being counted
        self._count: int | None = 0
        #: a page came back short while growing: there is nothing after it
        self._exhausted = False
        self._hot: tuple[int, list[ContactRow]] = (-1, [])
        self._counter: LatestRead | None = None
        self._count_pause = QTimer(self)
        self._count_pause.setSingleShot(True)
        self._count_pause.setInterval(SEARCH_COUNT_PAUSE_MS)
        self._count_pause.timeout.connect(self._request_count)
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
        """How many contacts match the filter (the rows so far while still counting)."""
        return self._extent if self._count is None else self._count

    @property
    def total_known(self) -> bool:
        return self._count is not None

    def held_pages(self) -> list[int]:
        """The numbers of the pages in memory (the rest are read again when shown)."""
        return sorted(self._pages)

    def row(self, row: int) -> ContactRow | None:
        """The contact at ``row``, reading its page if it is not held."""
        if not 0 <= row < self._extent:
            return None
        number, slot = divmod(row, self._page_size)
        hot_number, rows = self._hot
        if number != hot_number:
            rows = self._page(number)
            self._hot = (number, rows)
        if slot < len(rows):
            return rows[slot]
        rows = self._complete(number)
        self._hot = (number, rows)
        return rows[slot] if slot < len(rows) else None

    def text_at(self, row: int, column: int) -> str | None:
        """A cell's display text, for delegates that paint it without a ``data()`` round trip."""
        found = self.row(row)
        if found is None or not 0 <= column < _COLUMN_COUNT:
            return None
        return self._display(found, _COLUMNS[column])

    def column_texts(self, column: Column, limit: int) -> list[str]:
        """The display texts of ``column`` in the first ``limit`` rows (for sizing columns)."""
        first = self._pages.get(0, [])
        return [self._display(row, column) or "" for row in first[:limit]]

    def all_contacts_count(self) -> int | None:
        """How many contacts the same filter finds in All contacts; None when it is All already."""
        if self._filter.owner_id is None:
            return None
        return self._service.count_in_all_contacts(self._filter)

    def row_of(self, contact_id: str) -> int | None:
        """The model row holding ``contact_id``, if it has been fetched."""
        return self._row_of.get(contact_id)

    def set_first_rows(self, rows: int) -> None:
        """How many rows the view shows: a search's keystroke reads no more (up to a page)."""
        self._first_rows = max(1, min(rows, self._page_size))

    def set_filter(self, contact_filter: ContactFilter, *, count_later: bool = False) -> None:
        """Show the contacts matching ``contact_filter`` from the top.

        ``count_later``: read only the first page now and count the rest off the UI thread
        (start-up: a full count grows with the mirror); ``counted`` says when it is known.
        A search always counts later unless its count is as cheap as its page: the exact
        count of a broad term reads every hit, far longer than a keystroke may take.
        """
        self._filter = contact_filter
        if count_later or contact_filter.search:
            self._load_counting_later(pause=not count_later)
        else:
            self._load(self._page_size)

    def set_sort(self, key: SortKey, descending: bool) -> None:
        if (key, descending) != (self._filter.sort, self._filter.descending):
            self.set_filter(replace(self._filter, sort=key, descending=descending))

    def reload(self, around: int | None = None) -> None:
        """Read the same filter again (after a sync): the first page, and the page holding row
        ``around`` (the current one, so it can be found again); others as they are shown.

        A search whose current row is on the first page counts later, as a keystroke does:
        a sync must not make the UI thread count every hit of a broad search."""
        if self._filter.search and (around is None or around < self._page_size):
            self._load_counting_later(first=max(self._first_rows, (around or 0) + 1))
            return
        self._load(self._page_size, around)

    def _load(self, limit: int, around: int | None = None) -> None:
        # Read first, reset after: a failing read leaves the model as it was. One page gives the
        # rows (with their next activity), the total, the timing and the sync status.
        page = self._service.page(self._filter, 1, limit, with_activities=False)
        self._reset(self._with_pending(page.rows), page.pagination.total, around)
        self.performance = page.performance
        self.sync_status = page.sync_status
        self.loaded.emit(self.total, page.performance, page.sync_status)

    def _load_counting_later(self, *, pause: bool = False, first: int | None = None) -> None:
        """The rows the view shows now (``first``: at least so many, up to a page); the
        count from a worker thread unless it is as cheap as the rows. ``pause``: ask for it
        only once typing has paused."""
        started = time.perf_counter()
        wanted = min(self._page_size, max(first or 0, self._first_rows))
        rows = self._service.window(self._filter, 0, wanted)
        status = self._service.sync_status()
        elapsed = (time.perf_counter() - started) * 1000
        short = len(rows) < wanted
        count = len(rows) if short else self._service.count_if_cheap(self._filter)
        self._reset(self._with_pending(rows), count)
        self.performance = Performance(query_ms=elapsed, cache_hit=False, total_ms=elapsed)
        self.sync_status = status
        if count is None and pause:
            self._count_pause.start()
        elif count is None:
            self._request_count()
        self.loaded.emit(-1 if count is None else count, self.performance, status)

    def _request_count(self) -> None:
        if self._count is None:
            self._count_reader().request(self._filter)

    def _reset(self, first: list[ContactRow], count: int | None, around: int | None = None) -> None:
        self.beginResetModel()
        self._count_pause.stop()
        if self._counter is not None:
            self._counter.cancel()
        self._now = utcnow()
        self._pages = {0: first} if first else {}
        self._row_of = {row.id: index for index, row in enumerate(first)}
        self._hot = (-1, [])
        self._count = count
        self._exhausted = False
        self._extent = len(first) if count is None else count
        if around is not None and 0 <= around < self._extent:
            self._page(around // self._page_size)  # held before the view looks for it
        self.endResetModel()

    def _count_reader(self) -> LatestRead:
        if self._counter is None:
            self._counter = count_reader(self._db.path, self)
            self._counter.answered.connect(self._on_counted)
        return self._counter

    def _on_counted(self, contact_filter: object, count: object) -> None:
        if not isinstance(count, int) or not isinstance(contact_filter, ContactFilter):
            return
        if contact_filter != self._filter or self._count is not None:
            return  # a later filter replaced it, or growing found the end first
        self._service.remember_count(contact_filter, count)
        self._set_count(max(count, self._extent))

    def _set_count(self, count: int) -> None:
        self._count = count
        if count > self._extent:
            self.beginInsertRows(QModelIndex(), self._extent, count - 1)
            self._extent = count
            self.endInsertRows()
        self.counted.emit(count)

    # -- pages ----------------------------------------------------------------------------------

    def _page(self, number: int) -> list[ContactRow]:
        rows = self._pages.get(number)
        if rows is None:
            rows = self._with_pending(self._read_page(number))
            self._hold(number, rows)
        return rows

    def _complete(self, number: int) -> list[ContactRow]:
        """Page ``number`` with the rows after those held, when it was read short (a search's
        first rows), the held ones kept as they are. The first page is read again whole:
        for a broad search that is a walk from the top (tens of ms at a million contacts),
        where seeking after its last row costs several times as much."""
        rows = self._page(number)
        start = number * self._page_size
        wanted = min(
            self._page_size, self._page_size if self._count is None else self._count - start
        )
        if len(rows) >= wanted or not rows:
            return rows
        if number == 0:
            more = self._service.window(self._filter, 0, wanted)[len(rows) :]
        else:
            more = self._service.after(self._filter, rows[-1].id, wanted - len(rows)) or ()
        if not more:
            return rows
        rows = rows + self._with_pending(more)
        self._hold(number, rows)
        return rows

    def _read_page(self, number: int) -> Iterable[ContactRow]:
        """Page ``number``, from a held neighbour's edge row when there is one."""
        size = self._page_size
        start = number * size
        wanted = size if self._count is None else max(0, min(size, self._count - start))
        if wanted == 0:
            return ()
        before = self._pages.get(number - 1)
        if before is not None and len(before) == size:
            found = self._service.after(self._filter, before[-1].id, wanted)
            if found is not None:
                return found
        behind = self._pages.get(number + 1)
        if behind and wanted == size:
            found = self._service.after(self._filter, behind[0].id, wanted, backwards=True)
            if found is not None:
                return reversed(found)
        if self._count is not None and self._count - (start + wanted) < start:
            return reversed(
                self._service.from_end(self._filter, self._count - start - wanted, wanted)
            )
        return self._service.window(self._filter, start, wanted)

    def _hold(self, number: int, rows: list[ContactRow]) -> None:
        """Keep page ``number``; drop the pages farthest from it beyond ``MAX_PAGES``."""
        self._pages[number] = rows
        start = number * self._page_size
        for offset, row in enumerate(rows):
            self._row_of[row.id] = start + offset
        while len(self._pages) > MAX_PAGES:
            farthest = max(self._pages, key=lambda held: abs(held - number))
            for row in self._pages.pop(farthest):
                self._row_of.pop(row.id, None)
            if self._hot[0] == farthest:
                self._hot = (-1, [])

    # -- Qt model interface ---------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._extent

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(Column)

    def canFetchMore(self, parent: _Index) -> bool:
        """Only while the total is still being counted: then the rows grow a page at a time."""
        return not parent.isValid() and self._count is None and not self._exhausted

    def fetchMore(self, parent: _Index) -> None:
        if not self.canFetchMore(parent):
            return
        number, held = divmod(self._extent, self._page_size)
        if held:  # the last page holds only the first rows a search read: its rest
            rows = self._complete(number)
            fresh = rows[held:]
            self._hot = (number, rows)
        else:
            fresh = self._with_pending(self._read_page(number))
        if fresh:
            self.beginInsertRows(QModelIndex(), self._extent, self._extent + len(fresh) - 1)
            if not held:
                self._hold(number, fresh)
            self._extent += len(fresh)
            self.endInsertRows()
        if held + len(fresh) < self._page_size:
            self._exhausted = True
            self._set_count(self._extent)  # the end was found before the count came

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
        # Asked for every visible cell on each paint: precomputed, no enum arithmetic.
        if not index.isValid():
            return _NO_FLAGS
        return _CHECKABLE_FLAGS if index.column() == _CAMPAIGN_COLUMN else _CELL_FLAGS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every visible cell on each paint: reject early, cheaply.
        if role not in _SERVED_ROLES:
            return None
        column_number = index.column()
        if not 0 <= column_number < _COLUMN_COUNT:
            return None
        row = self.row(index.row())
        if row is None:
            return None
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
        if role == WARMNESS_CELL_ROLE:
            return (row.warmness_score, row.score_move) if column is Column.WARMNESS else None
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
            held = self.row(row_number) if row_number is not None else None
            shown = held.added_to_campaign if held is not None else None
            pending = self._pending[contact_id] = _PendingFlag(wanted=flag, stored=shown)
        pending.wanted = flag
        pending.in_flight += 1
        self._show_flag(contact_id, flag)
        self._campaign_writer().submit(contact_id, flag)

    def saves_in_flight(self) -> int:
        return sum(pending.in_flight for pending in self._pending.values())

    def wait_for_saves(self, msecs: int = -1) -> bool:
        """Block until queued saves (and a count) have ended, before the database closes;
        False on timeout."""
        counted = self._counter is None or self._counter.wait(msecs)
        return (self._writer is None or self._writer.wait(msecs)) and counted

    def _campaign_writer(self) -> CampaignWriter:
        if self._writer is None:
            self._writer = CampaignWriter(self._db.path, self)
            self._writer.saved.connect(self._on_campaign_saved)
            self._writer.failed.connect(self._on_campaign_failed)
            self._writer.waiting.connect(self.campaign_waiting)
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
        row = self.row(row_number) if row_number is not None else None
        if row_number is None or row is None or row.added_to_campaign == flag:
            return
        number, slot = divmod(row_number, self._page_size)
        self._pages[number][slot] = replace(row, added_to_campaign=flag)
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
        return _next_activity_text(row.next_activity, self._now.date())

    def _tooltip(self, row: ContactRow, column: Column) -> str | None:
        if column is Column.CAMPAIGN:
            return "In campaign" if row.added_to_campaign else "Not in campaign"
        if column is Column.LAST_CONTACTED:
            return formatting.full_datetime(row.last_contacted)
        if column is Column.NEXT_ACTIVITY:
            if row.next_activity is None:
                return "No open activity"
            day, today = row.next_activity, self._now.date()
            if day >= today:
                return formatting.full_date(day)
            late = (today - day).days
            return (
                f"Overdue: {formatting.full_date(day)}, {late:,} day{'s' if late > 1 else ''} ago"
            )
        if column is Column.WARMNESS:
            return (
                f"Warmness {row.warmness_score} of 10{formatting.score_move_text(row.score_move)}"
            )
        text = self._display(row, column)
        return text or None

    def now(self) -> datetime:
        return self._now


def _next_activity_text(day: date | None, today: date) -> str:
    """The next open activity's day; one already past says "overdue", short enough for
    the column (the tooltip gives its day)."""
    if day is not None and day < today:
        return "overdue"
    return formatting.relative_day(day, today)
