"""Read side of the organization store: the sidebar's scoped counts, a card, duplicates.

Plain ``sqlite3`` on the database's per-thread read connection, like the contact reads:
the sidebar is read on the UI thread just after the first paint, before SQLAlchemy is
imported. Each read is a fixed number of statements, whatever the mirror's size.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from pipedriven_desktop.domain.warmness import WarmnessBand
from pipedriven_desktop.store.clock import parse_text
from pipedriven_desktop.store.database import Database
from pipedriven_desktop.store.rows import OrganizationRow

# One pass over the contacts in scope, grouped by organization (the NULL group is
# "No organization"); organizations none of those contacts belong to never appear.
_SCOPED_COUNTS_SQL = """
    SELECT g.organization_id, o.name, o.normalized_name, o.pipedrive_org_id, g.n, o.last_activity
      FROM (SELECT organization_id, count(*) AS n FROM contacts {where}
             GROUP BY organization_id) AS g
      LEFT JOIN organizations o ON o.id = g.organization_id
     ORDER BY g.n DESC, o.normalized_name
"""

_CARD_SQL = """
    SELECT id, name, pipedrive_org_id, industry, size, website, address, city, country,
           last_activity
      FROM organizations WHERE id = ?
"""
_CARD_CONTACTS_SQL = """
    SELECT count(*), coalesce(sum(owner_id = :owner), 0),
           coalesce(sum(warmness_score <= :cold_high AND (:mine = 0 OR owner_id = :owner)), 0),
           coalesce(sum(warmness_score BETWEEN :warm_low AND :warm_high
                        AND (:mine = 0 OR owner_id = :owner)), 0),
           coalesce(sum(warmness_score >= :hot_low AND (:mine = 0 OR owner_id = :owner)), 0)
      FROM contacts WHERE organization_id = :org
"""
_OPEN_DEALS_SQL = """
    SELECT organization_id, currency, count(*), coalesce(sum(value), 0)
      FROM deals WHERE status = 'open' AND organization_id IN (SELECT value FROM json_each(?))
     GROUP BY organization_id, currency ORDER BY 4 DESC
"""
_LAST_ACTIVITY_SQL = """
    SELECT max(add_time) FROM activities WHERE organization_id = ?
"""
_ALIASES_SQL = """
    SELECT organization_id, pipedrive_org_id, name FROM organization_aliases
     WHERE organization_id IN (SELECT value FROM json_each(?)) ORDER BY pipedrive_org_id
"""
_OPEN_SUGGESTIONS_SQL = """
    SELECT id, organization_id, candidate_id, score, reasons FROM org_suggestions
     WHERE status = 'open' ORDER BY score DESC, created_at, id
