"""The Pipedrive API client, its records and errors, and the bundled fake Pipedrive.

No Qt and no SQL here: the sync layer drives the client and writes what it returns.
"""

from __future__ import annotations

from pipedriven_desktop.pipedrive.client import (
    DEAL_STATUSES_ALL,
    DEFAULT_BASE_URL,
    PAGE_LIMIT,
    PERSON_INCLUDE_FIELDS,
    RECORD_TYPES,
    BadRecord,
    Entity,
    Page,
    PipedriveClient,
)
from pipedriven_desktop.pipedrive.errors import (
    AuthError,
    BadResponseError,
    CursorLoopError,
    PipedriveConnectionError,
    PipedriveError,
    RateLimitError,
    RequestRejectedError,
    ServerError,
)
from pipedriven_desktop.pipedrive.fake_data import FAKE_LEAD_STATUS_FIELD, FakeAccount
from pipedriven_desktop.pipedrive.fake_server import (
    FakePipedriveServer,
    Fault,
    FaultKind,
    FaultPlan,
    LoggedRequest,
)
from pipedriven_desktop.pipedrive.records import (
    Activity,
    ApiRecord,
    Deal,
    Organization,
    Person,
    User,
    format_api_time,
    parse_api_date,
    parse_api_time,
)

__all__ = [
    "DEAL_STATUSES_ALL",
    "DEFAULT_BASE_URL",
    "FAKE_LEAD_STATUS_FIELD",
    "PAGE_LIMIT",
    "PERSON_INCLUDE_FIELDS",
    "RECORD_TYPES",
    "Activity",
    "ApiRecord",
    "AuthError",
    "BadRecord",
    "BadResponseError",
    "CursorLoopError",
    "Deal",
    "Entity",
    "FakeAccount",
    "FakePipedriveServer",
    "Fault",
    "FaultKind",
    "FaultPlan",
    "LoggedRequest",
    "Organization",
    "Page",
    "Person",
    "PipedriveClient",
    "PipedriveConnectionError",
    "PipedriveError",
    "RateLimitError",
    "RequestRejectedError",
    "ServerError",
    "User",
    "format_api_time",
    "parse_api_date",
    "parse_api_time",
]
