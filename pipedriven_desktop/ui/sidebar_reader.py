"""The sidebar's full list read off the UI thread: one grouped pass over the contacts in
scope, which at a million contacts takes long enough to be felt."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.org_preview import GroupedCounts, grouped_counts
from pipedriven_desktop.store.org_queries import OrgQueries
from pipedriven_desktop.ui.latest_read import LatestRead


def _read(db: Database, owner: object) -> tuple[GroupedCounts, int]:
    assert owner is None or isinstance(owner, int)
    return grouped_counts(db.reader(), owner), OrgQueries(db).open_suggestion_count()


def sidebar_reader(path: Path, parent: QObject | None = None) -> LatestRead:
    """Answers ``(owner id or None, (GroupedCounts, open duplicate suggestions))``."""
    return LatestRead(path, _read, "reading the organization sidebar", parent)
