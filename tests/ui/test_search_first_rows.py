"""A search's keystroke reads only the rows the view shows; the rest of its first page is
read when a row beyond them is asked for, and the rows are the plain query's."""

from __future__ import annotations

import math
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex

from pipedriven_desktop.store import contact_service
from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.contact_table_model import ContactTableModel
from pipedriven_desktop.ui.main_window import MainWindow
from tests.store.search_oracle import plain_search_ids
from tests.ui.conftest import OWNER_ID

BROAD = ContactFilter(owner_id=OWNER_ID, search="a")
NARROW = ContactFilter(owner_id=OWNER_ID, search="smith j")


@pytest.fixture(autouse=True)
def _broad_above_ten_hits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(contact_service, "BROAD_SEARCH_HITS", 10)


class CountingService(ContactService):
    """Records how many rows each read for the table asked for."""

    def __init__(self, db: Database) -> None:
        super().__init__(db)
        self.asked: list[tuple[str, int]] = []

    def window(self, contact_filter: ContactFilter, offset: int, limit: int, **kw: Any) -> Any:
        self.asked.append(("window", limit))
        return super().window(contact_filter, offset, limit, **kw)

    def after(self, contact_filter: ContactFilter, contact_id: str, limit: int, **kw: Any) -> Any:
        self.asked.append(("after", limit))
        return super().after(contact_filter, contact_id, limit, **kw)


def shown_ids(model: ContactTableModel) -> list[str]:
    found = [model.row(number) for number in range(model.rowCount())]
    assert all(row is not None for row in found)
    return [row.id for row in found if row is not None]


def test_a_keystroke_reads_the_rows_shown_and_the_rest_of_the_page_when_asked(
    qtbot: Any, populated_db: Database
) -> None:
    service = CountingService(populated_db)
    model = ContactTableModel(service, populated_db, page_size=10)
    model.set_first_rows(4)
    model.set_filter(BROAD)
    assert service.asked == [("window", 4)]
    assert model.rowCount() == 4  # counted later: the rows read so far
    expected = plain_search_ids(populated_db, BROAD)
    assert len(expected) > 20
    assert shown_ids(model) == expected[:4]
    qtbot.waitUntil(lambda: model.total_known, timeout=5000)
    assert model.total == len(expected)
    service.asked.clear()
    assert shown_ids(model) == expected  # every row, the short first page completed
    assert service.asked[0] == ("window", 10)  # the first page read whole, then paged on
    assert service.asked[1:]
    assert all(kind == "after" for kind, _ in service.asked[1:])
    model.wait_for_saves(5000)


def test_growing_before_the_count_completes_the_short_page_first(populated_db: Database) -> None:
    service = CountingService(populated_db)
    model = ContactTableModel(service, populated_db, page_size=10)
    model.set_first_rows(3)
    model.set_filter(BROAD)
    expected = plain_search_ids(populated_db, BROAD)
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 10  # the first page's rest, not a page more
    model.fetchMore(QModelIndex())
    assert model.rowCount() == 20
    assert shown_ids(model) == expected[:20]
    model.wait_for_saves(5000)


def test_a_narrow_search_shown_short_is_counted_and_completed(populated_db: Database) -> None:
    model = ContactTableModel(ContactService(populated_db), populated_db, page_size=10)
    model.set_first_rows(1)
    model.set_filter(NARROW)
    expected = plain_search_ids(populated_db, NARROW)
    assert len(expected) > 1
    assert model.total_known
    assert model.rowCount() == len(expected)
    assert shown_ids(model) == expected


def test_a_reload_keeps_reading_up_to_the_current_row(qtbot: Any, populated_db: Database) -> None:
    service = CountingService(populated_db)
    model = ContactTableModel(service, populated_db, page_size=10)
    model.set_first_rows(3)
    model.set_filter(BROAD)
    qtbot.waitUntil(lambda: model.total_known, timeout=5000)
    current = model.row(7)
    assert current is not None
    service.forget_searches()
    service.asked.clear()
    model.reload(7)
    assert service.asked == [("window", 8)]
    assert model.row_of(current.id) == 7
    model.wait_for_saves(5000)


def test_the_table_tells_the_model_how_many_rows_it_shows(
    qtbot: Any, populated_db: Database, make_window: Any
) -> None:
    window: MainWindow = make_window(populated_db)
    view = window.table.view
    row_height = view.verticalHeader().defaultSectionSize()
    for height in (400, 900):
        window.resize(1100, height)
        qtbot.waitUntil(lambda: view.viewport().height() > 0)
        rows = math.ceil(view.viewport().height() / row_height) + 1
        window.filter_bar.search_edit.setText("a" if height == 400 else "e")
        window.filter_bar.flush()
        if not window.model.total_known:
            assert window.model.rowCount() == rows
        held = [window.model.row(number) for number in range(min(rows, window.model.total))]
        assert all(row is not None for row in held)
        visible_last = view.rowAt(view.viewport().height() - 1)
        assert visible_last < rows
    window.model.wait_for_saves(5000)
