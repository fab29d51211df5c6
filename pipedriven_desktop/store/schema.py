"""Schema revisions this code knows, without importing Alembic at start-up.

A test checks these against the migration scripts, so they cannot drift.
"""

from __future__ import annotations

SCHEMA_HEAD = "0011_deal_value_per_currency"
KNOWN_REVISIONS = frozenset(
    {
        "0001_initial",
        "0002_kept_contact_data",
        "0003_search_parts_and_users",
        "0004_score_history_and_inputs",
        "0005_contacts_by_owner_and_organization",
        "0006_outbox_notes_and_insights",
        "0007_scoring_lookups",
        "0008_shared_score_breakdowns",
        "0009_sort_by_name_and_organization",
        "0010_kept_score_facts",
        "0011_deal_value_per_currency",
    }
)
