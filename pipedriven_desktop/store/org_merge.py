"""Local merges of duplicate organizations, keeping them separate, and undoing a merge.

A merge puts every Pipedrive organization id of both organizations behind one local
organization (``organization_aliases``), so the sync's resolver keeps mapping them
there: the merge holds through incremental and full syncs and through renames in
Pipedrive. Each merge is recorded whole in ``app_meta`` (the absorbed row, its ids,
links and suggestions), so an undo restores the separate organizations exactly.
Nothing here writes to Pipedrive.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from pipedriven_desktop.domain.orgnames import normalize_org_name
from pipedriven_desktop.store.clock import utcnow
from pipedriven_desktop.store.meta import set_meta
from pipedriven_desktop.store.org_search import refresh_alias_search
from pipedriven_desktop.store.organizations import (
    CHOSEN_NAMES_KEY,
    MERGES_KEY,
    chosen_names,
    merged_records,
    refresh_organization_stats,
)

__all__ = [
    "MERGES_KEY",
    "MergeError",
    "MergeResult",
    "OpenSuggestion",
    "SuggestedOrganization",
    "keep_separate",
    "merge_suggestion",
    "merged_records",
    "open_suggestions",
    "undo_merge",
]

#: Suggestion statuses that close a pair for good (never suggested again).
CLOSED_STATUSES = ("dismissed", "kept_separate")
#: Tables whose rows point at a local organization, and what else changes when they move.
_LINKED = (("contacts", ", score_computed_at = NULL"), ("activities", ""), ("deals", ""))
#: Details a survivor lacks and takes from the organization it absorbs.
_DETAILS = ("industry", "size", "website", "address", "country", "city")
_CHUNK = 500


class MergeError(ValueError):
    """A merge, keep-separate or undo that cannot be done; the text is one line for the user."""


@dataclass(frozen=True)
class SuggestedOrganization:
    id: str
    name: str
    pipedrive_org_ids: tuple[int, ...]
    contact_count: int


@dataclass(frozen=True)
class OpenSuggestion:
    id: str
    score: float
    reasons: tuple[str, ...]
    organization: SuggestedOrganization
    candidate: SuggestedOrganization


@dataclass(frozen=True)
class MergeResult:
    organization_id: str
    absorbed_id: str
    name: str


_OPEN_SQL = """
SELECT s.id, s.score, s.reasons,
       a.id, a.name, a.contact_count,
       (SELECT json_group_array(pipedrive_org_id) FROM
          (SELECT pipedrive_org_id FROM organization_aliases
            WHERE organization_id = a.id ORDER BY pipedrive_org_id)),
       b.id, b.name, b.contact_count,
       (SELECT json_group_array(pipedrive_org_id) FROM
          (SELECT pipedrive_org_id FROM organization_aliases
            WHERE organization_id = b.id ORDER BY pipedrive_org_id))
  FROM org_suggestions s
  JOIN organizations a ON a.id = s.organization_id
  JOIN organizations b ON b.id = s.candidate_id
 WHERE s.status = 'open'
 ORDER BY s.score DESC, a.contact_count + b.contact_count DESC, s.id
