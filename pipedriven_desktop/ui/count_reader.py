"""A contact count made off the UI thread: at a million contacts a full count takes long
enough to hold the first paint back, so the window paints first and the count follows."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.ui.latest_read import LatestRead


def _count(db: Database, contact_filter: object) -> object:
    assert isinstance(contact_filter, ContactFilter)
    return ContactService(db).count(contact_filter)


def count_reader(path: Path, parent: QObject | None = None) -> LatestRead:
    """Answers ``(filter, number of contacts)`` for the latest filter asked."""
    return LatestRead(path, _count, "counting the contacts", parent)
