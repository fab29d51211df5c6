"""Email consent and score changes in the detail pane; a warning for unsubscribed contacts."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import Any

from PySide6.QtCore import Qt

from pipedriven_desktop.store.contact_extras import ContactExtras
from pipedriven_desktop.store.score_history import ScoreChange, ScoreChangeRow, record_changes
from pipedriven_desktop.ui.consent_notice import ConsentNotice
from pipedriven_desktop.ui.contact_table_model import Column
from pipedriven_desktop.ui.detail_pane import DetailPane
from pipedriven_desktop.ui.main_window import MainWindow
from tests.ui.conftest import contacts


def extras(consent: str | None, *changes: ScoreChange) -> ContactExtras:
    return ContactExtras(consent, None, None, None, changes)


def test_pane_shows_email_consent_and_the_last_score_changes(qtbot: Any) -> None:
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.set_extras(
        extras(
            "unsubscribed",
            ScoreChange(date(2026, 12, 3), 4, 7, "meeting in the last 30 days"),
            ScoreChange(date(2026, 11, 20), None, 4, "first score"),
        )
    )
    assert pane.consent.text() == "Email consent: unsubscribed: send no campaign mail"
    text = pane.history.text()
    assert "4 → 7 on 3 Dec: meeting in the last 30 days" in text
    assert "first score 4 on 20 Nov" in text
    pane.set_extras(extras(None))
    assert pane.consent.text() == "Email consent: unknown"
    assert "No score changes yet." in pane.history.text()
    pane.set_extras(None)
    assert pane.consent.isHidden()
    assert pane.history.isHidden()


def test_consent_notice_warns_only_for_unsubscribed(qtbot: Any) -> None:
    notice = ConsentNotice()
    qtbot.addWidget(notice)
    assert not notice.check("Ada", "subscribed")
    assert not notice.check("Ada", None)
    assert notice.check("Ada", "unsubscribed")
    assert "Ada unsubscribed from campaign mail." in notice.message.text()
    assert notice.retry_button.isHidden()


def test_adding_an_unsubscribed_contact_to_the_campaign_warns(
    qtbot: Any, window: MainWindow
) -> None:
    row = next(i for i, c in enumerate(contacts(window.model)) if not c.added_to_campaign)
    target = contacts(window.model)[row]
    with sqlite3.connect(window.db.path) as conn:
        conn.execute(
            "UPDATE contacts SET marketing_status = 'unsubscribed' WHERE id = ?", (target.id,)
        )
        record_changes(conn, [ScoreChangeRow(target.id, date(2026, 11, 2), 3, 5, "call logged")])
    window.table.view.setCurrentIndex(window.model.index(row, Column.NAME))
    qtbot.waitUntil(lambda: window.detail.contact is not None)
    qtbot.waitUntil(lambda: "unsubscribed" in window.detail.consent.text())
    assert "3 → 5 on 2 Nov: call logged" in window.detail.history.text()
    window.table.view.setFocus()
    with qtbot.waitSignal(window.model.campaign_changed):
        qtbot.keyClick(window.table.view, Qt.Key.Key_Space)
    assert window.consent_notice.isVisibleTo(window)
    assert target.name in window.consent_notice.message.text()
