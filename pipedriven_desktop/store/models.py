"""SQLAlchemy models of the local mirror.

Internal ids are text UUIDs generated locally, so rows created offline or merged
from several Pipedrive records never collide with Pipedrive's integer ids, which
are kept in their own unique columns.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from pipedriven_desktop.store.contact_query import MY500_ORDER_TERMS

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_id() -> str:
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(Text)
    normalized_name: Mapped[str] = mapped_column(Text, index=True)
    pipedrive_org_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    industry: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int | None] = mapped_column(Integer)
    website: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(Text)
    city: Mapped[str | None] = mapped_column(Text)
    contact_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_activity: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_organizations_contact_count_desc", text("contact_count DESC")),)


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pipedrive_person_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    job_title: Mapped[str | None] = mapped_column(Text)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    pipedrive_org_id: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer)
    warmness_score: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: Breakdowns written before 0008; the scoring pass moves them to ``score_breakdowns``.
    warmness_breakdown: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_contacted: Mapped[datetime | None] = mapped_column(DateTime)
    added_to_campaign: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("0")
    )
    lead_status: Mapped[str | None] = mapped_column(Text)
    incoming_mail_count: Mapped[int | None] = mapped_column(Integer)
    outgoing_mail_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    last_pipedrive_update: Mapped[datetime | None] = mapped_column(DateTime)
    score_computed_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Pipedrive's marketing status: email consent, shown as such, never a lead status.
    marketing_status: Mapped[str | None] = mapped_column(Text)
    #: Mail facts of the person listing's `include_fields` (None: Pipedrive gave none).
    email_messages_count: Mapped[int | None] = mapped_column(Integer)
    last_incoming_mail_time: Mapped[datetime | None] = mapped_column(DateTime)
    last_outgoing_mail_time: Mapped[datetime | None] = mapped_column(DateTime)
    #: The score's breakdown, shared by every contact with the same one (no foreign key:
    #: SQLite would copy the table to add it).
    score_breakdown_id: Mapped[int | None] = mapped_column(Integer)
    #: The organization's name, kept by triggers (migration 0009) for the organization
    #: order's index; the organization itself stays the one to read.
    organization_name: Mapped[str | None] = mapped_column(Text)
    #: The facts of the contact's last scoring (migration 0010), shared like breakdowns.
    score_facts_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_contacts_my500", "owner_id", *map(text, MY500_ORDER_TERMS), "id"),
        Index("ix_contacts_all_order", *map(text, MY500_ORDER_TERMS), "id"),
        # The sidebar's per-organization counts of one owner's contacts.
        Index("ix_contacts_owner_id_organization_id", "owner_id", "organization_id"),
        # The scoring pass: contacts marked for rescoring, and the daily pass's last
        # activity days at the rules' brackets.
        Index("ix_contacts_unscored", "id", sqlite_where=text("score_computed_at IS NULL")),
        Index(
            "ix_contacts_last_contacted",
            "last_contacted",
            sqlite_where=text("last_contacted IS NOT NULL"),
        ),
        # The header sorts by name and by organization, in All contacts and in My-500:
        # the name alone, as the scoring pass rebuilds every index holding the score.
        Index("ix_contacts_name_nocase", text("name COLLATE NOCASE")),
        Index("ix_contacts_owner_id_name_nocase", "owner_id", text("name COLLATE NOCASE")),
        Index("ix_contacts_organization_name_nocase", text("organization_name COLLATE NOCASE")),
        Index(
            "ix_contacts_owner_id_organization_name_nocase",
            "owner_id",
            text("organization_name COLLATE NOCASE"),
        ),
    )


class KeptContactData(Base):
    """A contact's local user data (the campaign flag), kept while it is absent from the mirror.

    Pipedrive knows nothing of this data, so when a contact leaves the mirror its
    flag waits here, keyed by the Pipedrive person id, and is restored when the
    contact returns.
    """

    __tablename__ = "kept_contact_data"

    pipedrive_person_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    added_to_campaign: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=text("0")
    )
    kept_at: Mapped[datetime] = mapped_column(DateTime)


class Activity(Base):
    __tablename__ = "activities"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pipedrive_activity_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    deal_id: Mapped[str | None] = mapped_column(ForeignKey("deals.id", ondelete="SET NULL"))
    pipedrive_person_id: Mapped[int | None] = mapped_column(Integer)
    pipedrive_org_id: Mapped[int | None] = mapped_column(Integer)
    pipedrive_deal_id: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str] = mapped_column(Text)
    subject: Mapped[str | None] = mapped_column(Text)
    due_date: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("0"))
    marked_as_done_time: Mapped[datetime | None] = mapped_column(DateTime)
    add_time: Mapped[datetime | None] = mapped_column(DateTime)
    update_time: Mapped[datetime | None] = mapped_column(DateTime)
    #: The Pipedrive user the activity is assigned to (the agenda lists the user's own).
    owner_id: Mapped[int | None] = mapped_column(Integer)
    #: Pipedrive's due time, "HH:MM" (None: the activity is for the whole day).
    due_time: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_activities_contact_recent", "contact_id", text("add_time DESC")),
        Index("ix_activities_owner_id_done_due_date", "owner_id", "done", "due_date"),
        # The scoring pass's activities in its window, and those at its day boundaries.
        Index("ix_activities_due_date_contact_id_type", "due_date", "contact_id", "type"),
        # Only activities waiting for their person are looked up by its Pipedrive id.
        Index(
            "ix_activities_pipedrive_person_id",
            "pipedrive_person_id",
            sqlite_where=text("contact_id IS NULL"),
        ),
    )


class Note(Base):
    """A note on a person, added from the app (and mirrored once Pipedrive has it)."""

    __tablename__ = "notes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pipedrive_note_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    pipedrive_person_id: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    add_time: Mapped[datetime | None] = mapped_column(DateTime)


class OutboxAction(Base):
    """An action taken on a contact that Pipedrive does not have yet.

    Sent in ``id`` order; ``action_id`` is the action's own id. ``sending_since``
    is set before a request goes out and cleared when its outcome is known, so a
    row still carrying it after a crash or a dropped connection has an unknown
    outcome, to be checked in Pipedrive before any resend.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    contact_id: Mapped[str | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    pipedrive_person_id: Mapped[int | None] = mapped_column(Integer)
    activity_id: Mapped[str | None] = mapped_column(String(36))
    note_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="waiting", server_default="waiting")
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)
    sending_since: Mapped[datetime | None] = mapped_column(DateTime)
    pipedrive_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_outbox_state_id", "state", "id"),)


