"""Start-up: nothing read before the first paint grows with the mirror.

No organization list, no count of every contact: one page of rows, then the count from a
worker thread, then the sidebar (a screenful by index, the full list off the UI thread).
"""

from __future__ import annotations

import re
from typing import Any

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.org_sidebar import PREVIEW_ROWS, OrgSidebar
from pipedriven_desktop.ui.org_sidebar_model import (
    ALL_CONTACTS,
    CompactOrganizations,
    SidebarColumn,
)
from tests.ui.conftest import CONTACTS, OWNER_ID

#: Statements whose cost grows with the mirror: an organization list, a grouped pass, a count
#: of contacts.
GROWING = re.compile(
    r"FROM organizations|GROUP BY organization_id|count\(.*FROM contacts", re.IGNORECASE | re.DOTALL
)


def test_nothing_before_the_first_paint_lists_organizations_or_counts_contacts(
    populated_db: Database, settings: AppSettings, qtbot: Any, monkeypatch: Any
) -> None:
    painted: list[bool] = []
    before_paint: list[str] = []
    built: list[MainWindow] = []

    def record(sql: str) -> None:
        # A count that comes back before the paint is not on the way to it.
        if not painted and not (built and built[0].model.total_known):
            before_paint.append(sql)

    populated_db.reader().set_trace_callback(record)
    sidebar_reads: list[str] = []
    original = OrgQueries.sidebar

    def spy(self: OrgQueries, owner_id: int | None, search: str = "") -> Any:
        sidebar_reads.append("before paint" if not painted else "after paint")
        return original(self, owner_id, search)

    monkeypatch.setattr(OrgQueries, "sidebar", spy)

    window = MainWindow(populated_db, settings)
    qtbot.addWidget(window)
    built.append(window)
    assert not window.model.total_known
    window.table.view.first_painted.connect(lambda: painted.append(True))
    window.show()
    qtbot.waitUntil(lambda: bool(painted), timeout=5000)
    populated_db.reader().set_trace_callback(None)

    assert any("FROM contacts" in sql or "contacts c" in sql for sql in before_paint)
    assert [sql for sql in before_paint if GROWING.search(sql)] == []
    assert "before paint" not in sidebar_reads

    # The count and the sidebar follow, off the UI thread.
    qtbot.waitUntil(lambda: window.model.total_known and window.sidebar.complete, timeout=5000)
    assert window.model.total == window.service.count(ContactFilter(owner_id=OWNER_ID))
    assert window.table.headline.text() != "My-500"  # the counted headline replaced "counting…"
    expected = OrgQueries(populated_db).sidebar(OWNER_ID)
    assert window.sidebar.model.organization_count() == len(expected.organizations)
    assert window.sidebar.model.count_text(0) == str(expected.all_count)
    window.close()


def test_the_sidebar_shows_the_largest_organizations_first_and_the_full_list_later(
    populated_db: Database, qtbot: Any
) -> None:
    sidebar = OrgSidebar(OrgQueries(populated_db), db=populated_db)
    qtbot.addWidget(sidebar)
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    with qtbot.waitSignal(sidebar.loaded, timeout=5000):
        sidebar.load_lazily(ContactFilter())
        populated_db.reader().set_trace_callback(None)
        assert not sidebar.complete
        preview = sidebar.model.organization_count()
        assert 0 < preview <= PREVIEW_ROWS
        assert sidebar.model.index(0, SidebarColumn.COUNT).data() == "…"  # not counted yet
        assert not any("GROUP BY" in sql for sql in statements)  # by index, not a pass
        first = sidebar.model.entry(2)
    assert sidebar.complete
    everyone = OrgQueries(populated_db).sidebar(None)
    assert sidebar.model.organization_count() == len(everyone.organizations) > preview
    assert sidebar.model.index(0, SidebarColumn.COUNT).data() == str(CONTACTS)
    assert first is not None
    assert first.count == everyone.organizations[0].contact_count  # the largest, either way
    assert sidebar.selected_key == ALL_CONTACTS
    sidebar.wait()


def test_the_sidebar_filter_narrows_the_list_read_off_the_ui_thread_without_a_query(
    populated_db: Database, qtbot: Any
) -> None:
    sidebar = OrgSidebar(OrgQueries(populated_db), db=populated_db)
    qtbot.addWidget(sidebar)
    with qtbot.waitSignal(sidebar.loaded, timeout=5000):
        sidebar.load_lazily(ContactFilter(owner_id=OWNER_ID))
    name = sidebar.model.entry(2)
    assert name is not None
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    sidebar.filter_edit.setText(name.name)
    sidebar.refresh()
    populated_db.reader().set_trace_callback(None)
    assert not any("GROUP BY" in sql for sql in statements)
    shown = [sidebar.model.entry(row) for row in range(2, sidebar.model.rowCount())]
    assert name.key in {entry.key for entry in shown if entry is not None}
    assert sidebar.model.organization_count() < len(
        OrgQueries(populated_db).sidebar(OWNER_ID).organizations
    )
    sidebar.wait()


def test_the_full_list_is_held_as_arrays_and_names_are_read_a_chunk_at_a_time(
    populated_db: Database, qtbot: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(CompactOrganizations, "CHUNK", 10)
    sidebar = OrgSidebar(OrgQueries(populated_db), db=populated_db)
    qtbot.addWidget(sidebar)
    with qtbot.waitSignal(sidebar.loaded, timeout=5000):
        sidebar.load_lazily(ContactFilter(owner_id=OWNER_ID))
    expected = OrgQueries(populated_db).sidebar(OWNER_ID).organizations
    statements: list[str] = []
    populated_db.reader().set_trace_callback(statements.append)
    shown = [sidebar.model.entry(row) for row in range(2, sidebar.model.rowCount())]
    populated_db.reader().set_trace_callback(None)
    assert [(e.key, e.name, e.count) for e in shown if e is not None] == [
        (org.id, org.name, org.contact_count) for org in expected
    ]
    name_reads = [sql for sql in statements if "FROM organizations" in sql]
    assert len(name_reads) == -(-len(expected) // 10)  # one per chunk of ten
    last = expected[-1]
    assert sidebar.model.row_of(last.id) == 1 + len(expected)
    sidebar.wait()


def test_the_overdue_and_outbox_counts_are_read_after_the_first_paint(
    populated_db: Database, settings: AppSettings, qtbot: Any, monkeypatch: Any
) -> None:
    """Both counts grow with the mirror (overdue activities, the outbox): not on the way."""
    from pipedriven_desktop.ui import window_actions
    from pipedriven_desktop.ui.actions_controller import ActionsController

    painted: list[bool] = []
    reads: list[str] = []
    original_today = window_actions.WindowActions.read_today
    original_outbox = ActionsController.load_outbox

    def today_spy(self: Any, with_agenda: bool | None = None) -> Any:
        reads.append(f"today {'after' if painted else 'before'} paint")
        return original_today(self, with_agenda)

    def outbox_spy(self: Any) -> Any:
        reads.append(f"outbox {'after' if painted else 'before'} paint")
        return original_outbox(self)

    monkeypatch.setattr(window_actions.WindowActions, "read_today", today_spy)
    monkeypatch.setattr(ActionsController, "load_outbox", outbox_spy)

    window = MainWindow(populated_db, settings)
    qtbot.addWidget(window)
    window.table.view.first_painted.connect(lambda: painted.append(True))
    window.show()
    qtbot.waitUntil(lambda: len(reads) >= 2, timeout=5000)
    assert sorted(reads) == ["outbox after paint", "today after paint"]
    window.close()
