"""A mirror named with --db lives in the user's folder: the window refuses a missing one,
as the command line does; the default data folder is the app's to create."""

from __future__ import annotations

from argparse import Namespace
from pathlib import Path
from typing import Any

import pytest

from pipedriven_desktop import app, crash, paths
from pipedriven_desktop.app import EXIT_DATABASE_ERROR, check_mirror_at, run_gui


@pytest.fixture
def quiet_start(monkeypatch: pytest.MonkeyPatch) -> None:
    """No process-wide hooks or log handlers left behind by an in-process start, and no
    window: reaching one means the mirror was accepted."""
    monkeypatch.setattr(crash, "install", lambda: None)
    monkeypatch.setattr(app, "setup_logging", lambda _folder: None)

    def no_window(*_args: object) -> None:
        raise AssertionError("the mirror was accepted and a window opened")

    monkeypatch.setattr(app, "GuiApp", no_window)


@pytest.mark.parametrize("demo", [False, True])
def test_a_db_in_a_missing_folder_is_refused_and_nothing_is_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], quiet_start: None, qapp: Any, demo: bool
) -> None:
    missing = tmp_path / "nonexistent"
    options = Namespace(db=missing / "x.sqlite3", demo=demo, screenshot=None, base_url=None)
    assert run_gui(options) == EXIT_DATABASE_ERROR
    assert f"directory {missing} does not exist" in capsys.readouterr().err
    assert not missing.exists()


def test_the_default_data_folder_is_created(tmp_path: Path) -> None:
    default = paths.default_db_path()
    assert not default.parent.exists()
    mirror = check_mirror_at(None)
    assert mirror.path == default
    assert default.parent.is_dir()
