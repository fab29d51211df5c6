"""Reads pinned to an index still being built run unpinned instead of failing."""

from __future__ import annotations

import sqlite3

import pytest

from pipedriven_desktop.store.contact_query import ContactFilter, SortKey
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.reader_connection import unpinned
from tests.synthetic import populate


def _drop(db: Database, *names: str) -> None:
    with db.session() as session:
        for name in names:
            session.connection().exec_driver_sql(f'DROP INDEX "{name}"')


@pytest.mark.parametrize("owner_id", [None, 1])
def test_a_page_reads_the_same_rows_while_its_order_index_is_missing(
    db: Database, owner_id: int | None
) -> None:
    populate(db, contacts=120, owner_id=1, owned_share=0.7, seed=5)
    wanted = ContactFilter(owner_id=owner_id, sort=SortKey.MY500)
    before = [row.id for row in ContactService(db).page(wanted, 1, 50).rows]
    # As a first listing leaves the mirror until its end (sync.writers.indexes).
    _drop(db, "ix_contacts_my500", "ix_contacts_all_order")
    after = [row.id for row in ContactService(db).page(wanted, 1, 50).rows]
    assert after == before
    assert len(after) == 50


def test_other_errors_still_raise(db: Database) -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        db.reader().execute("SELECT 1 FROM missing_table INDEXED BY ix_nothing")
    with pytest.raises(sqlite3.OperationalError, match="no such index"):
        db.reader().execute("DROP INDEX ix_never_made")


def test_unpinned_drops_only_the_pins() -> None:
    sql = 'SELECT c.id FROM contacts c INDEXED BY "ix_a" JOIN x INDEXED BY ix_b ON 1'
    assert unpinned(sql) == "SELECT c.id FROM contacts c JOIN x ON 1"
