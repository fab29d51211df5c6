"""An upgrade followed step by step: the backup's pages, each migration, a failure's rollback."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from alembic import command

from pipedriven_desktop.store import backup as backup_module
from pipedriven_desktop.store.backup import backups_of
from pipedriven_desktop.store.database import (
    DatabaseError,
    announce_upgrades,
    check_mirror,
    open_checked,
    open_database,
)
from pipedriven_desktop.store.migrate import UpgradeProgress, script_revisions
from pipedriven_desktop.store.schema import SCHEMA_HEAD
from tests.old_mirrors import contents, copy_old_mirror, revision_of

OLD_REVISION = "0001_initial"


@pytest.fixture
def old_mirror(tmp_path: Path) -> Path:
    """A copy of the mirror version 0.1.0 made (schema 0001_initial)."""
    return copy_old_mirror(tmp_path)


def test_the_check_sees_an_old_mirror_needs_an_upgrade_and_a_current_one_not(
    old_mirror: Path, tmp_path: Path
) -> None:
    assert check_mirror(old_mirror).needs_upgrade
    assert check_mirror(old_mirror).revision == OLD_REVISION
    current = tmp_path / "current.sqlite3"
    open_database(current).close()
    assert not check_mirror(current).needs_upgrade
    assert not check_mirror(tmp_path / "new.sqlite3").needs_upgrade  # created, not upgraded


def test_an_upgrade_reports_the_backup_pages_then_each_migration_in_order(
    old_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup_module, "BACKUP_STEP_PAGES", 16)  # several steps of a small file
    heard: list[UpgradeProgress] = []

    open_checked(check_mirror(old_mirror), listener=heard.append).close()

    pending = len(script_revisions()) - 1  # all but 0001_initial
    steps = pending + 1
    assert {p.steps for p in heard} == {steps}
    copying = [p for p in heard if p.copying]
    assert all(p.step == 1 for p in copying)
    counted = [(p.done, p.total) for p in copying if p.done is not None]
    assert len(counted) > 3
    assert [done for done, _ in counted] == sorted(done for done, _ in counted)
    assert counted[-1][0] == counted[-1][1]  # every page copied
    migrations = [p for p in heard if not p.copying]
    assert [p.step for p in migrations] == list(range(2, steps + 1))
    assert migrations[0].label.startswith("Migration 0002: ")
    assert migrations[-1].label.startswith(f"Migration {SCHEMA_HEAD[:4]}: ")
    assert all(p.done is None and p.total is None for p in migrations)  # busy, not counted
    (backup,) = backups_of(old_mirror)
    assert {p.backup for p in migrations} == {backup}
    assert revision_of(old_mirror) == SCHEMA_HEAD
    assert revision_of(backup) == OLD_REVISION


def test_a_migration_failing_halfway_leaves_the_mirror_as_it_was(
    old_mirror: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = contents(old_mirror)
    real_upgrade = command.upgrade
    ran: list[str] = []

    def fails_on_the_third(config: Any, revision: str) -> None:
        if len(ran) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        real_upgrade(config, revision)
        ran.append(revision)

    monkeypatch.setattr(command, "upgrade", fails_on_the_third)
    with pytest.raises(DatabaseError, match="disk is full"):
        open_checked(check_mirror(old_mirror), listener=lambda _: None)

    assert len(ran) == 2  # two migrations had run before the failure
    assert revision_of(old_mirror) == OLD_REVISION
    assert contents(old_mirror) == before
    (backup,) = backups_of(old_mirror)
    assert contents(backup) == before


def test_an_announcer_hears_of_an_upgrade_but_not_of_a_current_or_new_mirror(
    old_mirror: Path, tmp_path: Path
) -> None:
    heard: list[tuple[Path, str]] = []
    announce_upgrades(lambda path, revision: heard.append((path, revision)))
    try:
        open_database(tmp_path / "new.sqlite3").close()
        open_database(tmp_path / "new.sqlite3").close()
        open_database(old_mirror).close()
    finally:
        announce_upgrades(None)
    assert heard == [(old_mirror.resolve(), OLD_REVISION)]


def test_a_backup_watched_step_by_step_copies_what_a_plain_one_does(
    old_mirror: Path, tmp_path: Path
) -> None:
    steps: list[tuple[int, int]] = []
    watched = backup_module.backup_mirror(
        old_mirror, OLD_REVISION, lambda done, total: steps.append((done, total))
    )
    plain = backup_module.backup_mirror(old_mirror, OLD_REVISION)
    assert contents(watched) == contents(plain) == contents(old_mirror)
    assert steps
    assert steps[-1][0] == steps[-1][1]
