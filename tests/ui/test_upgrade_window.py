"""Start-up on a mirror made by an earlier version: the upgrade window, then the main window."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from alembic import command

from pipedriven_desktop.app import EXIT_DATABASE_ERROR, GuiApp, GuiOptions, check_mirror_at
from pipedriven_desktop.store import backup as backup_module
from pipedriven_desktop.store.backup import backups_of
from pipedriven_desktop.store.migrate import UpgradeProgress
from pipedriven_desktop.store.schema import SCHEMA_HEAD
from pipedriven_desktop.ui.upgrade_window import FAILED_TITLE, TITLE, UpgradeWindow
from tests.old_mirrors import contents, copy_old_mirror, revision_of


@pytest.fixture
def old_mirror(tmp_path: Path) -> Path:
    return copy_old_mirror(tmp_path)


def watch(upgrade: UpgradeWindow) -> list[tuple[str, int, int]]:
    """What the window shows after each report: its step line and its bar's range and value."""
    seen: list[tuple[str, int, int]] = []

    def shown(_: UpgradeProgress) -> None:
        seen.append((upgrade.step.text(), upgrade.bar.maximum(), upgrade.bar.value()))

    upgrade.worker.progressed.connect(shown)  # after the window's own slot
    return seen


def test_an_old_mirror_opens_through_the_upgrade_window_into_the_main_window(
    qtbot: Any, qapp: Any, old_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module, "BACKUP_STEP_PAGES", 16)
    gui = GuiApp(qapp, GuiOptions(db=old_mirror), started=0.0)
    mirror = check_mirror_at(old_mirror)
    assert mirror.needs_upgrade
    try:
        gui.upgrade_then(mirror, gui.open_window_timed)
        upgrade = gui.upgrade_window
        assert upgrade is not None
        assert upgrade.isVisible()
        assert upgrade.title.text() == TITLE
        assert gui.window is None  # nothing reads the mirror before it is upgraded
        seen = watch(upgrade)

        qtbot.waitUntil(lambda: gui.window is not None, timeout=30_000)
        window = gui.window
        assert window is not None
        qtbot.addWidget(window)
        qtbot.waitUntil(window.has_rows, timeout=10_000)
        assert window.isVisible()
        qtbot.waitUntil(lambda: not shiboken6.isValid(upgrade))  # closed and deleted
        assert gui.upgrade_window is None
    finally:
        if gui.window is not None:
            gui.window.close()
        gui.shutdown()

    steps = len({text for text, _, _ in seen})
    assert seen[0][0].startswith(f"Step 1 of {steps}: Keeping a copy of your mirror")
    copied = [(maximum, value) for text, maximum, value in seen if maximum > 0]
    assert copied
    assert copied[-1][1] == copied[-1][0]  # the copy reached 100%
    migrations = [(text, maximum) for text, maximum, _ in seen if "Migration" in text]
    assert migrations[0][0].startswith(f"Step 2 of {steps}: Migration 0002")
    assert migrations[-1][0].startswith(f"Step {steps} of {steps}: Migration {SCHEMA_HEAD[:4]}")
    assert {maximum for _, maximum in migrations} == {0}  # a busy bar for each migration
    assert revision_of(old_mirror) == SCHEMA_HEAD
    assert len(backups_of(old_mirror)) == 1


def test_a_failed_upgrade_says_why_keeps_the_mirror_as_it_was_and_quits_when_closed(
    qtbot: Any, qapp: Any, old_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = contents(old_mirror)
    real_upgrade = command.upgrade
    ran: list[str] = []

    def fails_on_the_second(config: Any, revision: str) -> None:
        if ran:
            raise sqlite3.OperationalError("database or disk is full")
        real_upgrade(config, revision)
        ran.append(revision)

    monkeypatch.setattr(command, "upgrade", fails_on_the_second)
    exits: list[int] = []
    monkeypatch.setattr(qapp, "exit", exits.append)
    gui = GuiApp(qapp, GuiOptions(db=old_mirror), started=0.0)
    gui.upgrade_then(check_mirror_at(old_mirror), gui.open_window_timed)
    upgrade = gui.upgrade_window
    assert upgrade is not None
    qtbot.addWidget(upgrade)
    try:
        qtbot.waitUntil(lambda: upgrade.error.isVisible(), timeout=30_000)
        assert upgrade.title.text() == FAILED_TITLE
        message = upgrade.error.text()
        assert "the disk is full; free some space and try again" in message
        assert "Your mirror was left as it was" in message
        (backup,) = backups_of(old_mirror)
        assert str(backup) in message
        assert not upgrade.bar.isVisible()
        assert upgrade.quit_button.isVisible()
        assert gui.window is None
        assert revision_of(old_mirror) == "0001_initial"
        assert contents(old_mirror) == before

        upgrade.quit_button.click()
        assert exits == [EXIT_DATABASE_ERROR]
    finally:
        gui.shutdown()


def test_the_app_started_on_an_old_mirror_upgrades_it_and_shows_the_main_window(
    old_mirror: Path, tmp_path: Path
) -> None:
    from tests.ui.test_app import run_app

    picture = tmp_path / "window.png"
    done = run_app("--db", str(old_mirror), "--screenshot", str(picture))
    assert done.returncode == 0, done.stderr
    assert picture.exists()  # taken of the main window, once it showed the rows
    assert revision_of(old_mirror) == SCHEMA_HEAD
    assert len(backups_of(old_mirror)) == 1


def test_connecting_an_account_whose_mirror_is_old_upgrades_it_before_the_window_switches(
    qtbot: Any, qapp: Any, old_mirror: Path, tmp_path: Path
) -> None:
    from pipedriven_desktop.store.database import open_database

    gui = GuiApp(qapp, GuiOptions(db=old_mirror), started=0.0)
    first = gui.open_window(open_database(tmp_path / "other.sqlite3"), None)
    try:
        gui.switch_to_account()
        upgrade = gui.upgrade_window
        assert upgrade is not None
        assert upgrade.isVisible()
        assert gui.window is first  # the old window stays until the mirror is ready

        qtbot.waitUntil(lambda: gui.window is not first, timeout=30_000)
        window = gui.window
        assert window is not None
        qtbot.addWidget(window)
        assert window.db.path == old_mirror.resolve()
        qtbot.waitUntil(window.has_rows, timeout=10_000)
        qtbot.waitUntil(lambda: not shiboken6.isValid(upgrade))
        assert revision_of(old_mirror) == SCHEMA_HEAD
    finally:
        if shiboken6.isValid(first):
            first.close()
        if gui.window is not None:
            gui.window.close()
        gui.shutdown()
