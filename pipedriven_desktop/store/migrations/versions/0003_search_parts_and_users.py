"""Search inside phone numbers and email addresses; Pipedrive's users for owner names.

The search index gains a ``parts`` column holding every suffix of the phone's
digits and of the email's local part and domain, each token marked (``PART_MARK``).
A search term matched as a prefix of a marked suffix is matched anywhere inside the
number or address ("9396" finds "+49 170 555 9396", "mith" finds
"john.smith@gmail.com"), still by the same FTS5 index, accent- and
case-insensitively, and a search's count still comes from the index alone. Prefix
indexes of 1 and 4 characters join 2 and 3: the first keystroke of a word and a
3-character term inside parts each read one doclist. The search index is rebuilt
with its rows and triggers.

``users`` mirrors Pipedrive's users, so a contact's ``owner_id`` has a name.

The definitions are copied here on purpose: a migration describes the schema of its
own time and never changes with later code.

Revision ID: 0003_search_parts_and_users
Revises: 0002_kept_contact_data
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_search_parts_and_users"
down_revision = "0002_kept_contact_data"
branch_labels = None
depends_on = None

#: The phone with its usual separators removed ('.' too, unlike 0001's copy).
PHONE_DIGITS = (
    "replace(replace(replace(replace(replace(replace(replace(coalesce({col}, ''),"
    " ' ', ''), '-', ''), '+', ''), '(', ''), ')', ''), '/', ''), '.', '')"
)
#: The last suffix position for the phone's digits (E.164 numbers have at most 15
#: digits, plus an extension), the email's local part (at most 64 characters by RFC
#: 5321) and its domain; each is cut into buckets so a row pays for its own length only.
PHONE_BUCKETS = (8, 16, 24)
LOCAL_BUCKETS = (8, 16, 32, 64)
DOMAIN_BUCKETS = (8, 16, 32, 48)
#: Starts every token of ``parts``, so they share no terms with the other columns: a
#: short search (a word start, the most frequent keystrokes) reads none of them. A
#: letter (Unicode "Lo", no case, no diacritic) that starts no word people write.
PART_MARK = "\u0298"
FTS_COLUMNS = "rowid, name, email, phone, phone_digits, org_name, owner, parts"


def _phone_search_terms(col: str) -> str:
    """The phone's digits, also without a 1-3 digit country code (as in 0001)."""
    digits = PHONE_DIGITS.format(col=col)
    return " || ' ' || ".join([digits] + [f"substr({digits}, {n})" for n in (2, 3, 4)])


def _suffixes(length: str, piece: str, buckets: tuple[int, ...]) -> str:
    """Space separated ``piece``s for positions 2.. up to the bucket that fits ``length``.

    Only the matching CASE branch runs, and ``printf`` joins its pieces in one go.
    """
    branches = []
    for last in buckets:
        pieces = [f"'{PART_MARK}' || nullif({piece.format(n=n)}, '')" for n in range(2, last + 1)]
        call = f"printf('{' '.join(['%s'] * len(pieces))}', {', '.join(pieces)})"
        branches.append(call if last == buckets[-1] else f"WHEN {length} <= {last} THEN {call}")
    return f"CASE {' '.join(branches[:-1])} ELSE {branches[-1]} END"


def _parts(alias: str) -> str:
    """Every suffix of the phone's digits, of the email's local part and of its domain.

    A local-part suffix stops at the '@', so the domain's words are not repeated once
    per position. The digits and the '@' are worked out once per row in a subquery:
    the sync writes this for every contact it changes.
    """
    groups = [
        _suffixes("length(d)", "substr(d, {n})", PHONE_BUCKETS),
        _suffixes("a", "substr(e, {n}, max(a - {n}, 0))", LOCAL_BUCKETS),
        _suffixes("length(e) - a", "substr(e, a + {n})", DOMAIN_BUCKETS),
    ]
    digits = PHONE_DIGITS.format(col=f"{alias}.phone")
    email = f"coalesce({alias}.email, '')"
    joined = " || ' ' || ".join(groups)
    return f"(SELECT {joined} FROM (SELECT {digits} AS d, {email} AS e, instr({email}, '@') AS a))"


def _fts_row(alias: str) -> str:
    return (
        f"{alias}.rowid, {alias}.name, {alias}.email, {alias}.phone, "
        + _phone_search_terms(f"{alias}.phone")
        + f", (SELECT o.name FROM organizations o WHERE o.id = {alias}.organization_id)"
        + f", 'owner' || coalesce({alias}.owner_id, 'none'), "
        + _parts(alias)
    )


FTS_TABLE = (
    "CREATE VIRTUAL TABLE contacts_fts USING fts5("
    "name, email, phone, phone_digits, org_name, owner, parts, "
    "tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3 4')"
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


def rebuild_search_index() -> None:
    for trigger in FTS_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS contacts_fts")
    op.execute(FTS_TABLE)
    op.execute(f"INSERT INTO contacts_fts({FTS_COLUMNS}) SELECT {_fts_row('c')} FROM contacts c")
    op.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('optimize')")
    for sql in FTS_TRIGGERS.values():
        op.execute(sql)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("1"), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
    )
    rebuild_search_index()


def downgrade() -> None:
    op.drop_table("users")
