"""The normalized organization store: find or create, merge, keep counts current.

Merging is automatic only on equal normalized names; near matches are recorded
as suggestions the user confirms or dismisses, because a wrong merge is worse
than a missed one.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.orm import Session

from pipedriven_desktop.domain.orgnames import OrgCandidate, normalize_org_name
from pipedriven_desktop.store.clock import to_text, utcnow
from pipedriven_desktop.store.meta import get_meta
from pipedriven_desktop.store.models import (
    Organization,
    OrganizationAlias,
    OrgSuggestionRow,
    new_id,
)

#: Names the user chose when merging (JSON {local organization id: name}): Pipedrive's
#: spelling of the organization's own record no longer renames it.
CHOSEN_NAMES_KEY = "org_chosen_names"
#: Every merge still undoable: a JSON list of records, oldest first (``store.org_merge``).
MERGES_KEY = "org_merges"
#: Ids or names per statement when looking up by them.
_CHUNK = 500
#: What a suggestion's status may be; the last two close the pair for good.
SUGGESTION_STATUSES = ("open", "confirmed", "dismissed", "kept_separate")


def chosen_names(conn: Connection | sqlite3.Connection) -> dict[str, str]:
    """The names the user chose for merged organizations, by local id."""
    stored = get_meta(conn, CHOSEN_NAMES_KEY)
    try:
        value = json.loads(stored) if stored else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def merged_records(conn: Connection | sqlite3.Connection) -> list[dict[str, Any]]:
    """The undoable merges, oldest first (what the organization view offers to undo)."""
    stored = get_meta(conn, MERGES_KEY)
    try:
        value = json.loads(stored) if stored else []
    except ValueError:
        return []
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def merged_spellings(
    conn: Connection | sqlite3.Connection, existing: Collection[str]
) -> dict[str, str]:
    """Normalized names of merged-away organizations → the organization that holds them now.

    A new Pipedrive organization spelled like one the user merged joins the merge.
    """
    merges = merged_records(conn)
    into = {m["absorbed"]["id"]: m["survivor"] for m in merges}
    found: dict[str, str] = {}
    for merge in merges:
        target = merge["survivor"]
        for _ in range(len(merges)):  # follow merges of merges, never in a loop
            if target in existing or target not in into:
                break
            target = into[target]
        if target in existing:
            found.setdefault(str(merge["absorbed"]["normalized_name"]), target)
    return found


def _live_merged_spellings(session: Session) -> dict[str, str]:
    """``merged_spellings`` checked against only the organizations the merges name."""
    conn = session.connection()
    merges = merged_records(conn)
    if not merges:
        return {}
    named = sorted(
        {str(m["survivor"]) for m in merges} | {str(m["absorbed"]["id"]) for m in merges}
    )
    existing = set(session.scalars(select(Organization.id).where(Organization.id.in_(named))).all())
    return merged_spellings(conn, existing)


@dataclass(frozen=True)
class OrganizationFields:
    """What Pipedrive tells about an organization, in the store's terms."""

    name: str
    pipedrive_org_id: int | None = None
    industry: str | None = None
    size: int | None = None
    website: str | None = None
    address: str | None = None
    country: str | None = None
    city: str | None = None


