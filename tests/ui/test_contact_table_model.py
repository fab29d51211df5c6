"""The contact table's model: paging, SQL sorting, the campaign flag, roles."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from pipedriven_desktop.store.contact_query import ContactFilter, SortKey
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.rows import ContactRow
from pipedriven_desktop.ui.contact_table_model import (
    PAGE_SIZE,
    ROW_ROLE,
    SORT_ROLE,
    Column,
    ContactTableModel,
)
from tests.ui.conftest import CONTACTS, OWNER_ID


def rows(model: ContactTableModel) -> list[ContactRow]:
    """The rows the model holds now."""
    found = [model.row(i) for i in range(model.rowCount())]
    assert all(row is not None for row in found)
    return [row for row in found if row is not None]


def make_model(db: Database, contact_filter: ContactFilter | None = None) -> ContactTableModel:
    model = ContactTableModel(ContactService(db), db)
    model.set_filter(contact_filter or ContactFilter())
    return model


def test_model_passes_qt_model_tester(populated_db: Database, qtmodeltester: Any) -> None:
    model = make_model(populated_db)
    qtmodeltester.check(model)
    model.fetchMore(QModelIndex())
    qtmodeltester.check(model)


def test_model_holds_only_the_pages_the_view_asked_for(populated_db: Database) -> None:
    model = make_model(populated_db)
    assert model.total == CONTACTS
    assert model.rowCount() == PAGE_SIZE
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert model.rowCount() == min(CONTACTS, 2 * PAGE_SIZE)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == CONTACTS
    assert len({row.id for row in rows(model)}) == CONTACTS


def test_default_order_is_my500(populated_db: Database) -> None:
    service = ContactService(populated_db)
    owned = ContactFilter(owner_id=OWNER_ID)
    model = make_model(populated_db, owned)
    expected = [row.id for row in service.window(owned, 0, PAGE_SIZE)]
    assert [row.id for row in rows(model)] == expected
    flags = [row.added_to_campaign for row in rows(model)]
    assert flags == sorted(flags, reverse=True)  # campaign first


def test_header_click_sorts_in_sql_and_clearing_returns_to_my500(populated_db: Database) -> None:
    model = make_model(populated_db)
    my500 = [row.id for row in rows(model)]
    with_reset: list[int] = []
    model.modelReset.connect(lambda: with_reset.append(1))

    model.sort(Column.NAME, Qt.SortOrder.AscendingOrder)
    assert model.contact_filter.sort is SortKey.NAME
    names = [model.index(i, Column.NAME).data(SORT_ROLE) for i in range(model.rowCount())]
    assert names == sorted(names)

    model.sort(Column.WARMNESS, Qt.SortOrder.DescendingOrder)
    scores = [row.warmness_score for row in rows(model)]
    assert scores == sorted(scores, reverse=True)

    model.sort(-1)
    assert model.contact_filter.sort.value == SortKey.MY500.value
    assert [row.id for row in rows(model)] == my500
    assert len(with_reset) == 3


def test_next_activity_column_is_not_sortable(populated_db: Database) -> None:
    model = make_model(populated_db)
    model.sort(Column.NEXT_ACTIVITY, Qt.SortOrder.AscendingOrder)
    assert model.contact_filter.sort is SortKey.MY500


def test_campaign_toggle_shows_at_once_with_a_targeted_change_and_is_saved(
    qtbot: Any, populated_db: Database
) -> None:
    service = ContactService(populated_db)
    model = make_model(populated_db)
    row, contact_id = next(
        (i, contact.id) for i, contact in enumerate(rows(model)) if not contact.added_to_campaign
    )
    changes: list[tuple[int, int, int, int]] = []
    resets: list[int] = []
    model.dataChanged.connect(
        lambda a, b, _roles: changes.append((a.row(), a.column(), b.row(), b.column()))
    )
    model.modelReset.connect(lambda: resets.append(1))

    index = model.index(row, Column.CAMPAIGN)
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    with qtbot.waitSignal(model.campaign_changed) as saved:
        assert model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
        assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
    assert saved.args == [contact_id, True]

    assert changes == [(row, Column.CAMPAIGN, row, Column.CAMPAIGN)]
    assert resets == []
    stored = service.contact(contact_id)
    assert stored is not None
    assert stored.added_to_campaign

    with qtbot.waitSignal(model.campaign_changed):
        assert model.toggle_campaign(row)
    stored = service.contact(contact_id)
    assert stored is not None
    assert not stored.added_to_campaign


def test_only_the_campaign_column_is_checkable(populated_db: Database) -> None:
    model = make_model(populated_db)
    assert model.flags(model.index(0, Column.CAMPAIGN)) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.flags(model.index(0, Column.NAME)) & Qt.ItemFlag.ItemIsUserCheckable
    assert not model.setData(model.index(0, Column.NAME), "x", Qt.ItemDataRole.EditRole)


def test_roles_give_the_row_and_readable_cells(populated_db: Database) -> None:
    model = make_model(populated_db)
    row = model.index(0, Column.NAME).data(ROW_ROLE)
    assert isinstance(row, ContactRow)
    assert model.index(0, Column.NAME).data() == row.name
    assert model.index(0, Column.WARMNESS).data(Qt.ItemDataRole.EditRole) == row.warmness_score
    contacted = next(i for i, c in enumerate(rows(model)) if c.last_contacted is not None)
    cell = model.index(contacted, Column.LAST_CONTACTED)
    assert cell.data().endswith("ago") or cell.data() in {"just now", "yesterday"}
    assert "UTC" in cell.data(Qt.ItemDataRole.ToolTipRole)
    never = [i for i, c in enumerate(rows(model)) if c.last_contacted is None]
    if never:
        assert model.index(never[0], Column.LAST_CONTACTED).data() == "never"
    assert model.headerData(Column.NAME, Qt.Orientation.Horizontal) == "Name"
    assert model.headerData(Column.CAMPAIGN, Qt.Orientation.Horizontal) == "Campaign"


def test_loaded_reports_total_performance_and_sync_status(populated_db: Database) -> None:
    model = ContactTableModel(ContactService(populated_db), populated_db)
    seen: list[tuple[int, Any, Any]] = []
    model.loaded.connect(lambda total, perf, status: seen.append((total, perf, status)))
    model.set_filter(ContactFilter(owner_id=OWNER_ID))
    assert len(seen) == 1
    total, performance, status = seen[0]
    assert total == model.total > 0
    assert performance.query_ms >= 0
    assert status.last_finished is None
