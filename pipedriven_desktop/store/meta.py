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
    "SCORES_SETTINGS_KEY",
    "SUGGESTIONS_QUEUE_KEY",
    "get_meta",
    "lead_status_options",
    "lead_status_values",
    "set_lead_status_field",
    "set_lead_status_values",
    "set_meta",
    "settings_from_text",
    "settings_text",
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
#: The lead status settings the scores were worked out with (`settings_text`): when they
#: differ, a pass works out again from their kept facts the contacts whose lead status
#: reads differently.
SCORES_SETTINGS_KEY = "scores_settings"
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


def settings_text(values: LeadStatusValues) -> str:
    """``values`` as kept under ``scores_settings`` (`settings_from_text` reads it)."""
    return json.dumps(
        [list(values.qualified), list(values.contacted), values.field_chosen], ensure_ascii=False
    )


def settings_from_text(text: str | None) -> LeadStatusValues | None:
    """The settings kept as ``text`` (None: none kept, or not readable)."""
    try:
        qualified, contacted, chosen = json.loads(text) if text else (None, None, None)
    except (ValueError, TypeError):
        return None
    if not isinstance(qualified, list) or not isinstance(contacted, list):
        return None
    return LeadStatusValues(
        qualified=tuple(str(v) for v in qualified),
        contacted=tuple(str(v) for v in contacted),
        field_chosen=chosen if isinstance(chosen, bool) else None,
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
    # (The scores follow: a rewritten lead status marks its contact for scoring, and
    # the settings' text, which says whether a field is chosen, moved.)
    set_meta(conn, MAPPING_KEY, None)


def set_lead_status_values(
    conn: Connection | sqlite3.Connection, qualified: Iterable[str], contacted: Iterable[str]
) -> None:
    """Store the values counting as qualified / contacted; every score is looked at again.

    The next scoring pass sees the settings differ from those its scores were made
    with (``scores_settings``) and works every contact out again from its kept facts.
    """
    for key, values in (
        (LEAD_STATUS_QUALIFIED_KEY, qualified),
        (LEAD_STATUS_CONTACTED_KEY, contacted),
    ):
        cleaned = [v.strip() for v in values if v.strip()]
        set_meta(conn, key, json.dumps(cleaned, ensure_ascii=False) if cleaned else None)


def _text_list(raw: str | None) -> tuple[str, ...]:
    try:
        data = json.loads(raw) if raw else []
    except ValueError:
        return ()
    return tuple(str(v) for v in data if str(v).strip()) if isinstance(data, list) else ()
