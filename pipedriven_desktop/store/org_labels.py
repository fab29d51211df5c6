"""The labels of Pipedrive's organization option fields, kept in ``app_meta``.

Pipedrive gives an organization's industry as an option id ("27"); the organization
fields (`GET /v1/organizationFields`) say which label each id stands for. The sync stores
them here and the reads show the label, so the mirror's rows keep Pipedrive's value.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping

from sqlalchemy import Connection

from pipedriven_desktop.store.meta import get_meta, set_meta

__all__ = ["INDUSTRY_LABELS_KEY", "industry_label", "industry_labels", "set_industry_labels"]

#: The industry field's options: JSON {"option id": "label"}.
INDUSTRY_LABELS_KEY = "org_industry_labels"


def industry_labels(conn: Connection | sqlite3.Connection) -> dict[str, str]:
    """The industry options' labels by option id (as text, as the rows hold the id)."""
    raw = get_meta(conn, INDUSTRY_LABELS_KEY)
    try:
        data = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def set_industry_labels(conn: Connection | sqlite3.Connection, labels: Mapping[int, str]) -> None:
    """Store the industry options' labels (an empty mapping keeps the ones known)."""
    if labels:
        encoded = {str(k): v for k, v in sorted(labels.items())}
        set_meta(conn, INDUSTRY_LABELS_KEY, json.dumps(encoded, ensure_ascii=False))


def industry_label(value: str | None, labels: Mapping[str, str]) -> str | None:
    """What to show for an organization's industry: the option's label, else the value."""
    if value is None:
        return None
    return labels.get(value.strip(), value)
