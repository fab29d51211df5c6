"""A first listing sets indexes aside, but never those the window's reads pin."""

from __future__ import annotations

from pipedriven_desktop.store.contact_query import ORDER_INDEX_NAMES
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.sync.writers.persons import PersonWriter


def test_a_first_persons_listing_keeps_the_order_indexes_and_defers_the_rest(
    db: Database,
) -> None:
    with db.engine.connect() as conn:
        deferred = PersonWriter().deferrable_indexes(conn)
        existing = {
            row[0]
            for row in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'contacts'"
            )
        }
    assert existing >= ORDER_INDEX_NAMES  # the pins name real indexes
    assert not ORDER_INDEX_NAMES & set(deferred)
    assert "ix_contacts_organization_id" in deferred  # the rest still waits for the end
