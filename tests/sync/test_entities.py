"""Each entity's column description agrees with the models and the migrated mirror."""

from __future__ import annotations

import dataclasses

import pytest

from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.entities import CONTACTS, ENTITY_TABLES, ORGANIZATIONS, EntityColumns
from pipedriven_desktop.store.models import Base
from pipedriven_desktop.store.organizations import OrganizationFields
from tests.sync.conftest import rows

TABLES = pytest.mark.parametrize("table", ENTITY_TABLES, ids=lambda t: t.table)


@TABLES
def test_every_column_of_the_model_is_described_once(table: EntityColumns) -> None:
    described = table.described
    assert len(described) == len(set(described)), "a column is described twice"
    assert set(described) == set(Base.metadata.tables[table.table].columns.keys())


@TABLES
def test_every_column_of_the_migrated_mirror_is_described(
    db: Database, table: EntityColumns
) -> None:
    found = {row.name for row in rows(db, f"PRAGMA table_info({table.table})")}
    assert found == set(table.described)


@TABLES
def test_the_description_names_its_keys_among_the_written_columns(table: EntityColumns) -> None:
    assert table.pipedrive_id in table.values
    assert table.changed_by is None or table.changed_by in table.values
    assert not set(table.user_owned) & set(table.columns)


def test_organization_fields_carry_the_organizations_values_by_name() -> None:
    names = {f.name for f in dataclasses.fields(OrganizationFields)}
    assert names == set(ORGANIZATIONS.values)


def test_the_contacts_upsert_never_writes_the_users_own_columns() -> None:
    written = CONTACTS.upsert.split("ON CONFLICT")[0]
    for column in CONTACTS.user_owned:
        assert column not in CONTACTS.upsert
    assert all(column in written for column in CONTACTS.columns)
    assert "score_computed_at = NULL" in CONTACTS.upsert


def test_a_select_of_an_unknown_column_is_refused() -> None:
    with pytest.raises(ValueError, match="no column"):
        CONTACTS.select_by_pipedrive_id("id", "warmth")
