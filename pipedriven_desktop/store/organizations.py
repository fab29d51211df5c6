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
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.orm import Session

from pipedriven_desktop.domain.orgnames import (
    BORDERLINE_SCORE,
    OrgCandidate,
    match_key,
    normalize_org_name,
    suggest_matches,
)
from pipedriven_desktop.store.clock import utcnow
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

    Loads the lookup tables once, so resolving thousands of organizations in a
    sync costs no query per organization.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        aliases = session.execute(
            select(OrganizationAlias.pipedrive_org_id, OrganizationAlias.organization_id)
        ).all()
        self._by_pipedrive_id: dict[int, str] = {alias[0]: alias[1] for alias in aliases}
        self._by_normalized: dict[str, str] = {}
        existing: set[str] = set()
        for org_id, normalized in session.execute(
            select(Organization.id, Organization.normalized_name).order_by(Organization.created_at)
        ):
            self._by_normalized.setdefault(normalized, org_id)
            existing.add(org_id)
        conn = session.connection()
        self._chosen = chosen_names(conn)
        for normalized, org_id in merged_spellings(conn, existing).items():
            self._by_normalized.setdefault(normalized, org_id)

    def local_id_for(self, pipedrive_org_id: int | None) -> str | None:
        if pipedrive_org_id is None:
            return None
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
    session: Session, org_ids: Iterable[str], now: datetime | None = None
) -> int:
    """Record near-match suggestions for ``org_ids`` against every other organization.

    Pairs the user dismissed stay dismissed; returns how many new pairs were added.
    """
    now = now or utcnow()
    rows = session.execute(select(Organization.id, Organization.name)).all()
    domains = _email_domains_by_org(session)
    candidates = [
        OrgCandidate(id=i, name=n, email_domains=domains.get(i, frozenset())) for i, n in rows
    ]
    names = dict(rows)
    known = {
        (a, b)
        for a, b in session.execute(
            select(OrgSuggestionRow.organization_id, OrgSuggestionRow.candidate_id)
        )
    }
    added = 0
    plausible = _PlausibleCandidates(candidates)
    for org_id in org_ids:
        name = names.get(org_id)
        if name is None:
            continue
        others = [c for c in plausible.for_name(name) if c.id != org_id]
        for suggestion in suggest_matches(name, others, domains.get(org_id, frozenset())):
            pair = (org_id, suggestion.id)
            if pair in known or (suggestion.id, org_id) in known:
                continue
            session.add(
                OrgSuggestionRow(
                    organization_id=org_id,
                    candidate_id=suggestion.id,
                    score=suggestion.score,
                    reasons="; ".join(suggestion.reasons),
                    status="open",
                    created_at=now,
                )
            )
            known.add(pair)
            added += 1
    return added


class _PlausibleCandidates:
    """Narrows the candidates to those ``suggest_matches`` could return, much faster.

    ``suggest_matches`` keeps only candidates whose match keys score at least
    BORDERLINE_SCORE with token_sort_ratio, or that differ from the name only by
    spacing; everything else is discarded. token_sort_ratio is the plain ratio of
    the keys with their words sorted, so the words are sorted once per key here and
    one rapidfuzz ratio call per name scores them all (instead of a Python processor
    call and a split and sort per pair). Passing on only the survivors gives the same
    suggestions, and keeps the check of a first sync's thousands of new
    organizations to a small fraction of a second.
    """

    def __init__(self, candidates: Sequence[OrgCandidate]) -> None:
        self._candidates = candidates
        keys = [match_key(c.name) for c in candidates]
        self._sorted_keys = [_sorted_words(key) for key in keys]
        self._by_compact: dict[str, list[int]] = {}
        for index, key in enumerate(keys):
            self._by_compact.setdefault(key.replace(" ", ""), []).append(index)

    def for_name(self, name: str) -> list[OrgCandidate]:
        key = match_key(name)
        if not key:
            return []
        found = {
            index
            for _, _, index in process.extract(
                _sorted_words(key),
                self._sorted_keys,
                scorer=fuzz.ratio,
                score_cutoff=BORDERLINE_SCORE,
                limit=None,
            )
        }
        found.update(self._by_compact.get(key.replace(" ", ""), ()))
        return [self._candidates[index] for index in sorted(found)]


def _sorted_words(key: str) -> str:
    """The words of ``key`` in sorted order, as token_sort_ratio compares them."""
    return " ".join(sorted(key.split()))


def _email_domains_by_org(session: Session) -> dict[str, frozenset[str]]:
    from pipedriven_desktop.domain.orgnames import email_domain

    found: dict[str, set[str]] = {}
    for org_id, email in session.execute(
        text("SELECT organization_id, email FROM contacts WHERE organization_id IS NOT NULL")
    ):
        domain = email_domain(email)
        if domain:
            found.setdefault(org_id, set()).add(domain)
    return {org_id: frozenset(values) for org_id, values in found.items()}


def set_suggestion_status(session: Session, suggestion_id: str, status: str) -> None:
    """Set a suggestion's status; "dismissed" and "kept_separate" are remembered across syncs.

    Merging is ``org_merge.merge_suggestion``: a status alone merges nothing.
    """
    if status not in SUGGESTION_STATUSES:
        raise ValueError(f"unknown suggestion status {status!r}")
    session.execute(
        update(OrgSuggestionRow).where(OrgSuggestionRow.id == suggestion_id).values(status=status)
    )