"""


def open_suggestions(conn: sqlite3.Connection) -> list[OpenSuggestion]:
    """The suggestions awaiting a verdict, most likely first."""
    found: list[OpenSuggestion] = []
    for row in conn.execute(_OPEN_SQL):
        sid, score, reasons, *rest = row
        first = SuggestedOrganization(rest[0], rest[1], tuple(json.loads(rest[3])), rest[2])
        second = SuggestedOrganization(rest[4], rest[5], tuple(json.loads(rest[7])), rest[6])
        parts = tuple(p for p in (reasons or "").split("; ") if p)
        found.append(OpenSuggestion(sid, float(score), parts, first, second))
    return found


def keep_separate(session: Session, suggestion_id: str) -> None:
    """Close a suggestion for good: the sync never suggests the pair again."""
    conn = session.connection()
    if _suggestion(conn, suggestion_id) is None:
        raise MergeError(f"no suggestion {suggestion_id}")
    conn.exec_driver_sql(
        "UPDATE org_suggestions SET status = 'kept_separate' WHERE id = ?", (suggestion_id,)
    )


def merge_suggestion(
    session: Session, suggestion_id: str, name: str | None = None, now: datetime | None = None
) -> MergeResult:
    """Merge the suggestion's two organizations into one, locally; returns the survivor.

    The survivor is the organization whose name was chosen, else the one with more
    contacts. A ``name`` that is neither spelling is kept through later syncs (until undo).
    """
    conn = session.connection()
    suggestion = _suggestion(conn, suggestion_id)
    if suggestion is None:
        raise MergeError(f"no suggestion {suggestion_id}")
    first = _organization(conn, suggestion["organization_id"])
    second = _organization(conn, suggestion["candidate_id"])
    if first is None or second is None:
        raise MergeError(f"suggestion {suggestion_id} names an organization that is gone")
    chosen = name.strip() if name is not None else None
    if name is not None and not chosen:
        raise MergeError("the name to keep is empty")
    if chosen is not None and chosen == second["name"] and chosen != first["name"]:
        survivor, absorbed = second, first
    elif chosen is not None and chosen == first["name"]:
        survivor, absorbed = first, second
    elif second["contact_count"] > first["contact_count"]:
        survivor, absorbed = second, first
    else:
        survivor, absorbed = first, second
    s_id, a_id = survivor["id"], absorbed["id"]
    names = chosen_names(conn)
    record: dict[str, Any] = {
        "merged_at": (now or utcnow()).isoformat(),
        "survivor": s_id,
        "absorbed": absorbed,
        "aliases": _column(
            conn,
            "SELECT pipedrive_org_id FROM organization_aliases WHERE organization_id = ?",
            a_id,
        ),
        "links": {
            table: _column(conn, f"SELECT id FROM {table} WHERE organization_id = ?", a_id)
            for table, _ in _LINKED
        },
        "suggestions": _rows(
            conn,
            "SELECT * FROM org_suggestions WHERE organization_id = ? OR candidate_id = ?",
            (a_id, a_id),
        ),
        "merged_suggestion": suggestion_id,
        "survivor_name": [survivor["name"], survivor["normalized_name"]],
        "survivor_chosen": names.get(s_id),
        "absorbed_chosen": names.get(a_id),
        "filled": {},
    }

    conn.exec_driver_sql(
        "UPDATE organization_aliases SET organization_id = ? WHERE organization_id = ?",
        (s_id, a_id),
    )
    for table, extra in _LINKED:
        conn.exec_driver_sql(
            f"UPDATE {table} SET organization_id = ?{extra} WHERE organization_id = ?",
            (s_id, a_id),
        )
    repointed: list[str] = []
    others = {
        r["candidate_id"] if r["organization_id"] == s_id else r["organization_id"]
        for r in _rows(
            conn,
            "SELECT organization_id, candidate_id FROM org_suggestions"
            " WHERE organization_id = ? OR candidate_id = ?",
            (s_id, s_id),
        )
    }
    for row in record["suggestions"]:
        column = "organization_id" if row["organization_id"] == a_id else "candidate_id"
        other = row["candidate_id"] if column == "organization_id" else row["organization_id"]
        if row["id"] == suggestion_id or other == s_id or other in others:
            conn.exec_driver_sql("DELETE FROM org_suggestions WHERE id = ?", (row["id"],))
        else:
            conn.exec_driver_sql(
                f"UPDATE org_suggestions SET {column} = ? WHERE id = ?", (s_id, row["id"])
            )
            repointed.append(row["id"])
            others.add(other)
    record["repointed"] = repointed
    conn.exec_driver_sql("DELETE FROM organizations WHERE id = ?", (a_id,))

    for column in _DETAILS:
        if survivor[column] is None and absorbed[column] is not None:
            record["filled"][column] = absorbed[column]
    keep = chosen if chosen is not None and chosen != survivor["name"] else None
    assignments = dict(record["filled"])
    if keep is not None:
        assignments.update(name=keep, normalized_name=normalize_org_name(keep))
    if assignments:
        columns = ", ".join(f"{c} = ?" for c in assignments)
        conn.exec_driver_sql(
            f"UPDATE organizations SET {columns} WHERE id = ?", (*assignments.values(), s_id)
        )
    names.pop(a_id, None)
    if keep is not None:
        names[s_id] = keep
    _set_chosen_names(conn, names)
    refresh_organization_stats(session, [s_id])
    refresh_alias_search(conn, [s_id])
    merges = merged_records(conn)
    merges.append(record)
    set_meta(conn, MERGES_KEY, json.dumps(merges))
    session.expire_all()
    return MergeResult(s_id, a_id, keep or survivor["name"])


def undo_merge(session: Session, organization_id: str) -> str:
    """Undo a merge: by the merged organization (its latest merge) or by the absorbed one.

    Returns the id of the organization restored. Contacts, activities and deals whose
    Pipedrive organization is one of the restored organization's go back to it, and so
    do the rows that were linked to it locally.
    """
    conn = session.connection()
    merges = merged_records(conn)
    index = _undo_index(conn, merges, organization_id)
    if index is None:
        raise MergeError(f"organization {organization_id} has no merge to undo")
    record = merges.pop(index)
    absorbed: dict[str, Any] = record["absorbed"]
    a_id, s_id = absorbed["id"], record["survivor"]
    pids = _live_aliases(conn, record)
    holders = set(
        _column(
            conn,
            "SELECT DISTINCT organization_id FROM organization_aliases WHERE pipedrive_org_id IN "
            f"({_marks(pids)})",
            *pids,
        )
    )
    holders.add(s_id)
    holders = {h for h in holders if _organization(conn, h) is not None}
    # Pipedrive organizations that joined the merge by the absorbed one's spelling go too.
    for pid, spelling in conn.exec_driver_sql(
        "SELECT pipedrive_org_id, name FROM organization_aliases"
        f" WHERE organization_id IN ({_marks(holders)})",
        tuple(holders),
    ):
        if pid not in pids and normalize_org_name(spelling) == absorbed["normalized_name"]:
            pids.append(pid)
    # A holder whose own Pipedrive id goes back takes another of its ids (unique column).
    for holder in holders:
        conn.exec_driver_sql(
            "UPDATE organizations SET pipedrive_org_id = (SELECT min(pipedrive_org_id)"
            " FROM organization_aliases WHERE organization_id = ? AND pipedrive_org_id NOT IN"
            f" ({_marks(pids)})) WHERE id = ? AND pipedrive_org_id IN ({_marks(pids)})",
            (holder, *pids, holder, *pids),
        )
    restored = dict(absorbed)
    if restored["pipedrive_org_id"] not in pids:
        restored["pipedrive_org_id"] = min(pids) if pids else None
    if restored["pipedrive_org_id"] is not None and record["absorbed_chosen"] is None:
        # Pipedrive's spelling now: renamed meanwhile, the organization shows the new name.
        (spelling,) = _column(
            conn,
            "SELECT name FROM organization_aliases WHERE pipedrive_org_id = ?",
            restored["pipedrive_org_id"],
        )
        if spelling and spelling != restored["name"]:
            restored.update(name=spelling, normalized_name=normalize_org_name(spelling))
    columns = list(restored)
    conn.exec_driver_sql(
        f"INSERT INTO organizations ({', '.join(columns)}) VALUES ({_marks(columns)})",
        tuple(restored[c] for c in columns),
    )
    if pids:
        conn.exec_driver_sql(
            f"UPDATE organization_aliases SET organization_id = ? WHERE pipedrive_org_id IN"
            f" ({_marks(pids)})",
            (a_id, *pids),
        )
    for table, extra in _LINKED:
        if pids:
            conn.exec_driver_sql(
                f"UPDATE {table} SET organization_id = ?{extra} WHERE pipedrive_org_id IN"
                f" ({_marks(pids)}) AND organization_id IS NOT NULL",
                (a_id, *pids),
            )
        ids: list[str] = record["links"][table]
        for start in range(0, len(ids), _CHUNK):
            part = ids[start : start + _CHUNK]
            conn.exec_driver_sql(
                f"UPDATE {table} SET organization_id = ?{extra} WHERE id IN ({_marks(part)})"
                f" AND organization_id IN ({_marks(holders)}) AND pipedrive_org_id IS NULL",
                (a_id, *part, *holders),
            )
    _restore_suggestions(conn, record, a_id)
    if _organization(conn, s_id) is not None:
        _restore_survivor(conn, record, s_id)
    names = chosen_names(conn)
    if record["survivor_chosen"] is None:
        names.pop(s_id, None)
    else:
        names[s_id] = record["survivor_chosen"]
    if record["absorbed_chosen"] is not None:
        names[a_id] = record["absorbed_chosen"]
    _set_chosen_names(conn, names)
    refresh_organization_stats(session, holders | {a_id})
    refresh_alias_search(conn, holders | {a_id})
    set_meta(conn, MERGES_KEY, json.dumps(merges) if merges else None)
    session.expire_all()
    return str(a_id)


def _undo_index(conn: Connection, merges: Sequence[dict[str, Any]], org_id: str) -> int | None:
    """The merge ``org_id`` names: its latest as survivor, else the one that absorbed it.

    Merges whose absorbed organizations Pipedrive has since deleted have nothing to restore.
    """
    for index in range(len(merges) - 1, -1, -1):
        merge = merges[index]
        restorable = _live_aliases(conn, merge)
        if merge["survivor"] == org_id and restorable and _organization(conn, org_id):
            return index
    for index in range(len(merges) - 1, -1, -1):
        merge = merges[index]
        restorable = _live_aliases(conn, merge)
        if merge["absorbed"]["id"] == org_id and restorable and not _organization(conn, org_id):
            return index
    return None


def _live_aliases(conn: Connection, merge: dict[str, Any]) -> list[int]:
    """The absorbed organization's Pipedrive ids that Pipedrive still has."""
    return _column(
        conn,
        "SELECT pipedrive_org_id FROM organization_aliases WHERE pipedrive_org_id IN "
        f"({_marks(merge['aliases'])})",
        *merge["aliases"],
    )


