"""Rescoring a mirror SQLite never analysed (a first full sync) rebuilds the score indexes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.sync.scoring import _score_indexes_rebuilt


def test_score_indexes_are_rebuilt_without_planner_statistics(tmp_path: Path) -> None:
    path = tmp_path / "mirror.sqlite3"
    open_database(path).close()
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("DROP TABLE IF EXISTS sqlite_stat1")
        before = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
        raw.execute("BEGIN")
        with _score_indexes_rebuilt(raw):
            pass
        raw.execute("COMMIT")
        after = raw.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'").fetchall()
        assert sorted(after) == sorted(before)
        assert (
            raw.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchall()
            == []
        )
    finally:
        raw.close()
