"""Indexes for the name and organization orders, and each contact's organization name.

A header sort by name or by organization read every contact and sorted them all for
each page: about 0.1 s (name) and 0.5 s (organization) per page at 100,000 contacts,
ten times that at 1,000,000. Indexes on the name, over all contacts and within one
owner's (My-500), let a page walk the order and stop after a page. The organization
order sorted on the joined organization's name, which no index on the contacts can
give, so the contacts keep that name (``organization_name``), kept right by triggers
when a contact changes organization or an organization is renamed, added or deleted.

Filling the name rewrites every contact with an organization: about 3 s at 100,000
contacts, about half a minute at 1,000,000, inside the upgrade's one transaction.

Revision ID: 0009_sort_by_name_and_organization
Revises: 0008_shared_score_breakdowns
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_sort_by_name_and_organization"
down_revision = "0008_shared_score_breakdowns"
branch_labels = None
depends_on = None

#: The name alone, not the rest of the order (the My-500 terms): those hold the score,
#: which each scoring pass moves for most contacts, and its pass drops and builds again
#: every index holding it. After the name, a page sorts only the rows of equal name.
INDEXES = {
    "ix_contacts_name_nocase": ["name COLLATE NOCASE"],
    "ix_contacts_owner_id_name_nocase": ["owner_id", "name COLLATE NOCASE"],
    "ix_contacts_organization_name_nocase": ["organization_name COLLATE NOCASE"],
    "ix_contacts_owner_id_organization_name_nocase": [
        "owner_id",
        "organization_name COLLATE NOCASE",
    ],
}

# The UPDATEs below name no column that another trigger of contacts watches (the search
# index's watches name, email, phone, organization and owner), so they set off nothing.
TRIGGERS = {
    "contacts_organization_name_insert": """
        CREATE TRIGGER contacts_organization_name_insert AFTER INSERT ON contacts
        WHEN new.organization_id IS NOT NULL BEGIN
            UPDATE contacts SET organization_name =
                (SELECT o.name FROM organizations o WHERE o.id = new.organization_id)
            WHERE rowid = new.rowid;
        END""",
    "contacts_organization_name_update": """
        CREATE TRIGGER contacts_organization_name_update
        AFTER UPDATE OF organization_id ON contacts BEGIN
            UPDATE contacts SET organization_name =
                (SELECT o.name FROM organizations o WHERE o.id = new.organization_id)
            WHERE rowid = new.rowid;
        END""",
    "organizations_name_to_contacts_insert": """
        CREATE TRIGGER organizations_name_to_contacts_insert AFTER INSERT ON organizations
        BEGIN
            UPDATE contacts SET organization_name = new.name WHERE organization_id = new.id;
        END""",
    "organizations_name_to_contacts_rename": """
        CREATE TRIGGER organizations_name_to_contacts_rename
        AFTER UPDATE OF name ON organizations BEGIN
            UPDATE contacts SET organization_name = new.name WHERE organization_id = new.id;
        END""",
    "organizations_name_to_contacts_delete": """
        CREATE TRIGGER organizations_name_to_contacts_delete BEFORE DELETE ON organizations
        BEGIN
            UPDATE contacts SET organization_name = NULL WHERE organization_id = old.id;
        END""",
}


def upgrade() -> None:
    op.add_column("contacts", sa.Column("organization_name", sa.Text(), nullable=True))
    op.execute(
        "UPDATE contacts SET organization_name ="
        " (SELECT o.name FROM organizations o WHERE o.id = contacts.organization_id)"
        " WHERE organization_id IS NOT NULL"
    )
    for sql in TRIGGERS.values():
        op.execute(sql)
    for name, columns in INDEXES.items():
        op.create_index(name, "contacts", [sa.text(column) for column in columns])
    # As in 0005 and 0007: where the planner has statistics, it needs them for these
    # indexes too, or it may pass them over; each index alone is cheaper than the table.
    has_statistics = op.get_bind().exec_driver_sql(
        "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
    )
    if has_statistics.first() is not None:
        for name in INDEXES:
            op.execute(f"ANALYZE {name}")


def downgrade() -> None:
    for name in reversed(list(INDEXES)):
        op.drop_index(name, table_name="contacts")
    for name in reversed(list(TRIGGERS)):
        op.execute(f"DROP TRIGGER {name}")
    op.drop_column("contacts", "organization_name")