def _restore_suggestions(conn: Connection, record: dict[str, Any], a_id: str) -> None:
    """Suggestions of the absorbed organization come back; the merged one reopens."""
    repointed = set(record["repointed"])
    for row in record["suggestions"]:
        if row["id"] in repointed:
            column = "organization_id" if row["organization_id"] == a_id else "candidate_id"
            conn.exec_driver_sql(
                f"UPDATE org_suggestions SET {column} = ? WHERE id = ?", (a_id, row["id"])
            )
            continue
        if row["id"] == record["merged_suggestion"]:
            row = {**row, "status": "open"}
        present = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM organizations WHERE id IN (?, ?)),"
            " (SELECT count(*) FROM org_suggestions WHERE (organization_id = ? AND"
            " candidate_id = ?) OR (organization_id = ? AND candidate_id = ?))",
            (
                row["organization_id"],
                row["candidate_id"],
                row["organization_id"],
                row["candidate_id"],
                row["candidate_id"],
                row["organization_id"],
            ),
        ).one()
        if present[0] == 2 and present[1] == 0:
            columns = list(row)
            conn.exec_driver_sql(
                f"INSERT INTO org_suggestions ({', '.join(columns)}) VALUES ({_marks(columns)})",
                tuple(row[c] for c in columns),
            )


