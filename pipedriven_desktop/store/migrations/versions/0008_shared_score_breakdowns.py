"""Score breakdowns kept once each, in their own table, and pointed to by contacts.

A breakdown's text (about 460 bytes) was stored in every contact row, yet contacts with
the same facts share it: at 100,000 contacts there are about 7,700 distinct texts, and
the texts were more than half of the contacts table (46 of 81 MB). Each scoring pass
read them all to compare, and a pass changing most scores wrote them all again. Now a
contact holds the breakdown's id; the texts live once in ``score_breakdowns``.

Existing texts stay where they are and are read as before until the next scoring pass
writes the contact (``contacts.warmness_breakdown`` then becomes NULL): moving them here
would rewrite every contact row during the upgrade, minutes at 1,000,000 contacts.

Revision ID: 0008_shared_score_breakdowns
Revises: 0007_scoring_lookups
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_shared_score_breakdowns"
down_revision = "0007_scoring_lookups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_breakdowns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("breakdown", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_score_breakdowns"),
        sa.UniqueConstraint("breakdown", name="uq_score_breakdowns_breakdown"),
    )
    # No foreign key: SQLite adds one only by copying the table. Ids never reused
    # (AUTOINCREMENT is not needed: a breakdown row is removed only once unreferenced).
    op.add_column("contacts", sa.Column("score_breakdown_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("contacts", "score_breakdown_id")
    op.drop_table("score_breakdowns")
