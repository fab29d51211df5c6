"""Names and facts from Pipedrive show as typed: '&' stays '&', '<b>' is not markup."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from pipedriven_desktop.domain.warmness import WarmnessBand
from pipedriven_desktop.store.org_queries import DealTotal, OrgCard, OrgSummary, Spelling
from pipedriven_desktop.ui.duplicates_view import OrgSide
from pipedriven_desktop.ui.org_card import OrgCardView

NOW = datetime(2026, 11, 25, 12, 0)
#: A name Qt would both escape wrongly and take for markup.
NAME = "<b>Smith</b> & Sons Group"
DEALS = (DealTotal(currency="R&D", count=1, value=5.0),)


def shows_as_typed(label: QLabel, text: str) -> bool:
    return label.text() == text and label.textFormat() == Qt.TextFormat.PlainText


def test_a_duplicate_side_shows_names_and_facts_as_typed(qtbot: Any) -> None:
    side = OrgSide()
    qtbot.addWidget(side)
    summary = OrgSummary(
        id="org-1",
        name=NAME,
        spellings=(Spelling(pipedrive_org_id=111, name=NAME),),
        contacts_all=2,
        contacts_mine=1,
        open_deals=DEALS,
        last_activity=None,
        website="smith&sons.example",
        city="Stratford <upon> Avon",
        email_domains=frozenset({"a&b.example"}),
    )
    side.set_summary(summary, ("a&b.example",), NOW)
    assert shows_as_typed(side.name, NAME)
    assert shows_as_typed(side.values["spellings"], f"{NAME} (#111)")
    assert shows_as_typed(side.values["deals"], "1 · 5 R&D")
    assert shows_as_typed(side.values["city"], "Stratford <upon> Avon")
    # the links and the shared domains in bold are markup, made of escaped values
    assert side.values["website"].textFormat() == Qt.TextFormat.RichText
    assert ">smith&amp;sons.example</a>" in side.values["website"].text()
    assert side.values["domains"].textFormat() == Qt.TextFormat.RichText
    assert side.values["domains"].text() == "<b>a&amp;b.example</b>"


def test_the_organization_card_shows_names_and_facts_as_typed(qtbot: Any) -> None:
    view = OrgCardView(queries=None)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    card = OrgCard(
        id="org-1",
        name=NAME,
        pipedrive_org_id=111,
        spellings=(Spelling(111, NAME), Spelling(222, "Smith & Sons")),
        industry="Bricks & <Mortar>",
        size=None,
        website="smith&sons.example",
        address="1 High St & Co",
        city=None,
        country=None,
        contacts_all=2,
        contacts_mine=1,
        warmness_mix=dict.fromkeys(WarmnessBand, 1),
        open_deals=DEALS,
        last_activity=None,
    )
    view.set_card(card, NOW)
    assert shows_as_typed(view.name, NAME)
    assert shows_as_typed(view.spellings, f"In Pipedrive as: {NAME} (#111) · Smith & Sons (#222)")
    assert shows_as_typed(view.values["industry"], "Bricks & <Mortar>")
    assert shows_as_typed(view.values["place"], "1 High St & Co")
    assert shows_as_typed(view.values["deals"], "1 · 5 R&D")
    assert view.values["website"].textFormat() == Qt.TextFormat.RichText
    assert view.values["warmness"].textFormat() == Qt.TextFormat.RichText
