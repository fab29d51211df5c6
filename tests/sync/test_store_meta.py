"""``app_meta`` read and written the same way through SQLAlchemy and through sqlite3."""

from __future__ import annotations

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.meta import get_meta, set_meta


def test_meta_round_trips_through_both_kinds_of_connection(db: Database) -> None:
    with db.engine.begin() as conn:
        assert get_meta(conn, "k") is None
        set_meta(conn, "k", "one")
    plain = db.reader()
    assert get_meta(plain, "k") == "one"
    with plain:
        set_meta(plain, "k", "two")
    with db.engine.connect() as conn:
        assert get_meta(conn, "k") == "two"
    with db.engine.begin() as conn:
        set_meta(conn, "k", None)
    assert get_meta(plain, "k") is None
