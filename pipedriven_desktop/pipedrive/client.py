"""The Pipedrive HTTP client: one pooled session, the token in a header, careful retries.

Every request goes through `PipedriveClient._get_json`, the one place that decides what a
response means: honour rate-limit headers, ride out 429 / 5xx / network failures a bounded
number of times, stop at once on 401/403, and hand back only a verified JSON envelope.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Literal, TypeVar, get_args
from urllib.parse import urlsplit

import requests

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
from pipedriven_desktop.pipedrive.records import (
    Activity,
    ApiRecord,
    Deal,
    Organization,
    Person,
    User,
    format_api_time,
)

__all__ = [
    "DEAL_STATUSES_ALL",
    "DEFAULT_BASE_URL",
    "ENTITIES",
    "PAGE_LIMIT",
    "PERSON_INCLUDE_FIELDS",
    "RECORD_TYPES",
    "BadRecord",
    "Entity",
    "Page",
    "PipedriveClient",
]

Entity = Literal["persons", "organizations", "activities", "deals"]
ENTITIES: Final[tuple[Entity, ...]] = get_args(Entity)

DEFAULT_BASE_URL: Final = "https://api.pipedrive.com"
PAGE_LIMIT: Final = 500
#: Deals: ask for deleted ones too, so deletions reach the mirror.
DEAL_STATUSES_ALL: Final = "open,won,lost,deleted"
#: Optional person fields the warmness score can use (pass as `extra={"include_fields": ...}`).
PERSON_INCLUDE_FIELDS: Final = (
    "email_messages_count,last_incoming_mail_time,last_outgoing_mail_time,marketing_status"
)
RECORD_TYPES: Final[Mapping[Entity, type[ApiRecord]]] = {
    "persons": Person,
    "organizations": Organization,
    "activities": Activity,
    "deals": Deal,
}

_RETRYABLE_NETWORK_ERRORS: Final = (
    requests.Timeout,
    requests.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
)

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class BadRecord:
    """An item that could not be parsed: its id if it had one, and why."""

    item_id: object
    reason: str


@dataclass(frozen=True, slots=True)
class Page:
    """One page of a v2 listing: the raw items, so each can be parsed (or skipped) alone."""

    entity: Entity
    items: list[dict[str, Any]]
    next_cursor: str | None
    number: int

    @property
    def is_last(self) -> bool:
        return self.next_cursor is None

    def parse(self, parser: Callable[[Mapping[str, Any]], R]) -> tuple[list[R], list[BadRecord]]:
        """Parse every item with `parser`, e.g. `Person.from_api`.

        Items that raise ValueError come back as BadRecords: one bad record never costs the page.
        """
        records: list[R] = []
        bad: list[BadRecord] = []
        for item in self.items:
            try:
                records.append(parser(item))
            except ValueError as exc:
                bad.append(BadRecord(item.get("id"), str(exc)))
        return records, bad


class PipedriveClient:
    """A client for the part of the Pipedrive API the mirror needs.

    `requests_made` counts HTTP attempts, retries included. `sleep` is injectable so tests
    can check every wait without spending it. One client serves one thread at a time.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        session: requests.Session | None = None,
        timeout: float = 30,
        max_retries: int = 5,
        backoff_base: float = 0.5,
        max_wait: float = 60,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not token or not token.strip():
            raise ValueError("An API token is required.")
        self.base_url = _checked_base_url(base_url)
        self._token = token.strip()
        self._session = session if session is not None else requests.Session()
        self._owns_session = session is None
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.max_wait = max_wait
        self._sleep = sleep
        self.requests_made = 0
        self._pause_before_next = 0.0

    def __repr__(self) -> str:
        return f"PipedriveClient(base_url={self.base_url!r}, token=<hidden>)"

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def __enter__(self) -> PipedriveClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- Endpoints ----------------------------------------------------------------------------

    def me(self) -> User:
        """The signed-in user (`GET /v1/users/me`): their id defines My-500."""
        body = self._get_json("/v1/users/me", {})
        data = body.get("data")
        if not isinstance(data, dict):
            raise BadResponseError("Pipedrive's answer about the current user had no user in it.")
        try:
            return User.from_api(data)
        except ValueError as exc:
            raise BadResponseError(f"Pipedrive sent an unusable user record ({exc}).") from None

    def iter_pages(
        self,
        entity: Entity,
        *,
        updated_since: datetime | None = None,
        sort_by: str = "update_time",
        sort_direction: Literal["asc", "desc"] = "asc",
        limit: int = PAGE_LIMIT,
        extra: Mapping[str, str] | None = None,
    ) -> Iterator[Page]:
        """Walk `GET /api/v2/{entity}` page by page, following `next_cursor`.

        `updated_since` is sent as whole-second UTC and Pipedrive returns items with
        `update_time >= updated_since`, so the boundary item comes again. Deals default to
        `status=open,won,lost,deleted`; `extra` adds or overrides query parameters.
        """
        if entity not in ENTITIES:
            raise ValueError(f"unknown entity {entity!r}")
        params: dict[str, str] = {
            "limit": str(limit),
            "sort_by": sort_by,
            "sort_direction": sort_direction,
        }
        if updated_since is not None:
            params["updated_since"] = format_api_time(updated_since)
        if entity == "deals":
            params["status"] = DEAL_STATUSES_ALL
        params.update(extra or {})
        path = f"/api/v2/{entity}"
        seen: set[str] = set()
        number = 0
        while True:
            body = self._get_json(path, params)
            page = _page_from_body(entity, body, number + 1)
            number = page.number
            yield page
            if page.next_cursor is None:
                return
            if page.next_cursor in seen:
                raise CursorLoopError(
                    f"Pipedrive returned the same {entity} page marker twice; "
                    "stopped to avoid looping forever."
                )
            seen.add(page.next_cursor)
            params["cursor"] = page.next_cursor

    def iter_items(self, entity: Entity, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every raw item of a listing, across pages (see `iter_pages` for the arguments)."""
        for page in self.iter_pages(entity, **kwargs):
            yield from page.items

    # --- The request loop ---------------------------------------------------------------------

    def _get_json(self, path: str, params: Mapping[str, str]) -> dict[str, Any]:
        """GET `path` and return the verified success envelope, retrying what can be retried.

        429, 5xx and network failures are retried at most `max_retries` times, each after
        the wait `_attempt` chose; the last failure is raised as it is.
        """
        retries = 0
        while True:
            try:
                return self._attempt(path, params, retries)
            except _Retry as retry:
                if retries >= self.max_retries:
                    raise retry.error from retry.error.__cause__
                retries += 1
                self._sleep(retry.wait)

    def _attempt(self, path: str, params: Mapping[str, str], retries: int) -> dict[str, Any]:
        """One request: the envelope, a final error, or `_Retry` with how long to wait first."""
        if self._pause_before_next > 0:
            pause, self._pause_before_next = self._pause_before_next, 0.0
            self._sleep(pause)
        self.requests_made += 1
        try:
            # No redirects: a custom header would follow one to any host, token included.
            response = self._session.get(
                self.base_url + path,
                params=params,
                headers={"x-api-token": self._token, "Accept": "application/json"},
                timeout=self.timeout,
                allow_redirects=False,
            )
        except _RETRYABLE_NETWORK_ERRORS as exc:
            error: PipedriveError = PipedriveConnectionError(
                f"Could not reach Pipedrive ({_describe_network_error(exc)}). "
                "Check the internet connection and try again."
            )
            error.__cause__ = exc
            raise _Retry(error, self._backoff(retries)) from None
        status = response.status_code
        self._note_rate_limit(response)
        if status == 429:
            error = RateLimitError(
                "Pipedrive is limiting requests right now. Try again in a few minutes.",
                status=status,
            )
            raise _Retry(error, self._rate_limit_wait(response, retries))
        if status >= 500:
            error = ServerError(
                f"Pipedrive is having trouble (HTTP {status}). Try again later.", status=status
            )
            raise _Retry(error, self._backoff(retries))
        if status in (401, 403):
            raise AuthError.for_status(status)
        if 300 <= status < 400:
            raise BadResponseError(
                f"Pipedrive answered {path} with a redirect (HTTP {status}). "
                "Check the Pipedrive address in Settings.",
                status=status,
            )
        if status >= 400:
            raise RequestRejectedError(
                f"Pipedrive refused the request for {path} (HTTP {status}): "
                f"{_error_text(response)}",
                status=status,
            )
        return _envelope(response, path)

    def _backoff(self, retries_so_far: int) -> float:
        return float(min(self.max_wait, self.backoff_base * 2**retries_so_far))

    def _rate_limit_wait(self, response: requests.Response, retries_so_far: int) -> float:
        told = _seconds(response.headers.get("Retry-After"))
        if told is None:
            told = _seconds(response.headers.get("x-ratelimit-reset"))
        if told is None:
            return self._backoff(retries_so_far)
        return float(min(self.max_wait, told))

    def _note_rate_limit(self, response: requests.Response) -> None:
        """When the burst budget is spent, wait out its reset before the next request."""
        if response.status_code == 429 or response.headers.get("x-ratelimit-remaining") != "0":
            return
        reset = _seconds(response.headers.get("x-ratelimit-reset"))
        if reset is None:
            reset = self.backoff_base
        self._pause_before_next = float(min(self.max_wait, reset))


# --- Helpers ----------------------------------------------------------------------------------


class _Retry(Exception):  # noqa: N818 - a signal inside the request loop, not an error
    """Raised by one attempt that may be retried: the error to raise if not, and the wait."""

    def __init__(self, error: PipedriveError, wait: float) -> None:
        super().__init__(error.message)
        self.error = error
        self.wait = wait


def _checked_base_url(base_url: str) -> str:
    """Normalise the base URL and refuse to send the token in clear over the internet."""
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Not a usable Pipedrive address: {base_url!r}")
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValueError("The Pipedrive address must not carry credentials or a query.")
    if parts.scheme == "http" and not _is_loopback(parts.hostname):
        raise ValueError("Pipedrive must be reached over https (plain http only for localhost).")
    path = parts.path.rstrip("/")
    for suffix in ("/api/v2", "/api/v1", "/v1"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
            break
    return f"{parts.scheme}://{parts.netloc}{path}"


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _seconds(header: str | None) -> float | None:
    if header is None:
        return None
    try:
        value = float(header.strip())
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0:
        return None
    return value


def _describe_network_error(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "the request timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the connection broke off mid-answer"
    return "the connection failed"


def _error_text(response: requests.Response) -> str:
    """Pipedrive's own error text, if the body is its JSON error envelope."""
    try:
        body = response.json()
    except ValueError:
        return "no details"
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])[:200]
    return "no details"


def _envelope(response: requests.Response, path: str) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        raise BadResponseError(
            f"Pipedrive's answer for {path} was not valid JSON.", status=response.status_code
        ) from None
    if not isinstance(body, dict) or body.get("success") is not True:
        raise BadResponseError(
            f"Pipedrive's answer for {path} was not a success envelope.",
            status=response.status_code,
        )
    return body


def _page_from_body(entity: Entity, body: Mapping[str, Any], number: int) -> Page:
    items = body.get("data")
    if items is None:
        items = []
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise BadResponseError(f"Pipedrive's {entity} page did not hold a list of records.")
    additional = body.get("additional_data")
    if additional is None:
        additional = {}
    if not isinstance(additional, dict):
        raise BadResponseError(f"Pipedrive's {entity} page had malformed paging data.")
    cursor = additional.get("next_cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise BadResponseError(f"Pipedrive's {entity} page had a malformed page marker.")
    return Page(entity=entity, items=items, next_cursor=cursor or None, number=number)
