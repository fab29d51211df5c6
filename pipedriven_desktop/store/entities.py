"""Each mirrored entity's columns, described once, by who fills them.

A Pipedrive record becomes a row in two parts: the record's own values, which the
mapping prepares ahead of time (``*Values``), and the columns found in the mirror
while writing: the row's id, its links by local id and its write stamp
(``*Links``). The sync's upserts are generated from these, the writers read values
and rows by these names, and a test checks that every column of the models is
described here exactly once, so a column cannot be added to one and forgotten in
the others. Columns a sync must never write (the user's own) and columns derived
from other rows are named too.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

__all__ = [
    "ACTIVITIES",
    "CONTACTS",
    "DEALS",
    "ENTITY_TABLES",
    "ORGANIZATIONS",
    "ORGANIZATION_ALIASES",
    "ActivityLinks",
    "ActivityValues",
    "ContactLinks",
    "ContactValues",
    "DealLinks",
    "DealValues",
    "EntityColumns",
]


@dataclass(frozen=True)
class EntityColumns:
    """One mirrored table, column by column, as the sync sees it."""

    table: str
    #: The column holding the Pipedrive id: unique, what an upsert conflicts on.
    pipedrive_id: str
    #: Columns found in the mirror while writing, in row order (the row's id first).
    links: tuple[str, ...]
    #: Columns a Pipedrive record fills, in row order after ``links``.
    values: tuple[str, ...]
    #: The value telling whether Pipedrive changed the record since it was written.
    changed_by: str | None = None
    #: The user's own columns: a sync never writes them.
    user_owned: tuple[str, ...] = ()
    #: Columns recomputed from other rows (scores, last contact, counters, lookups).
    derived: tuple[str, ...] = ()
    #: More assignments for an update, e.g. marking the row for rescoring.
    on_update: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns a sync writes, in row order."""
        return self.links + self.values

    @property
    def described(self) -> tuple[str, ...]:
        """Every column of the table, each exactly once if the description is whole."""
        return self.columns + self.user_owned + self.derived

    @cached_property
    def upsert(self) -> str:
        """``INSERT`` of one row, updating every written column but the ids on conflict."""
        columns = self.columns
        updates = [
            f"{column} = excluded.{column}"
            for column in columns
            if column not in ("id", self.pipedrive_id)
        ]
        if self.on_update:
            updates.append(self.on_update)
        return (
            f"INSERT INTO {self.table} ({', '.join(columns)})"
            f" VALUES ({', '.join('?' * len(columns))})"
            f" ON CONFLICT ({self.pipedrive_id}) DO UPDATE SET {', '.join(updates)}"
        )

    def select_by_pipedrive_id(self, *columns: str) -> str:
        """``SELECT <pipedrive id>, <columns> ... WHERE <pipedrive id> IN ({ids})``."""
        unknown = set(columns) - set(self.described)
        if unknown:
            raise ValueError(f"{self.table} has no column {', '.join(sorted(unknown))}")
        return (
            f"SELECT {', '.join((self.pipedrive_id, *columns))} FROM {self.table}"
            f" WHERE {self.pipedrive_id} IN ({{ids}})"
        )


# --- Contacts ----------------------------------------------------------------------------------


class ContactLinks(NamedTuple):
    id: str
    organization_id: str | None
    updated_at: str


class ContactValues(NamedTuple):
    """A person's own columns in store form; ``added_to_campaign`` is the user's."""

    pipedrive_person_id: int
    name: str
    email: str | None
    phone: str | None
    job_title: str | None
    pipedrive_org_id: int | None
    owner_id: int | None
    lead_status: str | None
    incoming_mail_count: int | None
    outgoing_mail_count: int | None
    created_at: str
    last_pipedrive_update: str | None
    marketing_status: str | None
    email_messages_count: int | None
    last_incoming_mail_time: str | None
    last_outgoing_mail_time: str | None


CONTACTS = EntityColumns(
    table="contacts",
    pipedrive_id="pipedrive_person_id",
    links=ContactLinks._fields,
    values=ContactValues._fields,
    changed_by="last_pipedrive_update",
    user_owned=("added_to_campaign",),
    derived=(
        "warmness_score",
        "warmness_breakdown",
        "score_breakdown_id",
        "score_facts_id",
        "last_contacted",
        "score_computed_at",
        "organization_name",  # copied from the organization by triggers (migration 0009)
    ),
    on_update="score_computed_at = NULL",
)


# --- Activities --------------------------------------------------------------------------------


class ActivityLinks(NamedTuple):
    id: str
    contact_id: str | None
    organization_id: str | None
    deal_id: str | None


class ActivityValues(NamedTuple):
    pipedrive_activity_id: int
    pipedrive_person_id: int | None
    pipedrive_org_id: int | None
    pipedrive_deal_id: int | None
    type: str
    subject: str
    due_date: str | None
    done: int
    marked_as_done_time: str | None
    add_time: str | None
    update_time: str | None
    owner_id: int | None
    due_time: str | None
    note: str | None


ACTIVITIES = EntityColumns(
    table="activities",
    pipedrive_id="pipedrive_activity_id",
    links=ActivityLinks._fields,
    values=ActivityValues._fields,
    changed_by="update_time",
)


# --- Deals -------------------------------------------------------------------------------------


class DealLinks(NamedTuple):
    id: str
    contact_id: str | None
    organization_id: str | None


class DealValues(NamedTuple):
    pipedrive_deal_id: int
    pipedrive_person_id: int | None
    pipedrive_org_id: int | None
    title: str
    value: float
    currency: str | None
    status: str
    update_time: str | None


DEALS = EntityColumns(
    table="deals",
    pipedrive_id="pipedrive_deal_id",
    links=DealLinks._fields,
    values=DealValues._fields,
    changed_by="update_time",
)


# --- Organizations -----------------------------------------------------------------------------
# Written by the organization resolver (``store.organizations``), which merges equal
# names: its ``OrganizationFields`` carry ``values`` by these names.

ORGANIZATIONS = EntityColumns(
    table="organizations",
    pipedrive_id="pipedrive_org_id",
    links=("id", "normalized_name", "created_at", "updated_at"),
    values=(
        "pipedrive_org_id",
        "name",
        "industry",
        "size",
        "website",
        "address",
        "country",
        "city",
    ),
    derived=("contact_count", "last_activity"),
)

#: Every Pipedrive organization id, and the local organization it was merged into.
ORGANIZATION_ALIASES = EntityColumns(
    table="organization_aliases",
    pipedrive_id="pipedrive_org_id",
    links=("organization_id",),
    values=("pipedrive_org_id", "name"),
)

ENTITY_TABLES: tuple[EntityColumns, ...] = (
    ORGANIZATIONS,
    ORGANIZATION_ALIASES,
    CONTACTS,
    ACTIVITIES,
    DEALS,
)
