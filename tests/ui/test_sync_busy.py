"""A sync started while another holds the mirror ends calmly, with a banner that says so."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.writer_lock import writer_lock
from pipedriven_desktop.ui.main_window import DemoEndpoint, MainWindow
from tests.ui.conftest import TOKEN


def test_a_sync_while_another_runs_shows_a_calm_banner(
    qtbot: Any,
    populated_db: Database,
    make_window: Callable[..., MainWindow],
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Nothing listens there: the sync must stop at the lock, before any request.
    window = make_window(populated_db, demo=DemoEndpoint("http://127.0.0.1:9", TOKEN))
    with writer_lock(populated_db.path), qtbot.waitSignal(window.sync_ended, timeout=10_000):
        assert window.start_sync()
    text = window.banner.message.text()
    assert "Another sync is running" in text
    assert "unexpected" not in text
    assert window.banner.isVisibleTo(window)
    assert not [r for r in caplog.records if r.exc_info]  # not logged as a crash
