"""The organization card: shown for a chosen organization, with the facts of a known mirror."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_queries import DealTotal, OrgQueries
from pipedriven_desktop.ui.links import organization_url
from pipedriven_desktop.ui.main_window import MainWindow
from pipedriven_desktop.ui.org_card import OrgCardView, deals_text, website_url
from pipedriven_desktop.ui.org_sidebar_model import ALL_CONTACTS, NO_ORGANIZATION
from tests.store.org_fixture import ACME, OWNER, build_org_mirror
from tests.ui.conftest import entry


def test_card_shows_a_known_organization(db: Database, qtbot: Any) -> None:
    build_org_mirror(db)
    card = OrgCardView(OrgQueries(db))
    qtbot.addWidget(card)
    card.show_key(ACME, OWNER)
    assert not card.isHidden()
    assert card.name.text() == "Acme Corp"
    assert card.spellings.text() == "In Pipedrive as: Acme Corp (#1) · ACME Corp. (#6)"
    values = {key: label.text() for key, label in card.values.items()}
    assert values["industry"] == "Software"
    assert values["size"] == "120 employees"
    assert 'href="https://acme.com"' in values["website"]
    assert values["place"] == "Königsallee 1, Düsseldorf, Germany"
    assert values["contacts"] == "3 mine · 5 all"
    assert all(part in values["warmness"] for part in ("1 cold", "1 warm", "1 hot"))
    assert values["deals"] == "2 · 350 EUR"
    assert card.values["website"].openExternalLinks()
    with qtbot.waitSignal(card.open_requested) as opened:
        qtbot.mouseClick(card.open_button, Qt.MouseButton.LeftButton)
    assert opened.args == [1]


def test_fixed_entries_have_no_card(db: Database, qtbot: Any) -> None:
    build_org_mirror(db)
    card = OrgCardView(OrgQueries(db))
    qtbot.addWidget(card)
    card.show_key(ACME, OWNER)
    for key in (ALL_CONTACTS, NO_ORGANIZATION, "gone-org"):
        card.show_key(key, OWNER)
        assert card.isHidden()
        card.show_key(ACME, OWNER)


def test_texts() -> None:
    assert website_url("acme.com") == "https://acme.com"
    assert website_url("http://acme.com") == "http://acme.com"
    assert deals_text(()) == "None"
    assert deals_text((DealTotal("EUR", 2, 350.0), DealTotal("USD", 1, 40.0))) == (
        "3 · 350 EUR + 40 USD"
    )
    assert organization_url("acme", "", 7) == "https://acme.pipedrive.com/organization/7"
    assert organization_url("", "", 7) == "https://app.pipedrive.com/organization/7"


def test_choosing_an_organization_in_the_window_shows_its_card(
    window: MainWindow, qtbot: Any
) -> None:
    assert window.org_card.isHidden()
    org = entry(window.sidebar.model, 2)
    window.sidebar.select(org.key)
    assert window.org_card.isVisible()
    assert window.org_card.name.text() == org.name
    assert window.org_card.card is not None
    assert window.org_card.card.contacts_mine == org.count  # the sidebar's My-500 count
    window.sidebar.select(ALL_CONTACTS)
    assert window.org_card.isHidden()


def test_last_activity_reads_relative() -> None:
    from pipedriven_desktop.ui.org_card import last_activity_text

    now = datetime(2026, 11, 30, 9, 0)
    assert last_activity_text(None, now) == "No activity yet"
    assert "ago" in last_activity_text(datetime(2026, 11, 20), now)


def test_switching_to_all_contacts_recounts_the_card(window: MainWindow, qtbot: Any) -> None:
    org = entry(window.sidebar.model, 2)
    window.sidebar.select(org.key)
    card = window.org_card.card
    assert card is not None
    mine_mix = sum(card.warmness_mix.values())
    assert mine_mix == card.contacts_mine
    window.filter_bar.set_all_contacts(True)
    qtbot.waitUntil(lambda: window.org_card.card is not card, timeout=2000)
    assert window.org_card.card is not None
    assert sum(window.org_card.card.warmness_mix.values()) == card.contacts_all
