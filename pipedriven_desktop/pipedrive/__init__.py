"""The Pipedrive API client, its records and errors, and the bundled fake Pipedrive.

No Qt and no SQL here: the sync layer drives the client and writes what it returns.
The fake (demo, tests, benchmarks) is imported only when one of its names is asked
for, so importing the client never loads it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pipedriven_desktop.pipedrive.client import (
    DEAL_STATUSES_ALL,
    DEFAULT_BASE_URL,
    PAGE_LIMIT,
    PERSON_INCLUDE_FIELDS,
    RECORD_TYPES,
    Entity,
    Page,
    PipedriveClient,
)
from pipedriven_desktop.pipedrive.errors import (
    AuthError,
    BadResponseError,
    CursorLoopError,
    OutcomeUnknownError,
    PipedriveConnectionError,
    PipedriveError,
    RateLimitError,
    RequestCancelledError,
    RequestRejectedError,
    ResponseTimeoutError,
    ServerError,
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

if TYPE_CHECKING:
    from pipedriven_desktop.pipedrive.fake_data import (
        FAKE_LEAD_STATUS_FIELD,
        FAKE_LEAD_STATUS_OPTION_FIELD,
        FAKE_LEAD_STATUS_OPTIONS,
        FakeAccount,
    )
    from pipedriven_desktop.pipedrive.fake_server import (
        FakePipedriveServer,
        Fault,
        FaultKind,
        FaultPlan,
        LoggedRequest,
    )

#: Names of the fake Pipedrive, and the module each comes from.
_FAKE_NAMES = {
    "FAKE_LEAD_STATUS_FIELD": "fake_data",
    "FAKE_LEAD_STATUS_OPTIONS": "fake_data",
    "FAKE_LEAD_STATUS_OPTION_FIELD": "fake_data",
    "FakeAccount": "fake_data",
    "FakePipedriveServer": "fake_server",
    "Fault": "fake_server",
    "FaultKind": "fake_server",
    "FaultPlan": "fake_server",
    "LoggedRequest": "fake_server",
}


def __getattr__(name: str) -> Any:
    module = _FAKE_NAMES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)


__all__ = [
    "DEAL_STATUSES_ALL",
    "DEFAULT_BASE_URL",
    "FAKE_LEAD_STATUS_FIELD",
    "FAKE_LEAD_STATUS_OPTIONS",
    "FAKE_LEAD_STATUS_OPTION_FIELD",
    "PAGE_LIMIT",
    "PERSON_INCLUDE_FIELDS",
    "RECORD_TYPES",
    "Activity",
    "ApiRecord",
    "AuthError",
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
    "OutcomeUnknownError",
    "Page",
    "Person",
    "PipedriveClient",
    "PipedriveConnectionError",
    "PipedriveError",
    "RateLimitError",
    "RequestCancelledError",
    "RequestRejectedError",
    "ResponseTimeoutError",
    "ServerError",
    "User",
    "format_api_time",
    "parse_api_date",
    "parse_api_time",
]
