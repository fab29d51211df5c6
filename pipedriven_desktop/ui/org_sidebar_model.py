"""The sidebar's model: All contacts, No organization, then organizations, largest first.

Organizations are few compared with contacts (and the sidebar filter narrows them in
SQL), so the model holds every matching organization as a plain row.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from pipedriven_desktop.store.rows import OrganizationRow
from pipedriven_desktop.ui import formatting

#: Keys of the two fixed entries; any other key is an organization id.
ALL_CONTACTS = "__all__"
NO_ORGANIZATION = "__none__"

#: The count of a fixed entry while the full list is still being read.
UNKNOWN_COUNT = -1

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2

_Index = QModelIndex | QPersistentModelIndex


class SidebarColumn(IntEnum):
    NAME = 0
    COUNT = 1


@dataclass(frozen=True)
class SidebarEntry:
    key: str
    name: str
    count: int
    fixed: bool = False


class CompactOrganizations:
    """The organizations as two arrays (rowids, largest first, and counts in scope), their
    ids and names read a chunk at a time as they are shown: a row object per organization
    took 170 MiB at 200,000 organizations.

    ``names_of(rowids)`` gives (id, name) by rowid; ``rowid_of(id)`` an organization's rowid.
    """

    CHUNK = 256
    #: chunks of names kept; more are read again when shown
    MAX_CHUNKS = 32

    def __init__(
        self,
        rowids: array[int],
        counts: array[int],
        names_of: Callable[[list[int]], dict[int, tuple[str, str]]],
        rowid_of: Callable[[str], int | None],
    ) -> None:
        self._rowids = rowids
        self._counts = counts
        self._names_of = names_of
        self._rowid_of = rowid_of
        self._chunks: dict[int, list[tuple[str, str]]] = {}

    def __len__(self) -> int:
        return len(self._rowids)

    def entry(self, index: int) -> tuple[str, str, int]:
        """(id, name, count) of the organization at ``index``."""
        number, slot = divmod(index, self.CHUNK)
        chunk = self._chunks.get(number)
        if chunk is None:
            rowids = list(self._rowids[number * self.CHUNK : (number + 1) * self.CHUNK])
            names = self._names_of(rowids)
            chunk = [names.get(rowid, ("", "")) for rowid in rowids]
            if len(self._chunks) >= self.MAX_CHUNKS:
                self._chunks.clear()
            self._chunks[number] = chunk
        org_id, name = chunk[slot]
        return org_id, name, self._counts[index]

    def index_of(self, org_id: str) -> int | None:
        rowid = self._rowid_of(org_id)
        if rowid is None:
            return None
        try:
            return self._rowids.index(rowid)
        except ValueError:
            return None


class OrgSidebarModel(QAbstractTableModel):
    """Entries of the organization sidebar; ``KEY_ROLE`` gives what to filter by.

    The store's rows are kept as they come (no per-row copies): at 20,000 organizations
    building the list is a single tuple concatenation.
    """

    FIXED_ROWS = 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fixed = (
            SidebarEntry(ALL_CONTACTS, "All contacts", 0, fixed=True),
            SidebarEntry(NO_ORGANIZATION, "No organization", 0, fixed=True),
        )
        self._orgs: tuple[OrganizationRow, ...] = ()
        self._compact: CompactOrganizations | None = None
        self._row_by_id: dict[str, int] | None = None
        #: counts are the user's contacts only (My-500), not every owner's
        self._scoped = False

    def set_data(
        self,
        all_count: int,
        no_org_count: int,
        organizations: tuple[OrganizationRow, ...],
        *,
        scoped: bool = False,
    ) -> None:
        """Replace every entry (a reset: the whole list may have changed after a sync)."""
        self.beginResetModel()
        self._scoped = scoped
        self._fixed = (
            SidebarEntry(ALL_CONTACTS, "All contacts", all_count, fixed=True),
            SidebarEntry(NO_ORGANIZATION, "No organization", no_org_count, fixed=True),
        )
        self._orgs = organizations
        self._compact = None
        self._row_by_id = None
        self.endResetModel()

    def set_compact(
        self,
        all_count: int,
        no_org_count: int,
        organizations: CompactOrganizations,
        *,
        scoped: bool = False,
    ) -> None:
        """Like ``set_data``, from the compact form (names read as rows are shown)."""
        self.set_data(all_count, no_org_count, (), scoped=scoped)
        self.beginResetModel()
        self._compact = organizations
        self.endResetModel()

    def entry(self, row: int) -> SidebarEntry | None:
        if 0 <= row < self.FIXED_ROWS:
            return self._fixed[row]
        index = row - self.FIXED_ROWS
        if self._compact is not None:
            if not 0 <= index < len(self._compact):
                return None
            org_id, name, count = self._compact.entry(index)
            return SidebarEntry(org_id, name, count)
        if 0 <= index < len(self._orgs):
            org = self._orgs[index]
            return SidebarEntry(org.id, org.name, org.contact_count)
        return None

    def row_of(self, key: str) -> int | None:
        for row, fixed in enumerate(self._fixed):
            if fixed.key == key:
                return row
        if self._compact is not None:
            index = self._compact.index_of(key)
            return None if index is None else index + self.FIXED_ROWS
        if self._row_by_id is None:
            self._row_by_id = {
                org.id: row for row, org in enumerate(self._orgs, start=self.FIXED_ROWS)
            }
        return self._row_by_id.get(key)

    def count_text(self, row: int) -> str:
        """The count as shown; No organization adds its share of all ("48 · 10 %")."""
        entry = self.entry(row)
        if entry is None:
            return ""
        if entry.count == UNKNOWN_COUNT:
            return "…"
        if entry.key != NO_ORGANIZATION:
            return formatting.count(entry.count)
        total = self._fixed[0].count
        share = round(100 * entry.count / total) if total else 0
        return f"{formatting.count(entry.count)} · {share} %"

    def organization_count(self) -> int:
        return len(self._compact) if self._compact is not None else len(self._orgs)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self.FIXED_ROWS + self.organization_count()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SidebarColumn)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(SidebarColumn)
        ):
            return ("Organization", "Contacts")[section]
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        entry = self.entry(index.row())
        if entry is None or not 0 <= index.column() < len(SidebarColumn):
            return None
        column = SidebarColumn(index.column())
        if role == KEY_ROLE:
            return entry.key
        if role == SORT_ROLE:
            return entry.count if column is SidebarColumn.COUNT else entry.name.casefold()
        if role == Qt.ItemDataRole.DisplayRole:
            if column is SidebarColumn.NAME:
                return entry.name
            return self.count_text(index.row())
        if role == Qt.ItemDataRole.ToolTipRole:
            owners = " of yours" if self._scoped else ", all owners"
            if entry.count == UNKNOWN_COUNT:
                return f"{entry.name}: counting the contacts{owners}…"
            return f"{entry.name}: {formatting.plural(entry.count, 'contact')}{owners}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column is SidebarColumn.COUNT:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if role == Qt.ItemDataRole.FontRole and entry.fixed:
            font = QFont()
            font.setWeight(QFont.Weight.DemiBold)
            return font
        return None
