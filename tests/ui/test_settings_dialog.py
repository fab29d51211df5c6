"""Settings: the token goes to the keychain and nowhere else; Test connection; no keychain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backend import KeyringBackend
from PySide6.QtCore import QThreadPool

from pipedriven_desktop import paths, secrets
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.app_settings import AppSettings
from pipedriven_desktop.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import TOKEN

SECRET = "tok-9d2c61be0f7a4c3e8b15d4a7c6e90f12"


class NoKeyring(KeyringBackend):
    """What keyring reports when the system has no usable backend."""

    priority = 0

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("must not be called without a usable keyring")

    def delete_password(self, service: str, username: str) -> None:
        return None


def make_dialog(qtbot: Any, settings: AppSettings) -> SettingsDialog:
    dialog = SettingsDialog(settings, thread_pool=QThreadPool())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def test_token_is_stored_in_the_keychain_and_nowhere_else(
    qtbot: Any,
    settings: AppSettings,
    memory_keyring: Any,
    populated_db: Database,
    tmp_path: Path,
) -> None:
    dialog = make_dialog(qtbot, settings)
    assert dialog.token_edit.echoMode() == dialog.token_edit.EchoMode.Password
    qtbot.keyClicks(dialog.token_edit, SECRET)
    dialog.domain_edit.setText("nordlicht")
    with qtbot.waitSignal(dialog.accepted):
        dialog.save()

    assert memory_keyring.passwords == {(secrets.SERVICE, secrets.ACCOUNT): SECRET}
    assert secrets.get_token() == SECRET
    assert settings.company_domain == "nordlicht"
    settings.sync()
    # Not in QSettings, not in the database files (WAL included), not in a log.
    for path in [*files_under(tmp_path), *files_under(paths.log_dir())]:
        assert SECRET.encode() not in path.read_bytes(), path
    for key in settings.qsettings.allKeys():
        assert SECRET not in str(settings.qsettings.value(key))


def test_saved_token_is_never_shown_back(
    qtbot: Any, settings: AppSettings, memory_keyring: Any
) -> None:
    secrets.store_token(SECRET)
    dialog = make_dialog(qtbot, settings)
    assert dialog.token_edit.text() == ""
    assert "keychain" in dialog.token_edit.placeholderText()
    with qtbot.waitSignal(dialog.accepted):
        dialog.save()  # empty field: the stored token stays as it is
    assert secrets.get_token() == SECRET


def test_without_a_keychain_the_token_can_be_used_for_this_session(
    qtbot: Any, settings: AppSettings, tmp_path: Path
) -> None:
    keyring.set_keyring(NoKeyring())
    dialog = make_dialog(qtbot, settings)
    assert dialog.keyring_box.isVisible()  # said plainly, up front
    assert "No system keychain" in dialog.keyring_message.text()
    qtbot.keyClicks(dialog.token_edit, SECRET)
    dialog.save()
    assert dialog.isVisible()  # not silently stored anywhere
    with qtbot.waitSignal(dialog.accepted):
        dialog.session_button.click()
    assert secrets.get_token() == SECRET
    settings.sync()
    for path in files_under(tmp_path):
        assert SECRET.encode() not in path.read_bytes(), path


def test_test_connection_off_the_ui_thread(
    qtbot: Any, settings: AppSettings, fake_server: Any
) -> None:
    dialog = make_dialog(qtbot, settings)
    dialog.base_url_edit.setText(fake_server.base_url)
    qtbot.keyClicks(dialog.token_edit, TOKEN)
    dialog.test_button.click()
    assert not dialog.test_button.isEnabled()  # running, the dialog still responsive
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    me = fake_server.account.me
    assert dialog.test_result.text() == f"✓ Connected as {me['name']} ({me['company_name']})"
    assert dialog.domain_edit.text() == fake_server.account.company_domain


def test_test_connection_reports_a_refused_token(
    qtbot: Any, settings: AppSettings, fake_server: Any
) -> None:
    dialog = make_dialog(qtbot, settings)
    dialog.base_url_edit.setText(fake_server.base_url)
    qtbot.keyClicks(dialog.token_edit, "nope")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert dialog.test_result.text().startswith("✗ ")
    assert "token" in dialog.test_result.text()


@pytest.mark.parametrize("address", ["ftp://example.com", "http://example.com"])
def test_test_connection_rejects_unusable_addresses(
    qtbot: Any, settings: AppSettings, address: str
) -> None:
    dialog = make_dialog(qtbot, settings)
    dialog.base_url_edit.setText(address)
    qtbot.keyClicks(dialog.token_edit, "x")
    dialog.test_button.click()
    qtbot.waitUntil(lambda: dialog.test_button.isEnabled(), timeout=10_000)
    assert dialog.test_result.text().startswith("✗ ")


def test_base_url_is_kept_in_settings(qtbot: Any, settings: AppSettings) -> None:
    dialog = make_dialog(qtbot, settings)
    dialog.base_url_edit.setText("http://127.0.0.1:9999")
    dialog.save()
    assert settings.base_url == "http://127.0.0.1:9999"


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("https://me:hunter2-secret@api.pipedrive.com", "user name or password"),
        ("https://hunter2-secret@api.pipedrive.com", "user name or password"),
        ("https://api.pipedrive.com/?api_token=hunter2-secret", "query"),
        ("http://localhost:99999", "port"),
    ],
)
def test_an_address_with_credentials_is_never_saved_or_repeated(
    qtbot: Any, settings: AppSettings, memory_keyring: Any, address: str, reason: str
) -> None:
    dialog = make_dialog(qtbot, settings)
    qtbot.keyClicks(dialog.token_edit, SECRET)
    dialog.base_url_edit.setText(address)

    dialog.save()

    assert dialog.isVisible()  # refused, the dialog stays open to fix it
    assert reason in dialog.test_result.text()
    assert "hunter2" not in dialog.test_result.text()
    settings.sync()
    for key in settings.qsettings.allKeys():
        assert "hunter2" not in str(settings.qsettings.value(key))
    assert memory_keyring.passwords == {}  # nothing saved at all

    dialog.test_button.click()  # nor tried
    assert dialog.test_button.isEnabled()
    assert "hunter2" not in dialog.test_result.text()


def test_a_locked_keychain_is_said_plainly(
    qtbot: Any, settings: AppSettings, memory_keyring: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from keyring.errors import KeyringLocked

    def locked(service: str, username: str) -> str | None:
        raise KeyringLocked("Cannot unlock the collection")

    monkeypatch.setattr(memory_keyring, "get_password", locked)
    dialog = make_dialog(qtbot, settings)
    assert dialog.keyring_box.isVisible()
    assert "locked" in dialog.keyring_message.text()
    qtbot.keyClicks(dialog.token_edit, SECRET)
    with qtbot.waitSignal(dialog.accepted):
        dialog.session_button.click()
    assert secrets.get_token() == SECRET