class OrganizationResolver:
    """Maps Pipedrive organizations to local ones within one session.

    Looks up only what each batch names (its Pipedrive ids and normalized names), by
    index, and remembers it: resolving a sync page costs the same whatever the size of
    the mirror, and no query per organization.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._by_pipedrive_id: dict[int, str] = {}
        self._by_normalized: dict[str, str] = {}
        self._looked_up_ids: set[int] = set()
        self._looked_up_names: set[str] = set()
        conn = session.connection()
        self._chosen = chosen_names(conn)
        self._merged_spellings = _live_merged_spellings(session)

    def _look_up(self, many: Sequence[OrganizationFields]) -> None:
        """Load the aliases and same-named organizations of ``many`` not seen yet."""
        ids = sorted(
            {f.pipedrive_org_id for f in many if f.pipedrive_org_id is not None}
            - self._looked_up_ids
        )
        for start in range(0, len(ids), _CHUNK):
            for pipedrive_id, org_id in self._session.execute(
                select(OrganizationAlias.pipedrive_org_id, OrganizationAlias.organization_id).where(
                    OrganizationAlias.pipedrive_org_id.in_(ids[start : start + _CHUNK])
                )
            ):
                self._by_pipedrive_id.setdefault(pipedrive_id, org_id)
        self._looked_up_ids.update(ids)
        self._look_up_names({normalize_org_name(f.name) for f in many})

    def _look_up_names(self, normalized_names: Collection[str]) -> None:
        names = sorted(set(normalized_names) - self._looked_up_names - {""})
        for start in range(0, len(names), _CHUNK):
            for org_id, normalized in self._session.execute(
                select(Organization.id, Organization.normalized_name)
                .where(Organization.normalized_name.in_(names[start : start + _CHUNK]))
                .order_by(Organization.created_at)
            ):
                self._by_normalized.setdefault(normalized, org_id)
        for normalized in names:
            merged_into = self._merged_spellings.get(normalized)
            if merged_into is not None:
                self._by_normalized.setdefault(normalized, merged_into)
        self._looked_up_names.update(names)

    def local_id_for(self, pipedrive_org_id: int | None) -> str | None:
        if pipedrive_org_id is None:
            return None
        if pipedrive_org_id not in self._looked_up_ids:
            self._look_up([OrganizationFields(name="", pipedrive_org_id=pipedrive_org_id)])
        return self._by_pipedrive_id.get(pipedrive_org_id)

    def resolve(self, fields: OrganizationFields, now: datetime | None = None) -> tuple[str, bool]:
        """Return (local organization id, created) for ``fields``.

        Order: same Pipedrive id, then same normalized name, else a new organization.
        Details are taken from the organization's own Pipedrive record only, so a
        merged alias never overwrites the name of the organization it joined.
        """
        return self.resolve_many([fields], now)[0]

    def resolve_many(
        self, many: Sequence[OrganizationFields], now: datetime | None = None
    ) -> list[tuple[str, bool]]:
        """``resolve`` for a batch, in order, with the same rules and results.

        Existing rows are loaded with one query per table and new ones are flushed
        together, so a sync page of hundreds of organizations costs no statement per
        organization.
        """
        now = now or utcnow()
        self._look_up(many)
        created_rows: dict[str, Organization] = {}
        plan: list[tuple[OrganizationFields, str, bool]] = []
        for fields in many:
            normalized = normalize_org_name(fields.name)
            local_id = self.local_id_for(fields.pipedrive_org_id)
            if local_id is None and normalized:
                local_id = self._by_normalized.get(normalized)
            if local_id is None:
                org = Organization(
                    id=new_id(),
                    name=fields.name,
                    normalized_name=normalized,
                    pipedrive_org_id=fields.pipedrive_org_id,
                    contact_count=0,
                    created_at=now,
                    updated_at=now,
                )
                created_rows[org.id] = org
                local_id = org.id
                if normalized:
                    self._by_normalized[normalized] = local_id
                plan.append((fields, local_id, True))
            else:
                plan.append((fields, local_id, False))
            if fields.pipedrive_org_id is not None:
                self._by_pipedrive_id[fields.pipedrive_org_id] = local_id

        rows: dict[str, Organization] = dict(created_rows)
        wanted = sorted({local_id for _, local_id, _ in plan} - created_rows.keys())
        aliases: dict[int, OrganizationAlias] = {}
        pipedrive_ids = sorted({f.pipedrive_org_id for f, _, _ in plan} - {None})  # type: ignore[type-var]
        for start in range(0, max(len(wanted), len(pipedrive_ids)), 500):
            rows.update(
                (org.id, org)
                for org in self._session.scalars(
                    select(Organization).where(Organization.id.in_(wanted[start : start + 500]))
                )
            )
            aliases.update(
                (alias.pipedrive_org_id, alias)
                for alias in self._session.scalars(
                    select(OrganizationAlias).where(
                        OrganizationAlias.pipedrive_org_id.in_(pipedrive_ids[start : start + 500])
                    )
                )
            )
        # The spellings renamed away stay known, as if looked up before any rename.
        self._look_up_names({org.normalized_name for org in rows.values()})
        # Details first, so a new organization is inserted once, whole, not then updated.
        for fields, local_id, _ in plan:
            org_row = rows[local_id]
            if (
                org_row.pipedrive_org_id is None
                or org_row.pipedrive_org_id == fields.pipedrive_org_id
            ):
                org_row.pipedrive_org_id = fields.pipedrive_org_id
                if fields.name and local_id not in self._chosen:
                    org_row.name = fields.name
                    org_row.normalized_name = normalize_org_name(fields.name)
                for column in ("industry", "size", "website", "address", "country", "city"):
                    value = getattr(fields, column)
                    if value is not None:
                        setattr(org_row, column, value)
                org_row.updated_at = now
        self._session.add_all(created_rows.values())
        self._session.flush()  # organizations before the aliases that refer to them

        for fields, local_id, _ in plan:
            if fields.pipedrive_org_id is not None:
                alias = aliases.get(fields.pipedrive_org_id)
                if alias is None:
                    alias = OrganizationAlias(
                        pipedrive_org_id=fields.pipedrive_org_id,
                        organization_id=local_id,
                        name=fields.name,
                    )
                    self._session.add(alias)
                    aliases[fields.pipedrive_org_id] = alias
                else:
                    alias.organization_id = local_id
                    alias.name = fields.name
        self._session.flush()
        return [(local_id, created) for _, local_id, created in plan]


def refresh_organization_stats(session: Session, org_ids: Collection[str] | None = None) -> None:
    """Recompute contact_count and last_activity in one statement.

    ``org_ids`` limits the work to the organizations a sync touched; None does all.
    """
    stmt = text(
        """
        UPDATE organizations SET
          contact_count = (
            SELECT count(*) FROM contacts c WHERE c.organization_id = organizations.id
          ),
          last_activity = (
            SELECT max(t) FROM (
              SELECT max(c.last_contacted) AS t FROM contacts c
               WHERE c.organization_id = organizations.id
              UNION ALL
              SELECT max(coalesce(a.marked_as_done_time, a.add_time)) FROM activities a
               WHERE a.organization_id = organizations.id AND a.done = 1
            )
          )
        """
    )
    if org_ids is None:
        session.execute(stmt)
        return
    ids = list(org_ids)
    chunk = 500
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        session.execute(
            text(stmt.text + " WHERE id IN :ids").bindparams(bindparam("ids", expanding=True)),
            {"ids": part},
        )


def record_suggestions(
    session: Session, org_ids: Iterable[str], now: datetime | None = None, limit: int = 5
) -> int:
    """Record near-match suggestions for ``org_ids`` against every other organization.

    The names are blocked (``org_index``) so only plausible pairs are compared; the
    evidence (websites, places, contacts' email domains) is read for those pairs' few
    organizations only. At most ``limit`` suggestions per organization; pairs already
    known (open, merged, dismissed or kept separate) are never added again. Returns how
    many new pairs were added.
    """
    from pipedriven_desktop.domain.org_index import NameIndex
    from pipedriven_desktop.domain.orgnames import compare, name_match

    now = now or utcnow()
    wanted = list(dict.fromkeys(org_ids))
    if not wanted:
        return 0
    # The driver's connection, in the session's transaction: every name, read plainly.
    driver = session.connection().connection.driver_connection
    assert driver is not None
    index = NameIndex(driver.execute("SELECT id, name FROM organizations"))
    if len(wanted) * 4 >= len(index):
        # A first sync: every organization's evidence is read anyway, and it narrows the
        # loose spellings to organizations sharing a website or email domain.
        facts = _candidates(session, None)
        evidence = {org_id: sites for org_id, org in facts.items() if (sites := _site_names(org))}
        plausible = index.plausible_pairs(wanted, evidence)
    else:
        plausible = index.plausible_pairs(wanted)
        facts = _candidates(session, {org for pair in plausible for org in pair})
    pairs = [
        (org_id, other)
        for org_id, other in plausible
        if name_match(index.name_of(org_id), index.name_of(other)) is not None
    ]
    if not pairs:
        return 0
    best: dict[str, list[tuple[float, str, str]]] = {}
    for query, candidate in pairs:
        if query in facts and candidate in facts:
            suggestion = compare(facts[query], facts[candidate])
            if suggestion is not None:
                reasons = "; ".join(suggestion.reasons)
                best.setdefault(query, []).append((suggestion.score, candidate, reasons))
    known = {
        (a, b)
        for a, b in session.execute(
            select(OrgSuggestionRow.organization_id, OrgSuggestionRow.candidate_id)
        )
    }
    rows: list[tuple[str, str, str, float, str, str, str]] = []
    created = to_text(now)
    for org_id, found in best.items():
        ranked = sorted(found, key=lambda one: (-one[0], one[1]))
        for score, candidate, reasons in ranked[:limit]:
            if (org_id, candidate) in known or (candidate, org_id) in known:
                continue
            rows.append((new_id(), org_id, candidate, score, reasons, "open", created))
            known.add((org_id, candidate))
    driver.executemany(
        "INSERT INTO org_suggestions (id, organization_id, candidate_id, score, reasons, status,"
        " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def _site_names(org: OrgCandidate) -> frozenset[str]:
    """The names of the organization's website and email domains ("acme" for acme.co.uk)."""
    from pipedriven_desktop.domain.orgnames import site_name, website_domain

    names = {site_name(domain) for domain in org.email_domains}
    site = website_domain(org.website) if org.website else None
    if site:
        names.add(site_name(site))
    return frozenset(names)


def _candidates(session: Session, org_ids: Collection[str] | None) -> dict[str, OrgCandidate]:
    """The matcher's view of ``org_ids`` (None: all): name, website, place, email domains."""
    # The driver's connection, in the session's transaction: thousands of rows, read plainly.
    conn = session.connection().connection.driver_connection
    assert conn is not None
    wanted = set(org_ids) if org_ids is not None else None
    params: tuple[str, ...] = ()
    org_where: tuple[str, tuple[str, ...]] = ("", ())
    if wanted is None:
        where = "organization_id IS NOT NULL"
    else:
        payload = json.dumps(sorted(wanted))
        where, params = "organization_id IN (SELECT value FROM json_each(?))", (payload,)
        org_where = (" WHERE id IN (SELECT value FROM json_each(?))", (payload,))
    domains: dict[str, set[str]] = {}
    for org_id, email in conn.execute(
        f"SELECT organization_id, email FROM contacts WHERE {where} AND email LIKE '%@%'",
        params,
    ):
        if wanted is None or org_id in wanted:
            company = _company_domain(email.rpartition("@")[2].strip().lower())
            if company:
                domains.setdefault(org_id, set()).add(company)
    return {
        org_id: OrgCandidate(
            org_id, name, frozenset(domains.get(org_id, ())), website, country, city
        )
        for org_id, name, website, country, city in conn.execute(
            "SELECT id, name, website, country, city FROM organizations" + org_where[0],
            org_where[1],
        )
    }


@lru_cache(maxsize=8192)
def _company_domain(domain: str | None) -> str | None:
    from pipedriven_desktop.domain.orgnames import email_domain

    return email_domain(f"x@{domain}") if domain else None


def set_suggestion_status(session: Session, suggestion_id: str, status: str) -> None:
    """Set a suggestion's status; "dismissed" and "kept_separate" are remembered across syncs.

    Merging is ``org_merge.merge_suggestion``: a status alone merges nothing.
    """
    if status not in SUGGESTION_STATUSES:
        raise ValueError(f"unknown suggestion status {status!r}")
    session.execute(
        update(OrgSuggestionRow).where(OrgSuggestionRow.id == suggestion_id).values(status=status)
    )
