"""Kept contact data, and a repair of mirrors made by earlier edits of 0001_initial.

``kept_contact_data`` holds a contact's local user data while the contact is absent
from the mirror, so the data comes back when the contact does.

``0001_initial`` was edited in place after mirrors had been made with it, so a mirror
stamped ``0001_initial`` may have older indexes (no ``id`` tie-breaker, a full
person-id index) or an older search index (no ``owner`` column, phone digits without
the country-code variants). This revision compares what the file holds with the
shape below and rebuilds whatever differs, so it is a no-op on a mirror made by the
final ``0001_initial``. The definitions are copied here on purpose: a migration
describes the schema of its own time and never changes with later code.

Revision ID: 0002_kept_contact_data
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_kept_contact_data"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

PHONE_DIGITS = (
    "replace(replace(replace(replace(replace(replace(coalesce({col}, ''),"
    " ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '/', '')"
)
FTS_COLUMNS = "rowid, name, email, phone, phone_digits, org_name, owner"


def _phone_search_terms(col: str) -> str:
    digits = PHONE_DIGITS.format(col=col)
    return " || ' ' || ".join([digits] + [f"substr({digits}, {n})" for n in (2, 3, 4)])


def _fts_row(alias: str) -> str:
    return (
        f"{alias}.rowid, {alias}.name, {alias}.email, {alias}.phone, "
        + _phone_search_terms(f"{alias}.phone")
        + f", (SELECT o.name FROM organizations o WHERE o.id = {alias}.organization_id)"
        + f", 'owner' || coalesce({alias}.owner_id, 'none')"
    )


#: Every explicitly created index, as SQLite records it for a current mirror.
INDEXES = {
    "ix_activities_contact_recent": (
        "CREATE INDEX ix_activities_contact_recent ON activities (contact_id, add_time DESC)"
    ),
    "ix_activities_organization_id": (
        "CREATE INDEX ix_activities_organization_id ON activities (organization_id)"
    ),
    "ix_activities_pipedrive_person_id": (
        "CREATE INDEX ix_activities_pipedrive_person_id ON activities (pipedrive_person_id) "
        "WHERE contact_id IS NULL"
    ),
    "ix_contacts_all_order": (
        "CREATE INDEX ix_contacts_all_order ON contacts "
        "(added_to_campaign DESC, warmness_score ASC, last_contacted ASC, created_at DESC, id)"
    ),
    "ix_contacts_my500": (
        "CREATE INDEX ix_contacts_my500 ON contacts (owner_id, added_to_campaign DESC, "
        "warmness_score ASC, last_contacted ASC, created_at DESC, id)"
    ),
    "ix_contacts_organization_id": (
        "CREATE INDEX ix_contacts_organization_id ON contacts (organization_id)"
    ),
    "ix_deals_contact_id": "CREATE INDEX ix_deals_contact_id ON deals (contact_id)",
    "ix_deals_organization_id": "CREATE INDEX ix_deals_organization_id ON deals (organization_id)",
    "ix_deals_pipedrive_person_id": (
        "CREATE INDEX ix_deals_pipedrive_person_id ON deals (pipedrive_person_id)"
    ),
    "ix_org_suggestions_candidate_id": (
        "CREATE INDEX ix_org_suggestions_candidate_id ON org_suggestions (candidate_id)"
    ),
    "ix_org_suggestions_organization_id": (
        "CREATE INDEX ix_org_suggestions_organization_id ON org_suggestions (organization_id)"
    ),
    "ix_organization_aliases_organization_id": (
        "CREATE INDEX ix_organization_aliases_organization_id "
        "ON organization_aliases (organization_id)"
    ),
    "ix_organizations_contact_count_desc": (
        "CREATE INDEX ix_organizations_contact_count_desc ON organizations (contact_count DESC)"
    ),
    "ix_organizations_normalized_name": (
        "CREATE INDEX ix_organizations_normalized_name ON organizations (normalized_name)"
    ),
    "uq_org_suggestions_pair": (
        "CREATE UNIQUE INDEX uq_org_suggestions_pair "
        "ON org_suggestions (organization_id, candidate_id)"
    ),
}

FTS_TABLE = (
    "contacts_fts",
    "CREATE VIRTUAL TABLE contacts_fts USING fts5("
    "name, email, phone, phone_digits, org_name, owner, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
)
FTS_TRIGGERS = {
    "contacts_fts_insert": (
        "CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN "
        f"INSERT INTO contacts_fts({FTS_COLUMNS}) SELECT {_fts_row('new')}; END"
    ),
    "contacts_fts_update": (
        "CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, email, phone, organization_id, "
        "owner_id ON contacts BEGIN DELETE FROM contacts_fts WHERE rowid = old.rowid; "
        f"INSERT INTO contacts_fts({FTS_COLUMNS}) SELECT {_fts_row('new')}; END"
    ),
    "contacts_fts_delete": (
        "CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN "
        "DELETE FROM contacts_fts WHERE rowid = old.rowid; END"
    ),
    "organizations_fts_rename": (
        "CREATE TRIGGER organizations_fts_rename AFTER UPDATE OF name ON organizations BEGIN "
        "UPDATE contacts_fts SET org_name = new.name WHERE rowid IN "
        "(SELECT rowid FROM contacts WHERE organization_id = new.id); END"
    ),
}


def _normalized(sql: str | None) -> str:
    return " ".join((sql or "").split())


def _existing(kind: str) -> dict[str, str]:
    rows = op.get_bind().exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = ? AND sql IS NOT NULL", (kind,)
    )
    return {str(name): _normalized(sql) for name, sql in rows}


def repair_indexes() -> None:
    """Create each missing index; rebuild each whose definition differs."""
    existing = _existing("index")
    for name, sql in INDEXES.items():
        current = existing.get(name)
        if current == _normalized(sql):
            continue
        if current is not None:
            op.execute(f"DROP INDEX {name}")
        op.execute(sql)


def repair_search_index() -> None:
    """Rebuild the FTS table, its triggers and its rows when any of them differs."""
    tables, triggers = _existing("table"), _existing("trigger")
    name, table_sql = FTS_TABLE
    up_to_date = tables.get(name) == _normalized(table_sql) and all(
        triggers.get(trigger) == _normalized(sql) for trigger, sql in FTS_TRIGGERS.items()
    )
    if up_to_date:
        return
    for trigger in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute(f"DROP TABLE IF EXISTS {name}")
    op.execute(table_sql)
    op.execute(f"INSERT INTO {name}({FTS_COLUMNS}) SELECT {_fts_row('c')} FROM contacts c")
    for sql in FTS_TRIGGERS.values():
        op.execute(sql)


def upgrade() -> None:
    op.create_table(
        "kept_contact_data",
        sa.Column("pipedrive_person_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("added_to_campaign", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("kept_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("pipedrive_person_id", name=op.f("pk_kept_contact_data")),
    )
    repair_indexes()
    repair_search_index()


def downgrade() -> None:
    op.drop_table("kept_contact_data")
