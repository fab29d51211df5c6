"""Search and filters: each one changes the rows, searching is debounced, keys work."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.contact_query import STALE_AFTER_DAYS, WarmnessBand
from pipedriven_desktop.ui.filter_bar import SEARCH_DEBOUNCE_MS, FilterBar
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import CONTACTS, OWNER_ID, contacts


def type_search(qtbot: Any, window: MainWindow, text: str) -> None:
    window.filter_bar.search_edit.clear()
    qtbot.keyClicks(window.filter_bar.search_edit, text)
    window.filter_bar.flush()


def test_search_narrows_to_matching_contacts(window: MainWindow, qtbot: Any) -> None:
    before = window.model.total
    target = contacts(window.model)[5]
    first_name = target.name.split()[0]
    type_search(qtbot, window, first_name)
    assert 0 < window.model.total < before
    assert all(first_name.casefold() in c.name.casefold() for c in contacts(window.model))
    assert window.model.contact_filter.search == first_name


def test_search_by_email_phone_and_organization(window: MainWindow, qtbot: Any) -> None:
    with_all = next(
        c for c in contacts(window.model) if c.email and c.phone and c.organization is not None
    )
    assert with_all.email is not None
    assert with_all.phone is not None
    assert with_all.organization is not None
    for text in (with_all.email, with_all.phone.split()[-1], with_all.organization.name):
        type_search(qtbot, window, text)
        assert with_all.id in {c.id for c in contacts(window.model)}, text
        assert window.model.total < CONTACTS


def test_search_is_accent_and_case_insensitive(window: MainWindow, qtbot: Any) -> None:
    type_search(qtbot, window, "muller")
    plain = {c.id for c in contacts(window.model)}
    type_search(qtbot, window, "MÜLLER")
    assert {c.id for c in contacts(window.model)} == plain
    assert plain
    assert all("müller" in c.name.casefold() for c in contacts(window.model))


def test_typing_is_debounced_into_one_query(window: MainWindow, qtbot: Any) -> None:
    loads: list[int] = []
    window.model.loaded.connect(lambda total, *_: loads.append(total))
    qtbot.keyClicks(window.filter_bar.search_edit, "sven")
    assert loads == []  # nothing while typing
    qtbot.waitUntil(lambda: len(loads) == 1, timeout=SEARCH_DEBOUNCE_MS * 10)
    qtbot.wait(SEARCH_DEBOUNCE_MS * 2)
    assert len(loads) == 1


def test_escape_clears_the_search(window: MainWindow, qtbot: Any) -> None:
    type_search(qtbot, window, "zzzz-no-such-contact")
    assert window.model.total == 0
    assert "0 of" in window.table.headline.text()
    qtbot.keyClick(window.filter_bar.search_edit, Qt.Key.Key_Escape)
    assert window.filter_bar.search_edit.text() == ""
    window.filter_bar.flush()
    assert window.model.total > 0


def test_ctrl_f_focuses_the_search(window: MainWindow, qtbot: Any) -> None:
    window.activateWindow()
    window.table.view.setFocus()
    window.find_action.trigger()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.filter_bar.search_edit)
    assert window.find_action.shortcut().toString() == "Ctrl+F"


def test_each_warmness_band_keeps_only_its_scores(window: MainWindow, qtbot: Any) -> None:
    totals = []
    for band, button in window.filter_bar.band_buttons.items():
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert window.model.contact_filter.band is band
        scores = {c.warmness_score for c in contacts(window.model)}
        assert scores
        assert all(band.low <= score <= band.high for score in scores)
        totals.append(window.model.total)
    # bands are exclusive: the last click left only HOT checked
    checked = [b for b, button in window.filter_bar.band_buttons.items() if button.isChecked()]
    assert checked == [WarmnessBand.HOT]
    qtbot.mouseClick(window.filter_bar.band_buttons[WarmnessBand.HOT], Qt.MouseButton.LeftButton)
    assert window.model.contact_filter.band is None
    assert window.model.total > max(totals)


def test_in_campaign_filter(window: MainWindow, qtbot: Any) -> None:
    qtbot.mouseClick(window.filter_bar.campaign_button, Qt.MouseButton.LeftButton)
    rows = contacts(window.model)
    assert rows
    assert all(c.added_to_campaign for c in rows)


def test_not_contacted_for_90_days_filter(window: MainWindow, qtbot: Any) -> None:
    qtbot.mouseClick(window.filter_bar.stale_button, Qt.MouseButton.LeftButton)
    rows = contacts(window.model)
    assert rows
    now = utcnow()
    for contact in rows:
        assert (
            contact.last_contacted is None
            or (now - contact.last_contacted).days >= STALE_AFTER_DAYS - 1
        )


def test_switch_between_my500_and_all_contacts(window: MainWindow, qtbot: Any) -> None:
    assert window.model.contact_filter.owner_id == OWNER_ID
    mine = window.model.total
    assert window.table.headline.text().startswith("My-500:")
    qtbot.mouseClick(window.filter_bar.all_button, Qt.MouseButton.LeftButton)
    assert window.model.contact_filter.owner_id is None
    assert window.model.total == CONTACTS > mine
    assert window.table.headline.text() == f"All contacts: {CONTACTS}"
    assert window.settings.all_contacts
    qtbot.mouseClick(window.filter_bar.mine_button, Qt.MouseButton.LeftButton)
    assert window.model.total == mine
    assert window.table.headline.text() == f"My-500: {mine} contacts (target 500)"


def test_filters_combine(window: MainWindow, qtbot: Any) -> None:
    qtbot.mouseClick(window.filter_bar.band_buttons[WarmnessBand.COLD], Qt.MouseButton.LeftButton)
    cold = window.model.total
    qtbot.mouseClick(window.filter_bar.stale_button, Qt.MouseButton.LeftButton)
    assert window.model.total <= cold
    state = window.filter_bar.state()
    assert state.band is WarmnessBand.COLD
    assert state.stale_only


def test_filter_bar_alone_reports_changes(qtbot: Any) -> None:
    bar = FilterBar()
    qtbot.addWidget(bar)
    with qtbot.waitSignal(bar.changed, timeout=1000):
        bar.campaign_button.click()
    assert bar.state().in_campaign
