"""Settings: the lead status field chosen from Pipedrive's person fields, and the values."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QThreadPool

from pipedriven_desktop.pipedrive import FAKE_LEAD_STATUS_OPTION_FIELD, FAKE_LEAD_STATUS_OPTIONS
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import (
    LEAD_STATUS_FIELD_KEY,
    get_meta,
    lead_status_options,
    lead_status_values,
)
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import TOKEN


def make_dialog(qtbot: Any, settings: AppSettings, db: Database | None) -> SettingsDialog:
    dialog = SettingsDialog(settings, thread_pool=QThreadPool(), db=db)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_an_option_field_is_chosen_from_the_loaded_fields_and_saved(
    qtbot: Any, settings: AppSettings, db: Database, fake_server: Any, memory_keyring: Any
) -> None:
    dialog = make_dialog(qtbot, settings, db)
    section = dialog.lead_status
    assert section is not None
    dialog.base_url_edit.setText(fake_server.base_url)
    qtbot.keyClicks(dialog.token_edit, TOKEN)
    section.load_button.click()
    qtbot.waitUntil(lambda: section.load_button.isEnabled(), timeout=10_000)
    labels = [section.field_combo.itemText(i) for i in range(section.field_combo.count())]
    assert "Lead status (options: New, Contacted, Qualified, Unqualified, Hot lead)" in labels
    assert "Lead status (text) (text)" in labels
    assert not any("Marketing" in label for label in labels)
    section.field_combo.setCurrentIndex(section.field_combo.findData(FAKE_LEAD_STATUS_OPTION_FIELD))
    section.qualified_edit.setText("Hot lead, Qualified")
    dialog.save()
    assert dialog.result() == SettingsDialog.DialogCode.Accepted
    conn = db.reader()
    assert get_meta(conn, LEAD_STATUS_FIELD_KEY) == FAKE_LEAD_STATUS_OPTION_FIELD
    assert lead_status_options(conn) == FAKE_LEAD_STATUS_OPTIONS
    values = lead_status_values(conn)
    assert values.qualified == ("Hot lead", "Qualified")
    assert values.contacted == ("contacted",)


def test_without_a_token_the_fields_are_not_asked_for(
    qtbot: Any, settings: AppSettings, db: Database, memory_keyring: Any
) -> None:
    dialog = make_dialog(qtbot, settings, db)
    assert dialog.lead_status is not None
    dialog.lead_status.load_button.click()
    assert dialog.lead_status.load_result.text() == "Type the API token first."


def test_without_the_mirror_there_is_no_lead_status_section(
    qtbot: Any, settings: AppSettings
) -> None:
    assert make_dialog(qtbot, settings, None).lead_status is None
