"""App start: demo mode, --screenshot, a database it cannot open, the option object."""

from __future__ import annotations

import os
import subprocess
import sys
from argparse import Namespace
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtGui import QImage

from pipedriven_desktop import paths
from pipedriven_desktop.app import EXIT_DATABASE_ERROR, GuiOptions
from pipedriven_desktop.demo import DEMO_TOKEN, start_demo
from pipedriven_desktop.store.database import Database, open_database
from pipedriven_desktop.ui.main_window import DemoEndpoint, MainWindow
from tests.ui.conftest import contacts

ROOT = Path(__file__).resolve().parents[2]
RUN_TIMEOUT_S = 120


def run_app(*args: str) -> subprocess.CompletedProcess[str]:
    """The app in a child process, offscreen, with this test's private user directories."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "pipedriven_desktop.app", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )


def test_options_from_an_argparse_namespace(tmp_path: Path) -> None:
    options = GuiOptions.from_namespace(
        Namespace(db=str(tmp_path / "x.db"), demo=True, screenshot=None, base_url="")
    )
    assert options == GuiOptions(db=tmp_path / "x.db", demo=True, screenshot=None, base_url=None)
    assert GuiOptions.from_namespace(Namespace()) == GuiOptions()


def test_demo_mode_starts_syncs_and_shows_rows(
    qtbot: Any, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    demo = start_demo(tmp_path / "demo.sqlite3", persons=600, owned_persons=200)
    db = open_database(demo.db_path)
    try:
        window = make_window(db, demo=DemoEndpoint(demo.base_url, demo.token))
        assert demo.token == DEMO_TOKEN
        assert not window.showing_welcome()
        with qtbot.waitSignal(window.sync_ended, timeout=60_000):
            assert window.start_first_sync_if_empty()
        assert window.model.total == 200
        assert window.table.headline.text() == "My-500: 200 contacts (target 500)"
        assert contacts(window.model)
        assert not window.start_first_sync_if_empty()  # data now: no automatic sync
        assert "demo" in window.windowTitle()
        window.close()
    finally:
        db.close()
        demo.stop()


def test_demo_database_lives_in_the_user_data_directory() -> None:
    assert paths.demo_db_path().parent == paths.data_dir()
    assert paths.demo_db_path() != paths.default_db_path()


@pytest.mark.slow
def test_screenshot_of_a_populated_mirror(populated_db: Database, tmp_path: Path) -> None:
    shot = tmp_path / "shot.png"
    populated_db.close()
    done = run_app("--db", str(populated_db.path), "--screenshot", str(shot))
    assert done.returncode == 0, done.stderr
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1600, 900)
    log = (paths.log_dir() / "pipedriven-desktop.log").read_text()
    assert "My-500 painted" in log


@pytest.mark.slow
def test_demo_screenshot_after_the_first_sync(tmp_path: Path) -> None:
    shot = tmp_path / "demo.png"
    done = run_app("--demo", "--db", str(tmp_path / "demo.sqlite3"), "--screenshot", str(shot))
    assert done.returncode == 0, done.stderr
    assert QImage(str(shot)).width() == 1600
    db = open_database(tmp_path / "demo.sqlite3")
    try:
        from pipedriven_desktop.store.contact_query import ContactFilter
        from pipedriven_desktop.store.contact_service import ContactService

        service = ContactService(db)
        assert service.count(ContactFilter()) > 0
        assert service.sync_status().last_finished is not None
    finally:
        db.close()


def test_a_database_it_cannot_open_exits_non_zero(tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-database.sqlite3"
    bogus.write_bytes(b"this is not SQLite at all, just some text" * 10)
    done = run_app("--db", str(bogus), "--screenshot", str(tmp_path / "never.png"))
    assert done.returncode == EXIT_DATABASE_ERROR
    assert "not an SQLite database" in done.stderr
    assert not (tmp_path / "never.png").exists()
    assert bogus.read_bytes().startswith(b"this is not SQLite")


def test_welcome_explore_with_demo_data_switches_to_the_demo(
    qtbot: Any, qapp: Any, db: Database
) -> None:
    from pipedriven_desktop.app import GuiApp

    gui = GuiApp(qapp, GuiOptions(), started=0.0)
    try:
        first = gui.open_window(db, None)
        assert first.showing_welcome()
        first.welcome.demo_button.click()  # starts the fake, a demo database and its sync
        window = gui.window
        assert window is not None
        assert window is not first
        qtbot.addWidget(window)
        assert gui.demo is not None
        assert gui.demo.db_path == paths.demo_db_path()
        qtbot.waitUntil(lambda: window.model.total > 0, timeout=60_000)
        assert window.isVisible()
        qtbot.waitUntil(lambda: not shiboken6.isValid(first))  # closed and deleted
    finally:
        if gui.window is not None:
            gui.window.close()
        gui.shutdown()


def test_demo_banner_connects_an_account_and_switches_to_the_real_mirror(
    qtbot: Any, qapp: Any, tmp_path: Path, fake_server: Any
) -> None:
    """Demo → banner's Connect → token saved → a window on the real mirror syncs it."""
    from PySide6.QtWidgets import QApplication

    from pipedriven_desktop import secrets
    from pipedriven_desktop.app import GuiApp, open_mirror
    from pipedriven_desktop.ui.settings_dialog import SettingsDialog
    from tests.ui.conftest import TOKEN

    gui = GuiApp(qapp, GuiOptions(base_url=fake_server.base_url), started=0.0)
    demo = start_demo(tmp_path / "demo.sqlite3", persons=60, owned_persons=20)
    first = None
    try:
        # Not handed to qtbot: the app itself deletes this window when it switches mirrors.
        first = gui.open_window(open_mirror(demo.db_path), demo)
        qtbot.waitUntil(
            lambda: first.has_rows() and not first.controller.is_running(), timeout=60_000
        )
        assert first.demo_banner.isVisible()
        assert "demo data" in first.demo_banner.message.text()
        assert first.connect_action.isEnabled()

        first.demo_banner.retry_button.click()  # "Connect your account…"
        qtbot.waitUntil(lambda: isinstance(QApplication.activeModalWidget(), SettingsDialog))
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, SettingsDialog)
        assert dialog.windowTitle() == "Connect your Pipedrive account"
        dialog.token_edit.setText(TOKEN)
        dialog.buttons.accepted.emit()

        window = gui.window
        assert window is not None
        assert window is not first
        qtbot.addWidget(window)
        assert secrets.get_token() == TOKEN
        assert window.demo is None
        assert gui.demo is None
        assert window.db.path == paths.default_db_path()
        assert not window.demo_banner.isVisible()
        qtbot.waitUntil(
            lambda: window.has_rows() and not window.controller.is_running(), timeout=60_000
        )
        owned = sum(
            1
            for p in fake_server.account.persons.values()
            if p["owner_id"] == fake_server.account.me_id
        )
        assert window.model.total == owned
        qtbot.waitUntil(lambda: not shiboken6.isValid(first))
    finally:
        if first is not None and shiboken6.isValid(first):
            first.close()
        if gui.window is not None:
            gui.window.close()
        gui.shutdown()
        demo.stop()
