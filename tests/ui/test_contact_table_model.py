"""The contact table's model: paging, SQL sorting, the campaign flag, roles."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, Qt

from pipedriven_desktop.store.contact_query import ContactFilter, SortKey
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.rows import ContactRow
from pipedriven_desktop.ui.contact_table_model import (
    MAX_PAGES,
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


def test_model_has_a_row_per_contact_and_reads_a_page_when_it_is_shown(
    populated_db: Database,
) -> None:
    model = make_model(populated_db)
    assert model.total == model.rowCount() == CONTACTS
    assert model.held_pages() == [0]
    assert not model.canFetchMore(QModelIndex())  # the total is known: nothing to grow
    assert model.index(2 * PAGE_SIZE + 5, Column.NAME).data()
    assert model.held_pages() == [0, 2]
    everyone = ContactService(populated_db).window(ContactFilter(), 0, CONTACTS)
    assert [row.id for row in rows(model)] == [row.id for row in everyone]


def offset_ids(db: Database, contact_filter: ContactFilter) -> list[str]:
    return [row.id for row in ContactService(db).window(contact_filter, 0, CONTACTS)]


def paged_model(db: Database, contact_filter: ContactFilter, page_size: int) -> ContactTableModel:
    model = ContactTableModel(ContactService(db), db, page_size=page_size)
    model.set_filter(contact_filter)
    return model


def test_scrolling_through_every_row_seeks_page_after_page_and_drops_far_pages(
    populated_db: Database,
) -> None:
    contact_filter = ContactFilter(sort=SortKey.NAME, descending=True)
    model = paged_model(populated_db, contact_filter, page_size=5)
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    seen = [model.row(number) for number in range(model.rowCount())]
    populated_db.reader().set_trace_callback(None)
    assert [row.id for row in seen if row is not None] == offset_ids(populated_db, contact_filter)
    assert not any("OFFSET" in sql and "OFFSET 0" not in sql for sql in statements)
    held = model.held_pages()
    assert len(held) == MAX_PAGES  # memory stays bounded whatever the size
    assert held[-1] == (CONTACTS - 1) // 5
    assert held[0] == held[-1] - MAX_PAGES + 1
    first = seen[0]
    assert first is not None
    assert model.row_of(first.id) is None


def test_the_end_is_read_from_the_reversed_order_and_scrolling_up_seeks_backwards(
    populated_db: Database,
) -> None:
    contact_filter = ContactFilter(owner_id=OWNER_ID)
    expected = offset_ids(populated_db, contact_filter)
    model = paged_model(populated_db, contact_filter, page_size=7)
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    upwards = [model.row(number) for number in reversed(range(model.rowCount()))]
    populated_db.reader().set_trace_callback(None)
    assert [row.id for row in reversed(upwards) if row is not None] == expected
    assert not any("OFFSET" in sql and "OFFSET 0" not in sql for sql in statements)
    assert any("ORDER BY c.added_to_campaign ASC" in sql for sql in statements)  # reversed


def test_a_page_dropped_and_shown_again_is_read_again(populated_db: Database) -> None:
    model = paged_model(populated_db, ContactFilter(), page_size=4)
    first = model.row(0)
    for number in range(model.rowCount()):
        model.row(number)
    assert 0 not in model.held_pages()
    again = model.row(0)
    assert first is not None
    assert again is not None
    assert again.id == first.id
    assert model.row_of(first.id) == 0


def test_while_counting_later_the_rows_grow_by_pages_until_the_count_comes(
    populated_db: Database, qtbot: Any
) -> None:
    model = ContactTableModel(ContactService(populated_db), populated_db)
    loaded: list[int] = []
    model.loaded.connect(lambda total, *_: loaded.append(total))
    with qtbot.waitSignal(model.counted, timeout=5000) as counted:
        model.set_filter(ContactFilter(), count_later=True)
        assert loaded == [-1]
        assert not model.total_known
        assert model.rowCount() == PAGE_SIZE
        assert model.canFetchMore(QModelIndex())
        model.fetchMore(QModelIndex())
        assert model.rowCount() == 2 * PAGE_SIZE
    assert counted.args == [CONTACTS]
    assert model.total_known
    assert model.rowCount() == CONTACTS
    assert [row.id for row in rows(model)] == offset_ids(populated_db, ContactFilter())
    model.wait_for_saves()


def test_default_order_is_my500(populated_db: Database) -> None:
    service = ContactService(populated_db)
    owned = ContactFilter(owner_id=OWNER_ID)
    model = make_model(populated_db, owned)
    expected = [row.id for row in service.window(owned, 0, PAGE_SIZE)]
    assert [row.id for row in rows(model)][:PAGE_SIZE] == expected
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


def test_the_warmness_cell_is_painted_from_the_models_one_answer(
    populated_db: Database, qtbot: Any
) -> None:
    """The table's own model answers the delegate's one question (it must serve the role)."""
    from PySide6.QtWidgets import QTableView

    from pipedriven_desktop.ui.warmness_delegate import (
        PADDING,
        TEXT_WIDTH,
        WARMNESS_CELL_ROLE,
        WarmnessDelegate,
        warmness_color,
    )

    model = make_model(populated_db)
    hot = next(i for i, c in enumerate(rows(model)) if c.warmness_score >= 8)
    contact = model.row(hot)
    assert contact is not None
    answer = model.index(hot, Column.WARMNESS).data(WARMNESS_CELL_ROLE)
    assert answer == (contact.warmness_score, contact.score_move)

    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setItemDelegateForColumn(Column.WARMNESS, WarmnessDelegate(view))
    view.setColumnWidth(Column.WARMNESS, WarmnessDelegate.WIDTH)
    view.resize(1200, (hot + 3) * 40)  # tall enough to show the row without scrolling
    image = view.grab().toImage()
    cell = view.visualRect(model.index(hot, Column.WARMNESS)).translated(view.viewport().pos())
    bar = image.pixelColor(cell.left() + PADDING // 2 + TEXT_WIDTH + PADDING + 4, cell.center().y())
    expected = warmness_color(contact.warmness_score)
    assert abs(bar.red() - expected.red()) < 25
    assert abs(bar.blue() - expected.blue()) < 25


def test_an_overdue_next_activity_says_so(populated_db: Database) -> None:
    model = make_model(populated_db)
    today = model._now.date()
    shown = {row.next_activity: i for i, row in enumerate(rows(model)) if row.next_activity}
    past = [day for day in shown if day < today]
    ahead = [day for day in shown if day >= today]
    assert past  # the fixture has both
    assert ahead
    cell = model.index(shown[past[0]], Column.NEXT_ACTIVITY)
    late = (today - past[0]).days
    assert cell.data() == "overdue"
    tip = cell.data(Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("Overdue: ")
    assert tip.endswith(f", {late} day{'s' if late > 1 else ''} ago")
    cell = model.index(shown[ahead[0]], Column.NEXT_ACTIVITY)
    assert "overdue" not in cell.data()
    assert not cell.data(Qt.ItemDataRole.ToolTipRole).startswith("Overdue")