class WarmnessDaily(Base):
    """One day's warmness mix: contacts at each score 0-10, for My-500 and for all."""

    __tablename__ = "warmness_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    my500: Mapped[list[int]] = mapped_column(JSON)
    all_contacts: Mapped[list[int]] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class QueryStatsDaily(Base):
    """Per day and service operation: calls, cache hits and a histogram of durations."""

    __tablename__ = "query_stats_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)
    calls: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    cache_hits: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    total_ms: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    max_ms: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    histogram: Mapped[list[int]] = mapped_column(JSON)


class ScoreBreakdown(Base):
    """A score breakdown's JSON text, once for all contacts that share it."""

    __tablename__ = "score_breakdowns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    breakdown: Mapped[str] = mapped_column(Text, unique=True)


class ScoreFacts(Base):
    """What the score rules tell apart about a contact, once for all that share it."""

    __tablename__ = "score_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    facts: Mapped[str] = mapped_column(Text, unique=True)


class ScoreHistory(Base):
    """One change of a contact's score: the day, old and new score, and why in words."""

    __tablename__ = "score_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contact_id: Mapped[str] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    changed_on: Mapped[date] = mapped_column(Date)
    old_score: Mapped[int | None] = mapped_column(Integer)
    new_score: Mapped[int] = mapped_column(Integer)
    why: Mapped[str] = mapped_column(Text)

    __table_args__ = (
        Index("ix_score_history_contact_id_id", "contact_id", "id"),
        Index("ix_score_history_changed_on", "changed_on"),
    )


class Deal(Base):
    __tablename__ = "deals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    pipedrive_deal_id: Mapped[int | None] = mapped_column(Integer, unique=True)
    contact_id: Mapped[str | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    pipedrive_person_id: Mapped[int | None] = mapped_column(Integer, index=True)
    pipedrive_org_id: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    currency: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text)
    update_time: Mapped[datetime | None] = mapped_column(DateTime)


class OrganizationAlias(Base):
    """Every Pipedrive organization id that was merged into a local organization.

    Several Pipedrive organizations spelled the same way after normalization
    become one local organization; this keeps the way back from each of them.
    """

    __tablename__ = "organization_aliases"

    pipedrive_org_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(Text)


class OrgSuggestionRow(Base):
    """A possible duplicate organization pair awaiting the user's verdict."""

    __tablename__ = "org_suggestions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    candidate_id: Mapped[str] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(Text, default="open", server_default="open")
    created_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (
        Index("uq_org_suggestions_pair", "organization_id", "candidate_id", unique=True),
    )


class SyncState(Base):
    """Per entity, the watermark of the last committed page."""

    __tablename__ = "sync_state"

    entity: Mapped[str] = mapped_column(String(32), primary_key=True)
    watermark: Mapped[datetime | None] = mapped_column(DateTime)
    full_run_id: Mapped[str | None] = mapped_column(String(36))
    full_cursor: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime)


class SyncRun(Base):
    __tablename__ = "sync_runs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(16))
    started: Mapped[datetime] = mapped_column(DateTime)
    finished: Mapped[datetime | None] = mapped_column(DateTime)
    requests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fetched: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    deleted: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    failed: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    error: Mapped[str | None] = mapped_column(Text)


class PipedriveUser(Base):
    """A Pipedrive user, so a contact's ``owner_id`` shows as a name.

    Keyed by Pipedrive's own user id (what contacts hold in ``owner_id``); users
    Pipedrive stops listing are kept, since contacts may still name them.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("1"))
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class AppMeta(Base):
    """Small key/value facts about the mirror, e.g. the signed-in owner id."""

    __tablename__ = "app_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)
