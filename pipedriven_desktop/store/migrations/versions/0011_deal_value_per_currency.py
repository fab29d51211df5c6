"""Scores worked out again: a contact's deal value is now one currency's total.

The relationship rule added the open and won deals' values whatever their currency,
so 6,851.54 USD and 8,083.19 PLN counted as 14,934.73 and earned the points of a deal
value over 10,000. Amounts in different currencies are no longer added: the largest
one currency's total counts, and the breakdown names the currency. No column changes;
the scoring day is forgotten so the next pass works every contact out again, as a
first pass does, and keeps their facts in the new form.

Revision ID: 0011_deal_value_per_currency
Revises: 0010_kept_score_facts
"""

from __future__ import annotations

from alembic import op

revision = "0011_deal_value_per_currency"
down_revision = "0010_kept_score_facts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DELETE FROM app_meta WHERE key = 'scores_day'")


def downgrade() -> None:
    # The scores stay as the newer rule made them until the older release's next pass.
    op.execute("DELETE FROM app_meta WHERE key = 'scores_day'")