def _restore_survivor(conn: Connection, record: dict[str, Any], s_id: str) -> None:
    """The survivor's name and the details it took from the absorbed one, as before."""
    name, normalized = record["survivor_name"]
    current = _organization(conn, s_id)
    assert current is not None
    chosen = chosen_names(conn).get(s_id)
    assignments: dict[str, Any] = {}
    if chosen is not None and current["name"] == chosen:
        assignments.update(name=name, normalized_name=normalized)
    for column, value in record["filled"].items():
        if current[column] == value:
            assignments[column] = None
    if assignments:
        columns = ", ".join(f"{c} = ?" for c in assignments)
        conn.exec_driver_sql(
            f"UPDATE organizations SET {columns} WHERE id = ?", (*assignments.values(), s_id)
        )


def _suggestion(conn: Connection, suggestion_id: str) -> dict[str, Any] | None:
    found = _rows(conn, "SELECT * FROM org_suggestions WHERE id = ?", (suggestion_id,))
    return found[0] if found else None


def _organization(conn: Connection, org_id: str) -> dict[str, Any] | None:
    found = _rows(conn, "SELECT * FROM organizations WHERE id = ?", (org_id,))
    return found[0] if found else None


def _rows(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
    """Rows as plain dicts of stored values (text dates stay text: JSON-ready)."""
    return [dict(row._mapping) for row in conn.exec_driver_sql(sql, params)]


def _column(conn: Connection, sql: str, *params: Any) -> list[Any]:
    return [row[0] for row in conn.exec_driver_sql(sql, tuple(params))]


def _marks(values: Sequence[Any] | set[Any] | dict[str, Any]) -> str:
    return ", ".join("?" * len(values)) or "NULL"


def _set_chosen_names(conn: Connection, names: dict[str, str]) -> None:
    set_meta(conn, CHOSEN_NAMES_KEY, json.dumps(names, ensure_ascii=False) if names else None)
