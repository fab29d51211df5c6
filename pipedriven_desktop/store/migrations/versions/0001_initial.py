"""Initial schema: the mirror tables, the My-500 indexes and the FTS5 search index.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

PHONE_DIGITS = (
    "replace(replace(replace(replace(replace(replace(coalesce({col}, ''),"
    " ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '/', '')"
)


def _phone_search_terms(col: str) -> str:
    """The phone's digits, also without a 1-3 digit country code, so '1701234' finds it."""
    digits = PHONE_DIGITS.format(col=col)
    return " || ' ' || ".join([digits] + [f"substr({digits}, {n})" for n in (2, 3, 4)])


def _fts_row(alias: str) -> str:
    return (
        f"{alias}.rowid, {alias}.name, {alias}.email, {alias}.phone, "
        + _phone_search_terms(f"{alias}.phone")
        + f", (SELECT o.name FROM organizations o WHERE o.id = {alias}.organization_id)"
        + f", 'owner' || coalesce({alias}.owner_id, 'none')"
    )


EXTRA_UPGRADE_SQL = [
    "CREATE INDEX ix_contacts_my500 ON contacts (owner_id, added_to_campaign DESC, "
    "warmness_score ASC, last_contacted ASC, created_at DESC, id)",
    "CREATE INDEX ix_contacts_all_order ON contacts "
    "(added_to_campaign DESC, warmness_score ASC, last_contacted ASC, created_at DESC, id)",
    "CREATE INDEX ix_activities_contact_recent ON activities (contact_id, add_time DESC)",
    "CREATE INDEX ix_organizations_contact_count_desc ON organizations (contact_count DESC)",
    "CREATE VIRTUAL TABLE contacts_fts USING fts5("
    "name, email, phone, phone_digits, org_name, owner, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    "CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN "
    "INSERT INTO contacts_fts(rowid, name, email, phone, phone_digits, org_name, owner) "
    f"SELECT {_fts_row('new')}; END",
    "CREATE TRIGGER contacts_fts_update AFTER UPDATE OF name, email, phone, organization_id, "
    "owner_id ON contacts BEGIN DELETE FROM contacts_fts WHERE rowid = old.rowid; "
    "INSERT INTO contacts_fts(rowid, name, email, phone, phone_digits, org_name, owner) "
    f"SELECT {_fts_row('new')}; END",
    "CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN "
    "DELETE FROM contacts_fts WHERE rowid = old.rowid; END",
    "CREATE TRIGGER organizations_fts_rename AFTER UPDATE OF name ON organizations BEGIN "
    "UPDATE contacts_fts SET org_name = new.name WHERE rowid IN "
    "(SELECT rowid FROM contacts WHERE organization_id = new.id); END",
]

EXTRA_DOWNGRADE_SQL = [
    "DROP TRIGGER IF EXISTS organizations_fts_rename",
    "DROP TRIGGER IF EXISTS contacts_fts_delete",
    "DROP TRIGGER IF EXISTS contacts_fts_update",
    "DROP TRIGGER IF EXISTS contacts_fts_insert",
    "DROP TABLE IF EXISTS contacts_fts",
    "DROP INDEX IF EXISTS ix_organizations_contact_count_desc",
    "DROP INDEX IF EXISTS ix_activities_contact_recent",
    "DROP INDEX IF EXISTS ix_contacts_all_order",
    "DROP INDEX IF EXISTS ix_contacts_my500",
]


