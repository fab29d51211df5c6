"""Each contact keeps the facts its score was worked out from, each set of facts once.

A change of the lead status settings moves no fact, yet every contact's score had to be
worked out again from the activities, deals and contact rows: about 1 s at 100,000
contacts, tens of seconds at 1,000,000. Now a contact points to the facts of its last
scoring (``score_facts_id``); the facts, reduced to what the rules tell apart, live
once in ``score_facts`` (a few thousand distinct sets among 100,000 contacts), so a
settings change only looks each set up again.

Existing contacts have no facts yet: the scoring day is forgotten so the next pass
works every contact out, as a first pass does, and records their facts.

Revision ID: 0010_kept_score_facts
Revises: 0009_sort_by_name_and_organization
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_kept_score_facts"
down_revision = "0009_sort_by_name_and_organization"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "score_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_score_facts"),
        sa.UniqueConstraint("facts", name="uq_score_facts_facts"),
    )
    # No foreign key, as for score_breakdowns: SQLite adds one only by copying the table.
    op.add_column("contacts", sa.Column("score_facts_id", sa.Integer(), nullable=True))
    op.execute("DELETE FROM app_meta WHERE key = 'scores_day'")


def downgrade() -> None:
    op.drop_column("contacts", "score_facts_id")
    op.drop_table("score_facts")
