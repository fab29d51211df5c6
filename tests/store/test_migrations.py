"""Migrations: old mirrors reach today's shape, and the models agree with the scripts."""

from __future__ import annotations

import shutil
import sqlite3
import types
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, MetaData, create_engine
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex

from pipedriven_desktop.store.backup import backups_of
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


def upgrade_to(path: Path, revision: str) -> None:
    """Run the migrations up to ``revision`` only, as a release of that time would."""
    from alembic import command

    from pipedriven_desktop.store.migrate import alembic_config, migration_engine

    engine = migration_engine(path)
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    finally:
        engine.dispose()


def test_the_repair_changes_nothing_on_a_current_mirror(tmp_path: Path) -> None:
    path = tmp_path / "mirror.sqlite3"
    make_mirror_with(OLD_INITIALS[-1], path)  # the schema before the last edit
    upgrade_to(path, "0002_kept_contact_data")
    before = schema_of(path), root_pages(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0001_initial'")
    conn.execute("DROP TABLE kept_contact_data")
    conn.commit()
    conn.close()
    upgrade_to(path, "0002_kept_contact_data")
    # Same definitions, and the same pages: nothing was dropped and rebuilt.
    assert (schema_of(path), root_pages(path)) == before
    open_database(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
    conn.close()


def expression_indexes(metadata: MetaData) -> set[str]:
    """Indexes with an expression (``DESC``): Alembic cannot compare those."""
    return {
        str(index.name)
        for table in metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(expr, Column) for expr in index.expressions)
    }


def test_the_models_and_the_migrations_agree(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from pipedriven_desktop.store.models import Base

    path = tmp_path / "mirror.sqlite3"
    open_database(path).close()
    skipped = expression_indexes(Base.metadata)

    def compared(obj: object, name: str | None, kind: str, reflected: bool, other: object) -> bool:
        # The search index is raw SQL (an FTS5 table and its shadow tables), and
        # alembic_version is Alembic's own.
        if kind == "table":
            return not (name or "").startswith("contacts_fts") and name != "alembic_version"
        return not (kind == "index" and name in skipped)

    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_object": compared,
                "compare_type": True,
                "compare_server_default": True,
            },
        )
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_every_index_of_the_models_is_in_the_mirror_exactly(tmp_path: Path) -> None:
    """Column order, DESC and partial-index conditions included, which Alembic skips."""
    from pipedriven_desktop.store.models import Base

    path = tmp_path / "mirror.sqlite3"
    open_database(path).close()
    designed = {
        (index.name, " ".join(str(CreateIndex(index).compile(dialect=sqlite.dialect())).split()))
        for table in Base.metadata.tables.values()
        for index in table.indexes
    }
    in_file = {(name, sql) for kind, name, sql in schema_of(path) if kind == "index"}
    assert in_file == designed


def test_a_mirror_made_by_version_0_1_0_upgrades_with_its_data_and_campaign_flags(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mirror.sqlite3"
    shutil.copyfile(FIXTURES / "mirror-0.1.0.sqlite3", path)
    counted = (
        "SELECT (SELECT count(*) FROM contacts), (SELECT count(*) FROM organizations),"
        " (SELECT count(*) FROM activities), (SELECT count(*) FROM deals),"
        " (SELECT count(*) FROM contacts_fts)"
    )
    flagged = "SELECT id FROM contacts WHERE added_to_campaign ORDER BY id"
    conn = sqlite3.connect(path)
    counts_before, flags_before = conn.execute(counted).fetchone(), conn.execute(flagged).fetchall()
    owner = int(conn.execute("SELECT value FROM app_meta WHERE key = 'owner_id'").fetchone()[0])
    conn.close()
    assert len(flags_before) == 17

    db = open_database(path)
    try:
        service = ContactService(db)
        assert service.owner_id() == owner
        everyone_mine = service.page(ContactFilter(owner_id=owner), 1, 500)
        first = everyone_mine.rows[0]
        word = first.name.split()[0]
        found = service.page(ContactFilter(owner_id=owner, search=word), 1, 500)
    finally:
        db.close()

    conn = sqlite3.connect(path)
    assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
    assert conn.execute(counted).fetchone() == counts_before
    assert conn.execute(flagged).fetchall() == flags_before
    conn.close()
    assert everyone_mine.pagination.total == 200
    assert first.added_to_campaign  # My-500 puts the flagged contacts first
    assert first.id in {row.id for row in found.rows}
    assert all(row.added_to_campaign for row in everyone_mine.rows[: len(flags_before)])
    backups = backups_of(path)
    assert [b.name.split(".")[2] for b in backups] == ["0001_initial"]


def test_a_0_1_0_mirror_finds_digits_inside_phone_numbers_after_the_upgrade(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mirror.sqlite3"
    shutil.copyfile(FIXTURES / "mirror-0.1.0.sqlite3", path)
    conn = sqlite3.connect(path)
    contact_id, phone = conn.execute(
        "SELECT id, phone FROM contacts WHERE length(phone) > 8 ORDER BY id LIMIT 1"
    ).fetchone()
    conn.close()
    tail = "".join(ch for ch in phone if ch.isdigit())[-5:-1]

    db = open_database(path)
    try:
        service = ContactService(db)
        hits = service.page(ContactFilter(search=tail), 1, 500).rows
        total = service.count(ContactFilter(search=tail))
    finally:
        db.close()
    assert contact_id in {row.id for row in hits}
    assert total == len(hits)


def test_0011_forgets_the_scoring_day_so_every_score_is_worked_out_again(
    tmp_path: Path,
) -> None:
    """Deal values of different currencies were added; every score is worked out again."""
    path = tmp_path / "mirror.sqlite3"
    open_database(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT OR REPLACE INTO app_meta (key, value) VALUES ('scores_day', '2026-11-29')")
    conn.execute("INSERT OR REPLACE INTO app_meta (key, value) VALUES ('kept', 'yes')")
    conn.execute("UPDATE alembic_version SET version_num = '0010_kept_score_facts'")
    conn.commit()
    conn.close()
    open_database(path).close()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
        kept = dict(conn.execute("SELECT key, value FROM app_meta").fetchall())
    finally:
        conn.close()
    assert "scores_day" not in kept
    assert kept["kept"] == "yes"
