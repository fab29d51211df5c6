"""Score inputs read from Pipedrive's mail facts and consent, and a score history.

``contacts`` gains the person's ``marketing_status`` (shown as email consent, never
read as a lead status) and the mail facts Pipedrive's person listing returns with
``include_fields``: ``email_messages_count``, ``last_incoming_mail_time`` and
``last_outgoing_mail_time``, which stand for the reply rate.

``score_history`` keeps each change of a contact's score with the day, the old and
new score and what changed in words; it is kept small by ``store.score_history``.

Revision ID: 0004_score_history_and_inputs
Revises: 0003_search_parts_and_users
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_score_history_and_inputs"
down_revision = "0003_search_parts_and_users"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contacts") as batch:
        batch.add_column(sa.Column("marketing_status", sa.Text(), nullable=True))
        batch.add_column(sa.Column("email_messages_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("last_incoming_mail_time", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("last_outgoing_mail_time", sa.DateTime(), nullable=True))
    op.create_table(
        "score_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("contact_id", sa.String(length=36), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("old_score", sa.Integer(), nullable=True),
        sa.Column("new_score", sa.Integer(), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contact_id"],
            ["contacts.id"],
            name=op.f("fk_score_history_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_score_history")),
    )
    op.create_index(
        "ix_score_history_contact_id_id", "score_history", ["contact_id", "id"], unique=False
    )
    op.create_index("ix_score_history_changed_on", "score_history", ["changed_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_score_history_changed_on", table_name="score_history")
    op.drop_index("ix_score_history_contact_id_id", table_name="score_history")
    op.drop_table("score_history")
    with op.batch_alter_table("contacts") as batch:
        batch.drop_column("last_outgoing_mail_time")
        batch.drop_column("last_incoming_mail_time")
        batch.drop_column("email_messages_count")
        batch.drop_column("marketing_status")
