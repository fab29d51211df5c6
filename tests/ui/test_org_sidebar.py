"""The organization sidebar: its model, its filter box, clicks that filter the table."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.org_sidebar import SIDEBAR_MIN_WIDTH, OrgSidebar
from pipedriven_desktop.ui.org_sidebar_model import (
    ALL_CONTACTS,
    KEY_ROLE,
    NO_ORGANIZATION,
    OrgSidebarModel,
    SidebarColumn,
)
from tests.store.org_fixture import ACME, ACME_CORPORATION, LONELY, OWNER, build_org_mirror
from tests.ui.conftest import contacts, entry


def click_row(qtbot: Any, sidebar: OrgSidebar, row: int) -> None:
    index = sidebar.model.index(row, SidebarColumn.NAME)
    sidebar.view.scrollTo(index)
    rect = sidebar.view.visualRect(index)
    qtbot.mouseClick(sidebar.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def table_org_ids(window: MainWindow) -> set[str | None]:
    return {c.organization.id if c.organization else None for c in contacts(window.model)}


def test_model_passes_qt_model_tester(populated_db: Database, qtmodeltester: Any) -> None:
    service = ContactService(populated_db)
    model = OrgSidebarModel()
    qtmodeltester.check(model)
    model.set_data(10, 2, service.organizations())
    qtmodeltester.check(model)


def test_fixed_entries_then_organizations_largest_first(populated_db: Database, qtbot: Any) -> None:
    sidebar = OrgSidebar(OrgQueries(populated_db))
    qtbot.addWidget(sidebar)
    sidebar.set_scope(ContactFilter())
    model = sidebar.model
    assert model.index(0, 0).data() == "All contacts"
    assert model.index(0, 0).data(KEY_ROLE) == ALL_CONTACTS
    assert model.index(1, 0).data() == "No organization"
    assert model.index(1, 0).data(KEY_ROLE) == NO_ORGANIZATION
    counts = [entry(model, row).count for row in range(2, model.rowCount())]
    assert counts == sorted(counts, reverse=True)
    assert model.organization_count() == model.rowCount() - 2
    assert model.index(0, SidebarColumn.COUNT).data() == str(entry(model, 0).count)


def test_clicking_an_organization_filters_the_table(window: MainWindow, qtbot: Any) -> None:
    org = entry(window.sidebar.model, 2)
    click_row(qtbot, window.sidebar, 2)
    assert window.sidebar.selected_key == org.key
    assert window.model.contact_filter.organization_id == org.key
    assert table_org_ids(window) == {org.key}
    assert "of" in window.table.headline.text()

    click_row(qtbot, window.sidebar, 1)
    assert window.model.contact_filter.no_organization
    assert table_org_ids(window) == {None}

    click_row(qtbot, window.sidebar, 0)
    assert window.model.contact_filter.organization_id is None
    assert not window.model.contact_filter.no_organization
    assert len(table_org_ids(window)) > 2


def test_filter_box_narrows_the_list_but_keeps_the_fixed_entries(
    window: MainWindow, qtbot: Any
) -> None:
    sidebar = window.sidebar
    before = sidebar.model.organization_count()
    name = entry(sidebar.model, 2).name
    qtbot.keyClicks(sidebar.filter_edit, name.split()[0])
    qtbot.waitUntil(lambda: sidebar.model.organization_count() < before, timeout=2000)
    names = [entry(sidebar.model, r).name for r in range(2, sidebar.model.rowCount())]
    assert all(name.split()[0].casefold() in n.casefold() for n in names)
    assert entry(sidebar.model, 0).key == ALL_CONTACTS


def test_selection_survives_a_refresh(window: MainWindow, qtbot: Any) -> None:
    click_row(qtbot, window.sidebar, 3)
    key = window.sidebar.selected_key
    with qtbot.waitSignal(window.sidebar.model.modelReset):  # the sidebar is re-read too
        window.refresh_all()
    assert window.sidebar.selected_key == key
    current = window.sidebar.view.currentIndex()
    assert current.isValid()
    assert current.data(KEY_ROLE) == key
    assert window.model.contact_filter.organization_id == key


def test_detail_pane_organization_link_selects_it(window: MainWindow, qtbot: Any) -> None:
    contact = next(c for c in contacts(window.model) if c.organization is not None)
    assert contact.organization is not None
    window.detail.set_contact(contact)
    window.detail.organization.linkActivated.emit(f"org:{contact.organization.id}")
    assert window.sidebar.selected_key == contact.organization.id
    assert table_org_ids(window) == {contact.organization.id}


def test_counts_take_only_their_width_and_names_the_rest(window: MainWindow) -> None:
    sidebar = window.sidebar
    assert sidebar.minimumSizeHint().width() >= SIDEBAR_MIN_WIDTH
    bold = QFont(sidebar.view.font())
    bold.setWeight(QFont.Weight.DemiBold)
    texts = (sidebar.model.count_text(0), sidebar.model.count_text(1))  # All, No organization
    needed = max(QFontMetrics(bold).horizontalAdvance(text) for text in texts)
    count_width = sidebar.view.columnWidth(SidebarColumn.COUNT)
    assert needed < count_width < needed + 20
    assert sidebar.view.columnWidth(SidebarColumn.NAME) > count_width


def sidebar_rows(sidebar: OrgSidebar) -> list[tuple[str, str]]:
    model = sidebar.model
    return [
        (str(model.index(row, 0).data(KEY_ROLE)), model.count_text(row))
        for row in range(model.rowCount())
    ]


def test_my500_counts_the_users_contacts_and_hides_other_organizations(
    db: Database, qtbot: Any
) -> None:
    build_org_mirror(db)
    sidebar = OrgSidebar(OrgQueries(db))
    qtbot.addWidget(sidebar)
    sidebar.set_scope(ContactFilter(owner_id=OWNER))
    assert sidebar_rows(sidebar) == [
        (ALL_CONTACTS, "5"),
        (NO_ORGANIZATION, "1 · 20 %"),
        (ACME, "3"),
        (ACME_CORPORATION, "1"),
    ]
    assert "of yours" in str(sidebar.model.index(2, 0).data(Qt.ItemDataRole.ToolTipRole))

    sidebar.set_scope(ContactFilter())  # All contacts: everyone's
    assert sidebar_rows(sidebar) == [
        (ALL_CONTACTS, "10"),
        (NO_ORGANIZATION, "2 · 20 %"),
        (ACME, "5"),
        (LONELY, "2"),
        (ACME_CORPORATION, "1"),
    ]


def test_an_organizations_count_is_what_the_table_then_shows(
    window: MainWindow, qtbot: Any
) -> None:
    for row in (2, 3, 1):
        shown = entry(window.sidebar.model, row).count
        click_row(qtbot, window.sidebar, row)
        qtbot.waitUntil(lambda shown=shown: window.model.total == shown, timeout=2000)


def test_duplicates_entry_shows_the_open_suggestions(db: Database, qtbot: Any) -> None:
    build_org_mirror(db)
    sidebar = OrgSidebar(OrgQueries(db))
    qtbot.addWidget(sidebar)
    sidebar.show()
    sidebar.set_scope(ContactFilter(owner_id=OWNER))
    assert sidebar.duplicates_button.isVisible()
    assert "(1)" in sidebar.duplicates_button.text()
    with qtbot.waitSignal(sidebar.duplicates_requested):
        qtbot.mouseClick(sidebar.duplicates_button, Qt.MouseButton.LeftButton)
    db.reader().execute("UPDATE org_suggestions SET status = 'kept_separate'")
    sidebar.refresh()
    assert not sidebar.duplicates_button.isVisible()
