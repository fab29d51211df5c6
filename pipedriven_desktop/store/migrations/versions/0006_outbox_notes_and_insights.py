"""Working the list from the desktop, and the figures of the Insights view.

``activities`` gains what a salesperson writes and the agenda reads: the owner
(Pipedrive user id), the due time (``HH:MM``, Pipedrive's own text form) and the
note. ``notes`` mirrors the notes the app adds to a person. ``outbox`` keeps every
action taken on a contact until Pipedrive has it: in order, with its own id, its
state (waiting, sending, refused) and the reason a refusal gave, so nothing is
lost and an unknown outcome can be checked before a resend.

``warmness_daily`` is one small row per day with the counts of contacts at each
score (0-10), for My-500 and for all contacts, written by the scoring pass.
``query_stats_daily`` aggregates the service's query timings and cache hits per
day and operation, with a histogram of durations so percentiles over several days
can be read back.

Revision ID: 0006_outbox_notes_and_insights
Revises: 0005_contacts_by_owner_and_organization
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_notes_and_insights"
down_revision = "0005_contacts_by_owner_and_organization"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("activities") as batch:
        batch.add_column(sa.Column("owner_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("due_time", sa.Text(), nullable=True))
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    op.create_index(
        "ix_activities_owner_id_done_due_date",
        "activities",
        ["owner_id", "done", "due_date"],
        unique=False,
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pipedrive_note_id", sa.Integer(), nullable=True),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("pipedrive_person_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("add_time", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_notes_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint("pipedrive_note_id", name=op.f("uq_notes_pipedrive_note_id")),
    )
    op.create_index("ix_notes_contact_id", "notes", ["contact_id"], unique=False)
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=True),
        sa.Column("pipedrive_person_id", sa.Integer(), nullable=True),
        sa.Column("activity_id", sa.String(length=36), nullable=True),
        sa.Column("note_id", sa.String(length=36), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), server_default="waiting", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("sending_since", sa.DateTime(), nullable=True),
        sa.Column("pipedrive_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_outbox_contact_id_contacts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("action_id", name=op.f("uq_outbox_action_id")),
    )
    op.create_index("ix_outbox_state_id", "outbox", ["state", "id"], unique=False)
    op.create_table(
        "warmness_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("my500", sa.JSON(), nullable=False),
        sa.Column("all_contacts", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_warmness_daily")),
    )
    op.create_table(
        "query_stats_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("operation", sa.String(length=64), nullable=False),
        sa.Column("calls", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cache_hits", sa.Integer(), server_default="0", nullable=False),
        sa.Column("total_ms", sa.Float(), server_default="0", nullable=False),
        sa.Column("max_ms", sa.Float(), server_default="0", nullable=False),
        sa.Column("histogram", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("day", "operation", name=op.f("pk_query_stats_daily")),
    )


def downgrade() -> None:
    op.drop_table("query_stats_daily")
    op.drop_table("warmness_daily")
    op.drop_index("ix_outbox_state_id", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_notes_contact_id", table_name="notes")
    op.drop_table("notes")
    op.drop_index("ix_activities_owner_id_done_due_date", table_name="activities")
    with op.batch_alter_table("activities") as batch:
        batch.drop_column("note")
        batch.drop_column("due_time")
        batch.drop_column("owner_id")
