"""Writing one page of one entity into the mirror, inside the caller's transaction.

``common`` holds what every writer shares (see its docstring for how a page is
written); each entity has its own module; ``indexes`` and ``suggestions`` hold the
bookkeeping of listings and of new organizations.
"""

from __future__ import annotations

from typing import Any

from pipedriven_desktop.sync.writers.activities import ActivityWriter
from pipedriven_desktop.sync.writers.common import EntityWriter, PageCounts
from pipedriven_desktop.sync.writers.deals import DealWriter
from pipedriven_desktop.sync.writers.organizations import OrganizationWriter
from pipedriven_desktop.sync.writers.persons import PersonWriter

__all__ = [
    "ActivityWriter",
    "DealWriter",
    "EntityWriter",
    "OrganizationWriter",
    "PageCounts",
    "PersonWriter",
    "writers",
]


def writers(lead_status_field: str | None = None) -> tuple[EntityWriter[Any, Any], ...]:
    """The entities in sync order: organizations, the persons mapped to them, then the
    activities and deals that point at both."""
    return (OrganizationWriter(), PersonWriter(lead_status_field), ActivityWriter(), DealWriter())
