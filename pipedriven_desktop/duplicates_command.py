"""The headless ``duplicates`` command: list suggested duplicate organizations, merge a
pair, keep it separate, or undo a merge. Merges are local: nothing is sent to Pipedrive.

Changes take the mirror's writer lock, so they never interleave with a sync's pages.
Every refusal is one line on stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

from pipedriven_desktop.store.database import Database, DatabaseError, open_database
from pipedriven_desktop.store.org_merge import (
    MergeError,
    OpenSuggestion,
    keep_separate,
    merge_suggestion,
    open_suggestions,
    undo_merge,
)

__all__ = ["DUPLICATE_FIELDS", "change_duplicates", "duplicate_records"]

DUPLICATE_FIELDS = (
    "id",
    "score",
    "reasons",
    "organization_id",
    "organization_name",
    "organization_pipedrive_ids",
    "organization_contacts",
    "candidate_id",
    "candidate_name",
    "candidate_pipedrive_ids",
    "candidate_contacts",
)
EXIT_OK = 0
EXIT_USAGE = 2


def duplicate_records(db_path: Path) -> Iterator[dict[str, Any]]:
    """The open suggestions as flat records of ``DUPLICATE_FIELDS``."""
    db = open_database(db_path)
    try:
        found = open_suggestions(db.reader())
    finally:
        db.close()
    return (_record(s) for s in found)


def _record(suggestion: OpenSuggestion) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": suggestion.id,
        "score": suggestion.score,
        "reasons": list(suggestion.reasons),
    }
    for side, org in (
        ("organization", suggestion.organization),
        ("candidate", suggestion.candidate),
    ):
        record[f"{side}_id"] = org.id
        record[f"{side}_name"] = org.name
        record[f"{side}_pipedrive_ids"] = list(org.pipedrive_org_ids)
        record[f"{side}_contacts"] = org.contact_count
    return record


def change_duplicates(
    db_path: Path, action: str, target: str, name: str | None, out: TextIO
) -> int:
    """Run ``merge``, ``keep-separate`` or ``undo`` on ``target``; returns the exit code."""
    from sqlalchemy.exc import DBAPIError

    from pipedriven_desktop.store.errors import user_error
    from pipedriven_desktop.store.writer_lock import writer_lock

    try:
        db = open_database(db_path)
    except DatabaseError as exc:
        return _fail(str(exc))
    try:
        with writer_lock(db.path):
            line = _ACTIONS[action](db, target, name)
    except MergeError as exc:
        return _fail(str(exc))
    except DatabaseError as exc:
        return _fail(str(exc))
    except DBAPIError as exc:
        error = user_error(db.path, exc, "save changes to")
        if error is None:
            raise
        return _fail(str(error))
    finally:
        db.close()
    out.write(line + "\n")
    return EXIT_OK


def _merge(db: Database, suggestion_id: str, name: str | None) -> str:
    with db.session() as session:
        result = merge_suggestion(session, suggestion_id, name)
    return (
        f"merged organization {result.absorbed_id} into {result.organization_id}"
        f" ({result.name}); undo: duplicates undo {result.organization_id}"
    )


def _keep_separate(db: Database, suggestion_id: str, _name: str | None) -> str:
    with db.session() as session:
        keep_separate(session, suggestion_id)
    return f"kept separate: suggestion {suggestion_id} will not be suggested again"


def _undo(db: Database, organization_id: str, _name: str | None) -> str:
    with db.session() as session:
        restored = undo_merge(session, organization_id)
    return f"restored organization {restored}"


_ACTIONS: dict[str, Callable[[Database, str, str | None], str]] = {
    "merge": _merge,
    "keep-separate": _keep_separate,
    "undo": _undo,
}


def _fail(line: str) -> int:
    print(f"error: {line}", file=sys.stderr)
    return EXIT_USAGE
