"""The user's edits saved from a worker thread: on a connection of their own, errors in words."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from pipedriven_desktop.store.contacts import EditError, MirrorBusyError, save_campaign
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.models import Contact

NOW = datetime(2026, 11, 25, 12, 0, 0)


def add_contact(db: Database, name: str) -> str:
    with db.session() as session:
        contact = Contact(name=name, owner_id=1, created_at=NOW, updated_at=NOW, warmness_score=5)
        session.add(contact)
        session.flush()
        return contact.id


def _flag(db: Database, contact_id: str) -> int:
    row = (
        db.reader()
        .execute("SELECT added_to_campaign FROM contacts WHERE id = ?", (contact_id,))
        .fetchone()
    )
    return int(row[0])


def test_save_campaign_sets_the_flag_and_tells_a_missing_contact(db: Database) -> None:
    contact_id = add_contact(db, "Ada")
    assert save_campaign(db.path, contact_id, True)
    assert _flag(db, contact_id) == 1
    assert save_campaign(db.path, "no-such-id", True) is False


def test_a_mirror_held_by_another_writer_is_reported_as_locked(db: Database) -> None:
    contact_id = add_contact(db, "Ada")
    blocker = sqlite3.connect(db.path, isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        # Busy, which the caller may wait out, as the campaign writer does.
        with pytest.raises(MirrorBusyError, match="locked by another program"):
            save_campaign(db.path, contact_id, True, busy_timeout_ms=20)
    finally:
        blocker.close()
    assert _flag(db, contact_id) == 0


def test_a_mirror_gone_meanwhile_is_an_error_not_a_new_file(tmp_path: Path) -> None:
    missing = tmp_path / "gone.sqlite3"
    with pytest.raises(EditError) as raised:
        save_campaign(missing, "some-id", True)
    assert not isinstance(raised.value, MirrorBusyError)  # nothing to wait out
    assert not missing.exists()
