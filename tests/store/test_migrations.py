"""Migrations: old mirrors reach today's shape, and the models agree with the scripts."""

from __future__ import annotations

import sqlite3
import types
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from pipedriven_desktop.store.contact_query import ContactFilter
from pipedriven_desktop.store.contact_service import ContactService
from pipedriven_desktop.store.database import open_database
from pipedriven_desktop.store.schema import SCHEMA_HEAD

FIXTURES = Path(__file__).parent.parent / "fixtures"
#: Every earlier text of 0001_initial.py that was released in place, oldest first.
OLD_INITIALS = sorted((FIXTURES / "old_0001_initial").glob("0001_initial-*.py.txt"))


def schema_of(path: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
        return {(kind, name, " ".join(sql.split())) for kind, name, sql in rows}
    finally:
        conn.close()


def root_pages(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT name, rootpage FROM sqlite_master WHERE name != 'kept_contact_data'"
        )
        return dict(rows.fetchall())
    finally:
        conn.close()


def make_mirror_with(initial_source: Path, path: Path) -> None:
    """A mirror as an earlier text of 0001_initial made it, stamped 0001_initial."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from pipedriven_desktop.store.migrate import alembic_config

    module = types.ModuleType("old_0001_initial")
    exec(compile(initial_source.read_text(), str(initial_source), "exec"), module.__dict__)
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        context = MigrationContext.configure(conn, opts={"render_as_batch": True})
        with Operations.context(context):
            module.upgrade()
        context.stamp(ScriptDirectory.from_config(alembic_config()), "0001_initial")
        conn.exec_driver_sql(
            "INSERT INTO contacts (id, pipedrive_person_id, name, phone, owner_id, "
            "added_to_campaign, created_at, updated_at) VALUES "
            "('a', 1, 'Ada Lovelace', '+44 170 1234', 7, 1, :now, :now), "
            "('b', 2, 'Ada Byron', NULL, 8, 0, :now, :now)",
            {"now": datetime(2026, 1, 1).isoformat(" ")},
        )
    engine.dispose()


def test_every_earlier_initial_text_is_kept_as_a_fixture() -> None:
    assert len(OLD_INITIALS) == 4


@pytest.mark.parametrize("initial", OLD_INITIALS, ids=lambda path: path.name.split("-")[1][:7])
def test_a_mirror_made_by_an_earlier_initial_is_repaired_to_todays_shape(
    initial: Path, tmp_path: Path
) -> None:
    fresh, old = tmp_path / "fresh.sqlite3", tmp_path / "old.sqlite3"
    open_database(fresh).close()
    make_mirror_with(initial, old)
    assert schema_of(old) != schema_of(fresh)

    db = open_database(old)
    try:
        service = ContactService(db)
        mine = service.page(ContactFilter(owner_id=7, search="ada"))
        by_phone = service.count(ContactFilter(search="1701234"))
    finally:
        db.close()

    assert schema_of(old) == schema_of(fresh)
    assert [row.name for row in mine.rows] == ["Ada Lovelace"]
    assert mine.pagination.total == 1
    assert by_phone == 1


def test_the_repair_changes_nothing_on_a_current_mirror(tmp_path: Path) -> None:
    path = tmp_path / "mirror.sqlite3"
    make_mirror_with(OLD_INITIALS[-1], path)  # the schema before the last edit
    open_database(path).close()
    before = schema_of(path), root_pages(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0001_initial'")
    conn.execute("DROP TABLE kept_contact_data")
    conn.commit()
    conn.close()
    open_database(path).close()
    # Same definitions, and the same pages: nothing was dropped and rebuilt.
    assert (schema_of(path), root_pages(path)) == before
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
    conn.close()