def upgrade() -> None:
    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_meta")),
    )
    op.create_table(
        "organizations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("normalized_name", sa.Text(), nullable=False),
        sa.Column("pipedrive_org_id", sa.Integer(), nullable=True),
        sa.Column("industry", sa.Text(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("country", sa.Text(), nullable=True),
        sa.Column("city", sa.Text(), nullable=True),
        sa.Column("contact_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_activity", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizations")),
        sa.UniqueConstraint("pipedrive_org_id", name=op.f("uq_organizations_pipedrive_org_id")),
    )
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organizations_normalized_name"), ["normalized_name"], unique=False
        )

    op.create_table(
        "sync_runs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("started", sa.DateTime(), nullable=False),
        sa.Column("finished", sa.DateTime(), nullable=True),
        sa.Column("requests", sa.Integer(), server_default="0", nullable=False),
        sa.Column("fetched", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated", sa.Integer(), server_default="0", nullable=False),
        sa.Column("deleted", sa.Integer(), server_default="0", nullable=False),
        sa.Column("failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )
    op.create_table(
        "sync_state",
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("watermark", sa.DateTime(), nullable=True),
        sa.Column("full_run_id", sa.String(length=36), nullable=True),
        sa.Column("full_cursor", sa.Text(), nullable=True),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("entity", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "contacts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pipedrive_person_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("job_title", sa.Text(), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("pipedrive_org_id", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("warmness_score", sa.Integer(), server_default="0", nullable=False),
        sa.Column("warmness_breakdown", sa.JSON(), nullable=True),
        sa.Column("last_contacted", sa.DateTime(), nullable=True),
        sa.Column("added_to_campaign", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("lead_status", sa.Text(), nullable=True),
        sa.Column("incoming_mail_count", sa.Integer(), nullable=True),
        sa.Column("outgoing_mail_count", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("last_pipedrive_update", sa.DateTime(), nullable=True),
        sa.Column("score_computed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_contacts_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("pipedrive_person_id", name=op.f("uq_contacts_pipedrive_person_id")),
    )
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contacts_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "org_suggestions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_id", sa.String(length=36), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), server_default="open", nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["organizations.id"],
            name=op.f("fk_org_suggestions_candidate_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_org_suggestions_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_org_suggestions")),
    )
    with op.batch_alter_table("org_suggestions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_org_suggestions_candidate_id"), ["candidate_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_org_suggestions_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            "uq_org_suggestions_pair", ["organization_id", "candidate_id"], unique=True
        )

    op.create_table(
        "organization_aliases",
        sa.Column("pipedrive_org_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_aliases_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("pipedrive_org_id", name=op.f("pk_organization_aliases")),
    )
    with op.batch_alter_table("organization_aliases", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_organization_aliases_organization_id"), ["organization_id"], unique=False
        )

    op.create_table(
        "deals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pipedrive_deal_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("pipedrive_person_id", sa.Integer(), nullable=True),
        sa.Column("pipedrive_org_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), server_default="0", nullable=False),
        sa.Column("currency", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("update_time", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_deals_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_deals_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("pipedrive_deal_id", name=op.f("uq_deals_pipedrive_deal_id")),
    )
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_deals_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_deals_organization_id"), ["organization_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_deals_pipedrive_person_id"), ["pipedrive_person_id"], unique=False
        )

    op.create_table(
        "activities",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pipedrive_activity_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("deal_id", sa.String(length=36), nullable=True),
        sa.Column("pipedrive_person_id", sa.Integer(), nullable=True),
        sa.Column("pipedrive_org_id", sa.Integer(), nullable=True),
        sa.Column("pipedrive_deal_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), server_default=sa.text("0"), nullable=False),
        sa.Column("marked_as_done_time", sa.DateTime(), nullable=True),
        sa.Column("add_time", sa.DateTime(), nullable=True),
        sa.Column("update_time", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_activities_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["deal_id"], ["deals.id"], name=op.f("fk_activities_deal_id_deals"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_activities_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint(
            "pipedrive_activity_id", name=op.f("uq_activities_pipedrive_activity_id")
        ),
    )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_activities_organization_id"), ["organization_id"], unique=False
        )
        # Only activities still waiting for their person are looked up by its Pipedrive
        # id, so the index holds only those: writing a linked activity costs it nothing.
        batch_op.create_index(
            batch_op.f("ix_activities_pipedrive_person_id"),
            ["pipedrive_person_id"],
            unique=False,
            sqlite_where=sa.text("contact_id IS NULL"),
        )

    for statement in EXTRA_UPGRADE_SQL:
        op.execute(statement)


def downgrade() -> None:
    for statement in EXTRA_DOWNGRADE_SQL:
        op.execute(statement)
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activities_pipedrive_person_id"))
        batch_op.drop_index(batch_op.f("ix_activities_organization_id"))

    op.drop_table("activities")
    with op.batch_alter_table("deals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_deals_pipedrive_person_id"))
        batch_op.drop_index(batch_op.f("ix_deals_organization_id"))
        batch_op.drop_index(batch_op.f("ix_deals_contact_id"))

    op.drop_table("deals")
    with op.batch_alter_table("organization_aliases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organization_aliases_organization_id"))

    op.drop_table("organization_aliases")
    with op.batch_alter_table("org_suggestions", schema=None) as batch_op:
        batch_op.drop_index("uq_org_suggestions_pair")
        batch_op.drop_index(batch_op.f("ix_org_suggestions_organization_id"))
        batch_op.drop_index(batch_op.f("ix_org_suggestions_candidate_id"))

    op.drop_table("org_suggestions")
    with op.batch_alter_table("contacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contacts_organization_id"))

    op.drop_table("contacts")
    op.drop_table("sync_state")
    op.drop_table("sync_runs")
    with op.batch_alter_table("organizations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organizations_normalized_name"))

    op.drop_table("organizations")
    op.drop_table("app_meta")