"""


@dataclass(frozen=True)
class SidebarCounts:
    """What the sidebar lists for one scope (My-500's owner, or everyone)."""

    all_count: int
    no_organization: int
    #: organizations with at least one contact in scope, largest first; ``contact_count``
    #: is the count in scope, not the organization's total
    organizations: tuple[OrganizationRow, ...]

    @property
    def no_organization_share(self) -> float:
        return self.no_organization / self.all_count if self.all_count else 0.0


@dataclass(frozen=True)
class Spelling:
    """One Pipedrive organization behind a local one, with the name Pipedrive gives it."""

    pipedrive_org_id: int
    name: str


@dataclass(frozen=True)
class DealTotal:
    currency: str | None
    count: int
    value: float


@dataclass(frozen=True)
class OrgCard:
    """Everything the organization card shows."""

    id: str
    name: str
    pipedrive_org_id: int | None
    spellings: tuple[Spelling, ...]
    #: the industry option's label (Pipedrive's value when its label is not known)
    industry: str | None
    size: int | None
    website: str | None
    address: str | None
    city: str | None
    country: str | None
    contacts_all: int
    contacts_mine: int
    #: contacts in scope per band (My-500's owner when an owner is given)
    warmness_mix: dict[WarmnessBand, int]
    open_deals: tuple[DealTotal, ...]
    last_activity: datetime | None
    #: a local merge made this organization, and it can be undone
    undoable_merge: bool = False


@dataclass(frozen=True)
class OrgSummary:
    """One side of a suggested duplicate pair."""

    id: str
    name: str
    spellings: tuple[Spelling, ...]
    contacts_all: int
    contacts_mine: int
    open_deals: tuple[DealTotal, ...]
    last_activity: datetime | None
    website: str | None
    city: str | None
    email_domains: frozenset[str]


@dataclass(frozen=True)
class DuplicateSuggestion:
    id: str
    left: OrgSummary
    right: OrgSummary
    score: float
    reasons: tuple[str, ...]

    @property
    def shared_domains(self) -> tuple[str, ...]:
        return tuple(sorted(self.left.email_domains & self.right.email_domains))


class OrgQueries:
    """Organization reads for the sidebar, the card and the duplicates view."""

    def __init__(self, db: Database) -> None:
        self._db = db
        #: the last grouped rows per scope, with the database state they were read at
        self._grouped: dict[int | None, tuple[tuple[int, int, int], SidebarCounts]] = {}

    def sidebar(self, owner_id: int | None, search: str = "") -> SidebarCounts:
        """Counts of the contacts in scope per organization, from one grouped query.

        ``owner_id`` None counts everyone's contacts; ``search`` narrows the organizations
        listed by normalized name (the fixed counts stay those of the whole scope).
        """
        counts = self._scoped(owner_id)
        if not search.strip():
            return counts
        from pipedriven_desktop.domain.orgnames import normalize_org_name

        needle = normalize_org_name(search)
        return replace(
            counts,
            organizations=tuple(
                org for org in counts.organizations if needle in org.normalized_name
            ),
        )

    def _scoped(self, owner_id: int | None) -> SidebarCounts:
        """The scope's counts, re-read only after a write (the filter box re-asks per key)."""
        conn = self._db.reader()
        token = _write_token(conn)
        cached = self._grouped.get(owner_id)
        if cached is not None and cached[0] == token:
            return cached[1]
        where, params = ("WHERE owner_id = ?", (owner_id,)) if owner_id is not None else ("", ())
        found = conn.execute(_SCOPED_COUNTS_SQL.format(where=where), params).fetchall()
        total = 0
        no_org = 0
        orgs: list[OrganizationRow] = []
        for org_id, name, normalized, pipedrive_id, count, last in found:
            total += count
            if org_id is None:
                no_org = count
            elif name is not None:
                orgs.append(
                    OrganizationRow(
                        org_id, name, normalized or "", pipedrive_id, count, parse_text(last)
                    )
                )
        counts = SidebarCounts(all_count=total, no_organization=no_org, organizations=tuple(orgs))
        self._grouped[owner_id] = (token, counts)
        return counts

    def card(self, org_id: str, owner_id: int | None) -> OrgCard | None:
        """The organization's card; the warmness mix counts My-500's contacts when owned."""
        conn = self._db.reader()
        row = conn.execute(_CARD_SQL, (org_id,)).fetchone()
        if row is None:
            return None
        (_, name, pipedrive_id, industry, size, website, address, city, country, last) = row
        total, mine, cold, warm, hot = conn.execute(
            _CARD_CONTACTS_SQL,
            {
                "org": org_id,
                "owner": owner_id,
                "mine": int(owner_id is not None),
                "cold_high": WarmnessBand.COLD.high,
                "warm_low": WarmnessBand.WARM.low,
                "warm_high": WarmnessBand.WARM.high,
                "hot_low": WarmnessBand.HOT.low,
            },
        ).fetchone()
        last_activity = parse_text(last) or parse_text(
            conn.execute(_LAST_ACTIVITY_SQL, (org_id,)).fetchone()[0]
        )
        from pipedriven_desktop.store.org_labels import industry_label, industry_labels

        return OrgCard(
            id=org_id,
            name=name,
            pipedrive_org_id=pipedrive_id,
            spellings=_spellings(conn, [org_id]).get(org_id, ()),
            industry=industry_label(industry, industry_labels(conn)),
            size=size,
            website=website,
            address=address,
            city=city,
            country=country,
            contacts_all=int(total),
            contacts_mine=int(mine),
            warmness_mix={
                WarmnessBand.COLD: int(cold),
                WarmnessBand.WARM: int(warm),
                WarmnessBand.HOT: int(hot),
            },
            open_deals=_open_deals(conn, [org_id]).get(org_id, ()),
            last_activity=last_activity,
            undoable_merge=_merged_into(conn, org_id),
        )

    def open_suggestion_count(self) -> int:
        conn = self._db.reader()
        return int(
            conn.execute("SELECT count(*) FROM org_suggestions WHERE status = 'open'").fetchone()[0]
        )

    def open_suggestions(self, owner_id: int | None) -> tuple[DuplicateSuggestion, ...]:
        """Open suggestions, strongest first, each side summarized for a side-by-side view."""
        conn = self._db.reader()
        pairs = conn.execute(_OPEN_SUGGESTIONS_SQL).fetchall()
        ids = sorted({org for _, a, b, _, _ in pairs for org in (a, b)})
        summaries = _summaries(conn, ids, owner_id)
        return tuple(
            DuplicateSuggestion(
                id=suggestion_id,
                left=summaries[a],
                right=summaries[b],
                score=float(score),
                reasons=tuple(part.strip() for part in (reasons or "").split(";") if part.strip()),
            )
            for suggestion_id, a, b, score, reasons in pairs
            if a in summaries and b in summaries
        )


def _merged_into(conn: sqlite3.Connection, org_id: str) -> bool:
    """Whether an undoable local merge kept ``org_id`` (read after a click, not at start-up)."""
    from pipedriven_desktop.store.organizations import merged_records

    return any(record.get("survivor") == org_id for record in merged_records(conn))


def _write_token(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """The database state this connection sees: moves on any commit, ours or another's."""
    data_version = int(conn.execute("PRAGMA data_version").fetchone()[0])
    return (id(conn), data_version, conn.total_changes)


def _json_ids(ids: Iterable[str]) -> str:
    import json

    return json.dumps(list(ids))


def _spellings(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[Spelling, ...]]:
    found: dict[str, list[Spelling]] = {}
    for org_id, pipedrive_id, name in conn.execute(_ALIASES_SQL, (_json_ids(ids),)):
        found.setdefault(org_id, []).append(Spelling(int(pipedrive_id), name))
    return {org_id: tuple(items) for org_id, items in found.items()}


def _open_deals(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, tuple[DealTotal, ...]]:
    found: dict[str, list[DealTotal]] = {}
    for org_id, currency, count, value in conn.execute(_OPEN_DEALS_SQL, (_json_ids(ids),)):
        found.setdefault(org_id, []).append(DealTotal(currency, int(count), float(value)))
    return {org_id: tuple(items) for org_id, items in found.items()}


def _summaries(
    conn: sqlite3.Connection, ids: Sequence[str], owner_id: int | None
) -> dict[str, OrgSummary]:
    # The names module brings cleanco and rapidfuzz: not on the way to the first paint.
    from pipedriven_desktop.domain.orgnames import email_domain, is_free_mail_domain

    if not ids:
        return {}
    payload = _json_ids(ids)
    counts: dict[str, tuple[int, int]] = {}
    domains: dict[str, set[str]] = {}
    for org_id, owner, email in conn.execute(
        "SELECT organization_id, owner_id, email FROM contacts"
        " WHERE organization_id IN (SELECT value FROM json_each(?))",
        (payload,),
    ):
        everyone, mine = counts.get(org_id, (0, 0))
        counts[org_id] = (everyone + 1, mine + int(owner_id is not None and owner == owner_id))
        domain = email_domain(email) if email else None
        if domain and not is_free_mail_domain(domain):
            domains.setdefault(org_id, set()).add(domain)
    spellings = _spellings(conn, ids)
    deals = _open_deals(conn, ids)
    result: dict[str, OrgSummary] = {}
    for org_id, name, website, city, last in conn.execute(
        "SELECT id, name, website, city, coalesce(last_activity,"
        " (SELECT max(add_time) FROM activities a WHERE a.organization_id = o.id))"
        " FROM organizations o WHERE id IN (SELECT value FROM json_each(?))",
        (payload,),
    ):
        everyone, mine = counts.get(org_id, (0, 0))
        result[org_id] = OrgSummary(
            id=org_id,
            name=name,
            spellings=spellings.get(org_id, ()),
            contacts_all=everyone,
            contacts_mine=mine,
            open_deals=deals.get(org_id, ()),
            last_activity=parse_text(last),
            website=website,
            city=city,
            email_domains=frozenset(domains.get(org_id, ())),
        )
    return result
