"""The detail pane: the breakdown (and its absence), copyable fields, links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QDesktopServices, QPalette
from PySide6.QtWidgets import QApplication

from pipedriven_desktop.store.contact_extras import ContactExtras
from pipedriven_desktop.store.rows import ActivityRow, ContactRow, DealRow, OrganizationRef
from pipedriven_desktop.ui.detail_pane import DetailPane, breakdown_lines
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import BREAKDOWN, contacts

NOW = datetime(2026, 3, 10, 12, 0)


def contact(**changes: Any) -> ContactRow:
    values: dict[str, Any] = {
        "id": "c-1",
        "pipedrive_person_id": 42,
        "name": "Zoë Øvergård",
        "email": "zoe@example.com",
        "phone": "+47 900 00 000",
        "job_title": "Head of Procurement",
        "organization": OrganizationRef("o-1", "Øresund Shipping", 7),
        "warmness_score": 6,
        "warmness_breakdown": BREAKDOWN,
        "last_contacted": datetime(2026, 3, 1, 9, 0),
        "added_to_campaign": False,
        "lead_status": None,
        "created_at": datetime(2025, 1, 1),
        "recent_activities": (
            ActivityRow("a1", "meeting", "Kick-off <b>call</b>", date(2026, 3, 9), True, None),
            ActivityRow("a2", "call", None, None, False, datetime(2026, 3, 2, 8, 0)),
        ),
    }
    values.update(changes)
    return ContactRow(**values)


@pytest.fixture
def pane(qtbot: Any) -> DetailPane:
    made = DetailPane()
    qtbot.addWidget(made)
    made.resize(360, 700)
    made.show()
    return made


def test_breakdown_lines_read_the_stored_json() -> None:
    lines = breakdown_lines(BREAKDOWN)
    assert [title for title, _, _ in lines] == [
        "Profile",
        "Recent activity",
        "Relationship",
        "Engagement",
    ]
    assert lines[0][1] == 3
    assert (1, "has email") in lines[0][2]


@pytest.mark.parametrize(
    "broken",
    [None, {}, {"components": None}, {"components": {"base": "x"}}, {"components": []}, "text"],
)
def test_breakdown_lines_tolerate_missing_or_odd_json(broken: Any) -> None:
    assert breakdown_lines(broken) == []


def test_breakdown_lines_tolerate_odd_items() -> None:
    odd = {"components": {"base": {"items": [{"points": "x"}, "y", {"reason": "no points"}]}}}
    assert breakdown_lines(odd) == [("Profile", 0, [(0, ""), (0, "no points")])]


def test_pane_shows_the_contact_and_each_component(pane: DetailPane) -> None:
    deals = (DealRow("d1", "Fleet renewal", 12000.0, "EUR", "open"),)
    pane.set_contact(contact(), deals, NOW)
    assert pane.name.text() == "Zoë Øvergård"
    assert pane.job_title.text() == "Head of Procurement"
    assert "Øresund Shipping" in pane.organization.text()
    assert pane.email.text() == "zoe@example.com"
    assert pane.phone.text() == "+47 900 00 000"
    text = pane.breakdown.text()
    for reason in ("has email", "a meeting in the last 30 days", "last activity 12 days ago"):
        assert reason in text
    assert "Relationship" in text
    assert "Kick-off &lt;b&gt;call&lt;/b&gt;" in pane.activities.text()  # escaped, not markup
    assert "yesterday" in pane.activities.text()
    assert "Fleet renewal" in pane.deals.text()
    assert "12,000 EUR" in pane.deals.text()
    assert pane.band.text() == "Warm"


def test_pane_without_breakdown_or_organization(pane: DetailPane) -> None:
    pane.set_contact(
        contact(warmness_breakdown=None, organization=None, email=None, recent_activities=()),
        (),
        NOW,
    )
    assert "No breakdown yet" in pane.breakdown.text()
    assert "No organization" in pane.organization.text()
    assert pane.email.text() == ""
    assert not pane.email.copy_button.isVisibleTo(pane)
    assert "No activities" in pane.activities.text()
    assert "No deals" in pane.deals.text()


def test_clamped_sum_is_explained(pane: DetailPane) -> None:
    clamped = dict(BREAKDOWN, raw=12, score=10)
    pane.set_contact(contact(warmness_score=10, warmness_breakdown=clamped), (), NOW)
    assert "Sum 12" in pane.breakdown.text()


def test_copy_puts_the_value_on_the_clipboard(pane: DetailPane) -> None:
    pane.set_contact(contact(), (), NOW)
    pane.email.copy_button.click()
    assert QApplication.clipboard().text() == "zoe@example.com"
    assert pane.email.value.isReadOnly()


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """URLs handed to the desktop, instead of opening the phone or mail app."""
    urls: list[str] = []

    def record(url: QUrl) -> bool:
        urls.append(url.toString())
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(record))
    return urls


def test_call_and_mail_open_tel_and_mailto(pane: DetailPane, opened_urls: list[str]) -> None:
    pane.set_contact(contact(), (), NOW)
    assert pane.phone.action_button is not None
    assert pane.email.action_button is not None
    pane.phone.action_button.click()
    pane.email.action_button.click()
    assert opened_urls == ["tel:+4790000000", "mailto:zoe@example.com"]
    pane.email.copy_button.click()  # copying still works next to them
    assert QApplication.clipboard().text() == "zoe@example.com"


def test_call_and_mail_are_hidden_without_a_phone_or_email(pane: DetailPane) -> None:
    pane.set_contact(contact(email=None, phone=None), (), NOW)
    assert pane.phone.action_button is not None
    assert pane.email.action_button is not None
    assert pane.phone.action_button.isHidden()
    assert pane.email.action_button.isHidden()


def test_organization_link_and_open_button(pane: DetailPane, qtbot: Any) -> None:
    row = contact()
    pane.set_contact(row, (), NOW)
    with qtbot.waitSignal(pane.organization_clicked) as clicked:
        pane.organization.linkActivated.emit("org:o-1")
    assert clicked.args == ["o-1"]
    with qtbot.waitSignal(pane.open_requested) as opened:
        pane.open_button.click()
    assert opened.args == [row]


def test_clear_shows_the_empty_state(pane: DetailPane) -> None:
    pane.set_contact(contact(), (), NOW)
    pane.clear()
    assert pane.contact is None
    assert pane.stack.currentWidget() is pane.empty


def test_window_fills_the_pane_from_the_selection(window: MainWindow, qtbot: Any) -> None:
    window.table.select_first()
    first = contacts(window.model)[0]
    qtbot.waitUntil(lambda: window.detail.contact is not None)
    assert window.detail.contact is not None
    assert window.detail.contact.id == first.id
    window.table.view.selectRow(3)
    third = contacts(window.model)[3].id
    qtbot.waitUntil(lambda: window.detail.contact is not None and window.detail.contact.id == third)


def test_a_palette_change_redraws_the_secondary_text(pane: DetailPane) -> None:
    pane.set_contact(contact(warmness_breakdown=None), (), NOW)
    palette = QPalette(pane.palette())
    palette.setColor(QPalette.ColorRole.PlaceholderText, QColor(1, 2, 3))
    pane.setPalette(palette)
    assert "#010203" in pane.breakdown.text()


def test_no_email_consent_line_for_a_contact_without_an_email(pane: DetailPane) -> None:
    no_consent = ContactExtras("no_consent", None, None, None, ())
    pane.set_contact(contact(email=None), (), NOW)
    pane.set_extras(no_consent)
    assert pane.consent.isHidden()
    pane.set_contact(contact(), (), NOW)
    pane.set_extras(no_consent)
    assert pane.consent.isVisibleTo(pane)
    assert pane.consent.text() == "Email consent: no consent for campaign mail"


def test_an_empty_component_says_what_it_did_not_find(pane: DetailPane) -> None:
    components = dict(BREAKDOWN["components"], activity={"points": 0, "items": []})
    pane.set_contact(contact(warmness_breakdown=dict(BREAKDOWN, components=components)), (), NOW)
    text = pane.breakdown.text()
    assert "none in the last 30 days" in text
    assert "nothing yet" not in text
