"""``app_meta``: small facts about the mirror, read and written in one place.

Works on a SQLAlchemy ``Connection`` (the sync, inside its page transactions) and on
a plain ``sqlite3`` connection (the read path, which paints before SQLAlchemy is
imported), so this module imports no SQLAlchemy itself.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pipedriven_desktop.domain.warmness import LeadStatusValues

if TYPE_CHECKING:
    from sqlalchemy import Connection

__all__ = [
    "LEAD_STATUS_CONTACTED_KEY",
    "LEAD_STATUS_FIELD_KEY",
    "LEAD_STATUS_OPTIONS_KEY",
    "LEAD_STATUS_QUALIFIED_KEY",
    "MAPPING_KEY",
    "OWNER_KEY",
    "SCORES_DAY_KEY",
    "SUGGESTIONS_QUEUE_KEY",
    "get_meta",
    "lead_status_options",
    "lead_status_values",
    "set_lead_status_field",
    "set_lead_status_values",
    "set_meta",
]

#: The signed-in Pipedrive user's id: whose contacts My-500 lists.
OWNER_KEY = "owner_id"
#: The persons' custom field that holds the lead status, if any.
LEAD_STATUS_FIELD_KEY = "lead_status_field"
#: That field's options, when it is an option field: JSON {"option id": "label"}.
LEAD_STATUS_OPTIONS_KEY = "lead_status_options"
#: Lead status values that count as "qualified" / "contacted": JSON lists of text.
LEAD_STATUS_QUALIFIED_KEY = "lead_status_qualified"
LEAD_STATUS_CONTACTED_KEY = "lead_status_contacted"
#: The record-to-row mapping the mirror's rows were written with.
MAPPING_KEY = "sync_mapping"
#: The day the scores were last recomputed for everyone (time alone moves them).
SCORES_DAY_KEY = "scores_day"
#: Organizations waiting for their duplicate suggestions.
SUGGESTIONS_QUEUE_KEY = "orgs_pending_suggestions"

_GET = "SELECT value FROM app_meta WHERE key = ?"
_SET = (
    "INSERT INTO app_meta (key, value) VALUES (?, ?)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
_DELETE = "DELETE FROM app_meta WHERE key = ?"


def get_meta(conn: Connection | sqlite3.Connection, key: str) -> str | None:
    """The value stored under ``key``, or None."""
    row = _execute(conn, _GET, (key,)).fetchone()
    return None if row is None else row[0]


def set_meta(conn: Connection | sqlite3.Connection, key: str, value: str | None) -> None:
    """Store ``value`` under ``key`` in the caller's transaction; None removes the key."""
    if value is None:
        _execute(conn, _DELETE, (key,))
    else:
        _execute(conn, _SET, (key, value))


def _execute(conn: Connection | sqlite3.Connection, sql: str, params: tuple[str, ...]) -> Any:
    if isinstance(conn, sqlite3.Connection):
        return conn.execute(sql, params)
    return conn.exec_driver_sql(sql, params)


# --- The lead status settings ----------------------------------------------------------------


def lead_status_values(conn: Connection | sqlite3.Connection) -> LeadStatusValues:
    """Which lead status values count, and whether a field was chosen at all."""
    defaults = LeadStatusValues()
    return LeadStatusValues(
        qualified=_text_list(get_meta(conn, LEAD_STATUS_QUALIFIED_KEY)) or defaults.qualified,
        contacted=_text_list(get_meta(conn, LEAD_STATUS_CONTACTED_KEY)) or defaults.contacted,
        field_chosen=bool(get_meta(conn, LEAD_STATUS_FIELD_KEY)),
    )


def lead_status_options(conn: Connection | sqlite3.Connection) -> dict[int, str]:
    """The chosen field's option labels by option id ({} for a text field)."""
    raw = get_meta(conn, LEAD_STATUS_OPTIONS_KEY)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {int(k): str(v) for k, v in data.items() if str(k).lstrip("-").isdigit()}


def set_lead_status_field(
    conn: Connection | sqlite3.Connection, key: str | None, options: Mapping[int, str]
) -> None:
    """Choose the person field holding the lead status (None: none), with its options.

    When anything differs, the next sync lists every person again (the stored mapping
    is forgotten), so the stored lead statuses follow the new field or labels.
    """
    encoded = json.dumps({str(k): v for k, v in options.items()}, ensure_ascii=False)
    stored = (key or None, encoded if key and options else None)
    if stored == (get_meta(conn, LEAD_STATUS_FIELD_KEY), get_meta(conn, LEAD_STATUS_OPTIONS_KEY)):
        return
    set_meta(conn, LEAD_STATUS_FIELD_KEY, stored[0])
    set_meta(conn, LEAD_STATUS_OPTIONS_KEY, stored[1])
    # New labels for the same field need the rows rewritten too, not just a new key.
    set_meta(conn, MAPPING_KEY, None)
    set_meta(conn, SCORES_DAY_KEY, None)


def set_lead_status_values(
    conn: Connection | sqlite3.Connection, qualified: Iterable[str], contacted: Iterable[str]
) -> None:
    """Store the values counting as qualified / contacted; every score is looked at again.

    Clearing ``scores_day`` makes the next scoring pass revisit every contact.
    """
    for key, values in (
        (LEAD_STATUS_QUALIFIED_KEY, qualified),
        (LEAD_STATUS_CONTACTED_KEY, contacted),
    ):
        cleaned = [v.strip() for v in values if v.strip()]
        set_meta(conn, key, json.dumps(cleaned, ensure_ascii=False) if cleaned else None)
    set_meta(conn, SCORES_DAY_KEY, None)


def _text_list(raw: str | None) -> tuple[str, ...]:
    try:
        data = json.loads(raw) if raw else []
    except ValueError:
        return ()
    return tuple(str(v) for v in data if str(v).strip()) if isinstance(data, list) else ()
